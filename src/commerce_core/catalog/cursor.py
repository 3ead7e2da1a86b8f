"""Listing cursors: an opaque, checked token for the keyset position of the next page.

A cursor carries the page number it opens, the position after the last entry shown, and a
digest of the listing's filters and sort, keyed: a cursor altered by hand, or brought to
another listing, is refused as a ValidationError naming ``cursor``."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from decimal import Decimal, InvalidOperation

import attrs

from commerce_core.catalog.ports import ProductQuery
from commerce_core.catalog.views import After
from commerce_core.errors import ValidationError

MAX_CURSOR = 512
MAX_CURSOR_PAGE = 10**9  # keyset pages have no offset to bound
_DEFAULT_KEY = b"commerce-listing-cursor"


@attrs.frozen
class Position:
    page: int
    after: After


def _listing(query: ProductQuery) -> str:
    """The filters and sort a cursor belongs to, as one stable string."""
    return json.dumps([sorted(query.category_ids) if query.category_ids is not None else None,
                       query.search, str(query.min_price), str(query.max_price),
                       str(query.rating_min), query.in_stock, query.seller_id,
                       query.include_inactive, query.sort.value])


def _digest(key: bytes, body: bytes, query: ProductQuery) -> str:
    mac = hmac.new(key, body + b"|" + _listing(query).encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac[:12]).decode().rstrip("=")


def encode(position: Position, query: ProductQuery, key: bytes = _DEFAULT_KEY) -> str:
    value = None if position.after.value is None else str(position.after.value)
    body = json.dumps([position.page, value, position.after.id],
                      separators=(",", ":")).encode()
    text = base64.urlsafe_b64encode(body).decode().rstrip("=")
    return f"{text}.{_digest(key, body, query)}"


def decode(cursor: str, query: ProductQuery, key: bytes = _DEFAULT_KEY) -> Position:
    """The position ``cursor`` names for this listing; ValidationError if it is not one."""
    bad = ValidationError("cursor is not one this listing gave", {"cursor": "invalid"})
    if not isinstance(cursor, str) or len(cursor) > MAX_CURSOR or cursor.count(".") != 1:
        raise bad
    text, digest = cursor.split(".")
    try:
        body = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        if not hmac.compare_digest(digest, _digest(key, body, query)):
            raise bad
        page, value, last_id = json.loads(body)
        after = After(None if value is None else Decimal(value), last_id)
    except (ValueError, TypeError, InvalidOperation, UnicodeDecodeError):
        raise bad from None
    if (not isinstance(page, int) or not 1 < page <= MAX_CURSOR_PAGE
            or not isinstance(last_id, int) or isinstance(last_id, bool)):
        raise bad
    return Position(page, after)
