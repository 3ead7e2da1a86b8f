"""The ``commerce`` command line (Typer + Rich)."""
