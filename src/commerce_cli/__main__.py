"""``python -m commerce_cli``: the ``commerce`` command."""

from commerce_cli import main

main()
