"""The HTTP API (Falcon, WSGI): the seed's /api/v1, thin over the SDK's services; and
``commerce_http.client``, a typed client of that API that needs no Falcon.

``create_app(shop)`` builds the WSGI app; resources parse, call one service method and
render; the error hierarchy maps to status codes in one place (``errors.py``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from commerce_core.version import __version__

if TYPE_CHECKING:
    from commerce_http.app import create_app

__all__ = ["__version__", "create_app"]


def __getattr__(name: str) -> Any:
    # the server needs the http extra (Falcon); the client and encoding must import without it
    if name == "create_app":
        from commerce_http.app import create_app  # noqa: PLC0415

        return create_app
    raise AttributeError(f"module 'commerce_http' has no attribute {name!r}")
