"""Adapters for the commerce core's ports, and ``connect()`` which wires them together."""

from commerce_adapters.bootstrap import connect
from commerce_core.version import __version__

__all__ = ["__version__", "connect"]
