"""Request ids, the body size limit and bearer authentication, for every request."""

from __future__ import annotations

import io
import re
import uuid
from typing import Any

import falcon

from commerce_core.accounts.policy import Actor
from commerce_core.accounts.service import AccountService
from commerce_core.errors import Unauthenticated, ValidationError
from commerce_core.validation import MAX_ID

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


class RequestId:
    """Echo the caller's ``X-Request-ID`` (or make one), so logs on both sides line up."""

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        given = req.get_header("X-Request-ID") or ""
        req.context.request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        resp.set_header("X-Request-ID", req.context.request_id)


class BodyLimit:
    """Refuse a body over ``max_bytes``. A declared Content-Length is checked up front; a
    chunked body has none, so it is read here, counting, up to one byte past the limit, and
    handed on as if its length had been declared (Falcon reads no more than that length,
    so without this a chunked body would be read as empty)."""

    def __init__(self, max_bytes: int) -> None:
        self._max = max_bytes

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        if (req.content_length or 0) > self._max:
            raise self._too_large()
        if "chunked" in (req.get_header("Transfer-Encoding") or "").lower():
            data = _read_at_most(req.stream, self._max + 1)
            if len(data) > self._max:
                raise self._too_large()
            req.stream = req.env["wsgi.input"] = io.BytesIO(data)
            req.env["CONTENT_LENGTH"] = str(len(data))

    def _too_large(self) -> falcon.HTTPContentTooLarge:
        return falcon.HTTPContentTooLarge(
            title="Payload Too Large", description=f"the body is larger than {self._max} bytes")


def _read_at_most(stream: Any, limit: int) -> bytes:
    """Up to ``limit`` bytes of ``stream``, in pieces (a server may return short reads)."""
    parts: list[bytes] = []
    size = 0
    while size < limit:
        piece = stream.read(min(65536, limit - size))
        if not piece:
            break
        parts.append(piece)
        size += len(piece)
    return b"".join(parts)


class PathIds:
    """Every id in a path is 1..2^63-1 (what the stores hold): out of range is a 422 naming
    the field, checked once here for every route (routes take any digits, ``{id:int}``)."""

    def process_resource(self, req: falcon.Request, resp: falcon.Response, resource: object,
                         params: dict[str, object]) -> None:
        for name, value in params.items():
            if isinstance(value, int) and not 1 <= value <= MAX_ID:
                raise ValidationError(f"{name} must be an id from 1 to {MAX_ID}",
                                      {name: f"between 1 and {MAX_ID}"})


class Authentication:
    """``Authorization: Bearer <token>`` becomes ``req.context.actor``; no header, no actor
    (public endpoints); a bad token is refused outright."""

    def __init__(self, accounts: AccountService, acting_as: Actor | None = None) -> None:
        self._accounts = accounts
        self._acting_as = acting_as

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        req.context.actor = self._acting_as
        req.context.token = None
        if self._acting_as is not None:
            return
        header = req.get_header("Authorization")
        if not header:
            return
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthenticated("use an Authorization: Bearer <token> header")
        req.context.token = token.strip()
        req.context.actor = self._accounts.authenticate(req.context.token)


def actor(req: falcon.Request) -> Actor:
    """The signed-in caller, or 401."""
    found: Actor | None = req.context.actor
    if found is None:
        raise Unauthenticated("sign in first: this endpoint needs a bearer token")
    return found
