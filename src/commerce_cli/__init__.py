"""The ``commerce`` command line (Typer + Rich), installed by ``pip install
'commerce-sdk[cli]'``.

``main`` is the console script: it imports nothing of the extra until it has checked the
extra is there, so a library-only install gets one line saying what to install, not a
traceback.
"""

from __future__ import annotations

import importlib.util
import sys

from commerce_core.version import __version__

__all__ = ["__version__", "main"]
CLI_EXTRA = ("typer", "rich", "httpx")  # httpx: the API client of remote mode


def main() -> None:
    """Run the ``commerce`` command (``python -m commerce_cli`` too)."""
    missing = [name for name in CLI_EXTRA if importlib.util.find_spec(name) is None]
    if missing:
        print(f"commerce: the command line needs {', '.join(missing)}: "
              "pip install 'commerce-sdk[cli]'", file=sys.stderr)
        raise SystemExit(1)
    from commerce_cli.main import main as run  # noqa: PLC0415 - only once the extra is there

    run()
