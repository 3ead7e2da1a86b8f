"""Request ids, the body size limit and bearer authentication, for every request."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

import falcon

from commerce_core.accounts.policy import Actor
from commerce_core.accounts.service import AccountService
from commerce_core.errors import Unauthenticated

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


class RequestId:
    """Echo the caller's ``X-Request-ID`` (or make one), so logs on both sides line up."""

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        given = req.get_header("X-Request-ID") or ""
        req.context.request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        resp.set_header("X-Request-ID", req.context.request_id)


class BodyLimit:
    def __init__(self, max_bytes: int) -> None:
        self._max = max_bytes

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        if (req.content_length or 0) > self._max:
            raise falcon.HTTPContentTooLarge(
                title="Payload Too Large",
                description=f"the body is larger than {self._max} bytes")


class Authentication:
    """``Authorization: Bearer <token>`` becomes ``req.context.actor``; no header, no actor
    (public endpoints); a bad token is refused outright."""

    def __init__(self, accounts: AccountService) -> None:
        self._accounts = accounts

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        req.context.actor = None
        req.context.token = None
        header = req.get_header("Authorization")
        if not header:
            return
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthenticated("use an Authorization: Bearer <token> header")
        req.context.token = token.strip()
        req.context.actor = self._accounts.authenticate(req.context.token)


class RequireSignIn:
    """Refuse anonymous calls to operations the OpenAPI table marks as needing a token,
    before the resource reads its input: a 401 comes first, whatever the body."""

    def __init__(self, needs_token: Callable[[str, str], bool]) -> None:
        self._needs_token = needs_token

    def process_resource(self, req: falcon.Request, resp: falcon.Response, resource: object,
                         params: dict[str, object]) -> None:
        if (resource is not None and req.context.actor is None and req.uri_template
                and self._needs_token(req.uri_template, req.method.lower())):
            raise Unauthenticated("sign in first: this endpoint needs a bearer token")


def actor(req: falcon.Request) -> Actor:
    """The signed-in caller, or 401."""
    found: Actor | None = req.context.actor
    if found is None:
        raise Unauthenticated("sign in first: this endpoint needs a bearer token")
    return found
