"""Adapters for the commerce core's ports, and ``connect()`` which wires them together."""

from commerce_adapters.bootstrap import connect

__all__ = ["connect"]
