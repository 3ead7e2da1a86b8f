"""The installed release, read once from the package metadata; every top-level package
re-exports it as ``__version__``."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("commerce-sdk")
except PackageNotFoundError:  # run from a source tree that was never installed
    __version__ = "0+unknown"
