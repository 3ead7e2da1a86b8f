"""Every error as the seed's envelope ``{"status": "error", "error": {code, message, details}}``,
with its status code chosen here and nowhere else."""

from __future__ import annotations

import logging
import math
import re
from typing import Any

import falcon

from commerce_core import errors as e
from commerce_http import statuses

log = logging.getLogger("commerce.http")

def status_of(error: e.CommerceError) -> str:
    status: str = falcon.code_to_http_status(statuses.status_of(error))
    return status


def body(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"status": "error", "error": {"code": code, "message": message,
                                         "details": details or {}}}


def commerce_error(req: falcon.Request, resp: falcon.Response, ex: e.CommerceError,
                   params: dict[str, Any]) -> None:
    resp.status = status_of(ex)
    resp.media = body(ex.code, ex.message, ex.details)
    if isinstance(ex, e.Unauthenticated):
        resp.set_header("WWW-Authenticate", "Bearer")
    if isinstance(ex, e.RateLimited | e.InProgress):
        # whole seconds, rounded up: a client that waits that long is let in (the exact
        # figure is in the details)
        resp.set_header("Retry-After", str(max(1, math.ceil(ex.retry_after))))


def http_error(req: falcon.Request, resp: falcon.Response, ex: falcon.HTTPError,
               params: dict[str, Any]) -> None:
    """Falcon's own errors (bad JSON, unknown route, wrong method) in the same envelope."""
    resp.status = ex.status
    code = re.sub(r"^\d+\s+", "", ex.title or "error").lower().replace(" ", "_")
    resp.media = body(code, ex.description or ex.title or "request refused")
    headers = ex.headers or {}
    resp.set_headers(headers.items() if isinstance(headers, dict) else headers)


def unexpected(req: falcon.Request, resp: falcon.Response, ex: Exception,
               params: dict[str, Any]) -> None:
    """A bug: logged with the request id, answered without internals."""
    request_id = getattr(req.context, "request_id", "-")
    log.exception("unhandled error in %s %s (request %s)", req.method, req.path, request_id)
    resp.status = falcon.HTTP_500
    resp.media = body("internal_error", "something went wrong on our side",
                      {"request_id": request_id})


def install(app: falcon.App[falcon.Request, falcon.Response]) -> None:
    # Falcon picks the handler of the nearest base class, whatever the order added.
    app.add_error_handler(Exception, unexpected)
    app.add_error_handler(falcon.HTTPError, http_error)
    app.add_error_handler(e.CommerceError, commerce_error)
