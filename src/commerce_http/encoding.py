"""JSON for what does not go through the contract's encoder (``contract.wire``): error
envelopes, the documents, the CLI's ``--json`` of plain values. Amounts are exact decimal
strings as on the wire, datetimes ISO 8601, enums their values."""

from __future__ import annotations

import enum
import json
from datetime import date, datetime
from decimal import Decimal
from functools import partial
from typing import Any


def default(value: Any) -> Any:
    if isinstance(value, Decimal):  # exact, as the contract writes amounts ("99.50")
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"cannot render {type(value).__name__} as JSON")


dumps = partial(json.dumps, default=default, ensure_ascii=False, separators=(",", ":"))


def loads(text: str | bytes) -> Any:
    """Read what :func:`dumps` wrote; numbers with a fraction come back as exact Decimals."""
    return json.loads(text, parse_float=Decimal)


def plain(value: Any) -> Any:
    """``value`` as a client of the API would receive it (dicts, lists, str, int, Decimal)."""
    return loads(dumps(value))
