"""The typed client of the API, made from the same declarations as the server: one method,
``call``, takes an operation and its typed input and returns its typed response.

    from commerce_http.contract import Client, api

    with Client("https://shop.example") as shop:
        shop.login("ann@example.com", password)
        page = shop.call(api.catalog.list_products,
                         query=api.catalog.ProductQuery(search="lamp"))
        order = shop.call(api.orders.place_order, body=..., idempotency_key=str(uuid4()))

It needs httpx and msgspec, not Falcon. ``transport`` may be ``httpx.WSGITransport(app=...)``:
the CLI's local mode calls the app in process through it, so local and remote are one path.
A refused request raises the SDK's error class for its status (``NotFound``,
``ValidationError``...) with the server's code, message and details; a server that cannot
be reached raises ``Unavailable``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date
from types import TracebackType
from typing import Any, Self, TypeVar

import httpx
import msgspec

from commerce_core import errors as e
from commerce_http.contract import wire
from commerce_http.contract.operation import Operation
from commerce_http.statuses import ERROR_OF

Q = TypeVar("Q")
B = TypeVar("B")
R = TypeVar("R")

# a request the server refused before reading it (too large) is bad input all the same
_ERRORS: dict[int, type[e.CommerceError]] = {**ERROR_OF, 413: e.ValidationError}


class Client:
    """One connection pool to one shop's API; ``token`` signs the requests in."""

    def __init__(self, base_url: str, token: str | None = None, *, timeout: float = 10.0,
                 transport: httpx.BaseTransport | None = None, rate_limit_waits: int = 3,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        """``rate_limit_waits``: how many times a request refused for the rate limit (429)
        waits the server's Retry-After (at most a minute) and goes again. Safe for every
        operation: the server refuses such a request before doing any of it."""
        self.base_url = base_url.rstrip("/")
        self.token = token
        self._waits = rate_limit_waits
        self._sleep = sleep
        self._http = httpx.Client(base_url=self.base_url, timeout=timeout, transport=transport,
                                  headers={"Accept": "application/json"})

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()

    def call(self, op: Operation[Q, B, R], *, body: B | None = None, query: Q | None = None,
             idempotency_key: str | None = None, request_id: str | None = None,
             **path: int | str) -> R:
        """Run ``op``; its response, decoded into its declared type (None for a 204)."""
        headers: dict[str, str] = {}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if idempotency_key is not None:
            headers["Idempotency-Key"] = idempotency_key
        if request_id is not None:
            headers["X-Request-ID"] = request_id
        content = None
        if body is not None:
            content = wire.encode(body)
            headers["Content-Type"] = "application/json"
        params = _params(query)
        url = op.url(**path)
        for waited in range(self._waits + 1):
            try:
                response = self._http.request(op.method, url, params=params, content=content,
                                              headers=headers)
            except httpx.HTTPError as ex:
                raise e.Unavailable(f"cannot reach {self.base_url}: {ex}",
                                    {"url": self.base_url}) from None
            if response.status_code != 429 or waited == self._waits:
                break
            self._sleep(min(60.0, retry_after(response)))
        if response.status_code >= 400 and response.status_code not in op.also:
            raise error_of(response)
        if op.response is None or response.status_code == 204:
            return None  # type: ignore[return-value]  # R is None for these operations
        kind: Any = wire.Success[op.response] if op.envelope else op.response  # type: ignore[name-defined]
        try:
            decoded = wire.decode(response.content, kind)
        except (msgspec.ValidationError, msgspec.DecodeError) as ex:
            raise e.Unavailable(f"{op.name}: the server's answer is not what the API "
                                f"declares ({ex})", {"operation": op.name}) from None
        result: R = decoded.data if op.envelope else decoded
        return result


def _params(query: Any) -> dict[str, str | list[str]]:
    """A query struct as parameters: a list repeats its name (``type=IN&type=OUT``)."""
    if query is None:
        return {}
    out: dict[str, str | list[str]] = {}
    for name, value in wire.to_builtins(query).items():
        if value is None:
            continue
        out[name] = [_param(v) for v in value] if isinstance(value, list) else _param(value)
    return out


def _param(value: Any) -> str:
    return (str(value).lower() if isinstance(value, bool)
            else value.isoformat() if isinstance(value, date) else str(value))


def error_of(response: httpx.Response) -> e.CommerceError:
    """The SDK error for a refused request, with the server's code, message and details."""
    try:
        block: Any = msgspec.json.decode(response.content).get("error")
    except (msgspec.DecodeError, AttributeError):
        block = None
    if not isinstance(block, dict):  # not our server's envelope (a proxy's page, say)
        block = {"code": f"http_{response.status_code}",
                 "message": f"{response.request.method} {response.request.url.path} answered "
                            f"{response.status_code} {response.reason_phrase}"}
    cls = _ERRORS.get(response.status_code, e.CommerceError)
    if response.status_code >= 500 and cls is e.CommerceError:
        cls = e.Unavailable
    error = cls.__new__(cls)  # subclasses' own constructors want what only the server had
    e.CommerceError.__init__(error, str(block.get("message") or "request refused"),
                             block.get("details") or {})
    error.code = str(block.get("code") or cls.code)
    if isinstance(error, e.RateLimited):
        error.retry_after = retry_after(response)
    return error


def retry_after(response: httpx.Response) -> float:
    try:
        return max(0.0, float(response.headers.get("Retry-After", "1")))
    except ValueError:  # an HTTP date: not sent by this API; wait a little
        return 1.0
