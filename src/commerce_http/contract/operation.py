"""One declaration per operation of the API: its path, method, who may call it, its
query, body and response types, and the function that does it. The routes, the input
checks, the OpenAPI document and the typed client are all made from these declarations
(``serve``, ``document``, ``client``), so none of them can drift from another.

    register = Operation(
        "POST", "/api/v1/users/register", "register", "Register a customer or seller",
        body=Registration, response=UserOut, status=201, auth=False,
        handler=lambda call: user_out(call.shop.accounts.register(...)))
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, Generic, TypeVar
from urllib.parse import quote

import attrs

from commerce_core.accounts.policy import Actor, Role
from commerce_core.errors import Unauthenticated
from commerce_core.facade import Commerce
from commerce_http.contract.wire import Query

Q = TypeVar("Q")
B = TypeVar("B")
R = TypeVar("R")

_FIELD = re.compile(r"{(\w+)}")
METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE"})


class NoQuery(Query):
    """An operation that reads no query parameter."""


@attrs.frozen
class Call(Generic[Q, B]):
    """What a handler is given: the shop, the caller, and the request's input, checked."""

    shop: Commerce
    actor: Actor | None
    token: str | None
    path: Mapping[str, int]  # the ids in the path
    query: Q
    body: B
    idempotency_key: str | None = None
    request_id: str = "-"
    headers: Mapping[str, str] = attrs.field(factory=dict)  # raw operations only (a copy)
    raw: bytes = b""  # the body as sent, for operations declared ``raw`` (signed callbacks)
    names: Mapping[str, str] = attrs.field(factory=dict)  # the path's other fields
    # the query string as sent, for parameters a type cannot name (``attr.<key>=value``)
    params: Mapping[str, Any] = attrs.field(factory=dict)

    def who(self) -> Actor:
        """The signed-in caller (an operation with ``auth`` never runs without one)."""
        if self.actor is None:
            raise Unauthenticated("sign in first: this endpoint needs a bearer token")
        return self.actor


@attrs.frozen
class Reply:
    """A handler's answer when it is more than its value: another status (``/health``'s
    503), or a body already encoded (a cache hit: ``encoded`` is the ``data`` part)."""

    data: Any = None
    status: int | None = None
    encoded: bytes | None = None


@attrs.frozen
class Operation(Generic[Q, B, R]):
    """``response`` None: the answer is 204 with no body. ``body`` None: none is read.
    ``envelope`` False: the response is sent bare, not in ``{"status", "data"}`` (/health).
    ``roles``: who may call it (documented, and refused with 403 before any input is read);
    empty: any signed-in caller, or anyone when ``auth`` is False. ``errors``: the statuses
    it may answer besides those every operation may (401, 403, 422, 429)."""

    method: str
    path: str
    name: str
    summary: str
    handler: Callable[[Call[Q, B]], R | Reply]
    query: type[Q] = NoQuery  # type: ignore[assignment]
    body: type[B] | None = None
    response: type[R] | None = None
    status: int = 200
    auth: bool = True
    roles: frozenset[Role] = frozenset()
    errors: tuple[int, ...] = ()
    idempotent: bool = False  # takes an Idempotency-Key header
    envelope: bool = True
    tag: str = ""
    # statuses answered with the response type as well (e.g. /health's 503)
    also: tuple[int, ...] = ()
    description: str = ""
    # the body is handed over as sent (``Call.raw``), unread, as a signature covers its
    # bytes; this type documents it (``body`` stays None)
    raw: type | None = None

    def __attrs_post_init__(self) -> None:
        if self.method not in METHODS:
            raise ValueError(f"{self.name}: unknown method {self.method}")

    @property
    def path_fields(self) -> list[str]:
        return _FIELD.findall(self.path)

    def url(self, **path: Any) -> str:
        """The path with its fields filled (``order_id=5`` -> ``/api/v1/orders/5``)."""
        missing = set(self.path_fields) - set(path)
        if missing:
            raise TypeError(f"{self.name} needs {', '.join(sorted(missing))}")

        def filled(found: re.Match[str]) -> str:
            value = path[found.group(1)]
            return str(int(value)) if is_id(found.group(1)) else quote(str(value), safe="")
        return _FIELD.sub(filled, self.path)


def is_id(field: str) -> bool:
    """Path fields named ``id`` or ``..._id`` hold ids (digits); others are names."""
    return field == "id" or field.endswith("_id")


def table(*groups: tuple[Operation[Any, Any, Any], ...]) -> tuple[Operation[Any, Any, Any], ...]:
    """All operations of the API, each (method, path) and each name once."""
    every = tuple(op for group in groups for op in group)
    seen: dict[object, str] = {}
    for op in every:
        for key in ((op.method, op.path), op.name):
            if key in seen:
                raise ValueError(f"{op.name}: {key} is declared twice (also {seen[key]})")
            seen[key] = op.name
    return every
