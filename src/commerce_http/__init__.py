"""The HTTP API (Falcon, WSGI): the seed's /api/v1, thin over the SDK's services.

``create_app(shop)`` builds the WSGI app; resources parse, call one service method and
render; the error hierarchy maps to status codes in one place (``errors.py``).
"""

from commerce_http.app import create_app

__all__ = ["create_app"]
