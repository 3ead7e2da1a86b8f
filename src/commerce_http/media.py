"""JSON in and out through Falcon's media (error envelopes, the documents).

Bodies are read exactly (numbers with a fraction as Decimals, so ``10.001`` is not a float
that rounds), and a body nested deeper than :data:`MAX_DEPTH` is refused before any resource
sees it."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import falcon

from commerce_core.errors import ValidationError
from commerce_http.encoding import dumps

MAX_DEPTH = 32  # no body of this API nests more than a few levels


def _no_constant(name: str) -> Any:
    raise ValidationError(f"{name} is not a number this API takes", {"body": "not finite"})


def loads(text: str) -> Any:
    """A request body: exact decimals, no NaN or Infinity, at most MAX_DEPTH levels."""
    try:
        value = json.loads(text, parse_float=Decimal, parse_constant=_no_constant)
    except RecursionError:  # the decoder's own limit, far deeper than ours
        value = None
        too_deep = True
    else:
        too_deep = _depth(value) > MAX_DEPTH
    if too_deep:
        raise ValidationError(f"the body nests deeper than {MAX_DEPTH} levels",
                              {"body": f"at most {MAX_DEPTH} levels deep"})
    return value


def _depth(value: Any) -> int:
    """How deep ``value`` nests, without recursion (so no depth can overflow the stack)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, level)
            if level <= MAX_DEPTH:  # no need to walk further down once too deep
                stack.extend((child, level + 1) for child in
                             (item.values() if isinstance(item, dict) else item))
    return deepest


def handlers() -> dict[str, falcon.media.BaseHandler]:
    json_handler = falcon.media.JSONHandler(dumps=dumps, loads=loads)
    return {falcon.MEDIA_JSON: json_handler, "application/json; charset=UTF-8": json_handler}
