"""Structured logs: one JSON object per line. A request's line carries its id, route, status,
duration and user, never its body, headers, tokens or passwords."""

from __future__ import annotations

import json
import logging
import time
from datetime import UTC, datetime
from typing import Any

import falcon
from falcon.routing import CompiledRouter

from commerce_http.metrics import route_label

access = logging.getLogger("commerce.http.access")
_RESERVED = set(vars(logging.makeLogRecord({})))


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(), "logger": record.name,
            "message": record.getMessage()}
        line.update({k: v for k, v in vars(record).items() if k not in _RESERVED})
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


class AccessLog:
    """Middleware: the access line, after the response is known. ``router``: the app's, to
    name the route of a request refused before routing (a 401 or a 429 from middleware)."""

    def __init__(self, router: CompiledRouter | None = None) -> None:
        self._router = router

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        req.context.log_started = time.perf_counter()

    def process_response(self, req: falcon.Request, resp: falcon.Response,
                         resource: object, req_succeeded: bool) -> None:
        started = getattr(req.context, "log_started", None)
        actor = getattr(req.context, "actor", None)
        route = route_label(req, self._router)
        access.info("%s %s %s", req.method, req.path if route == "unmatched" else route,
                    resp.status_code,
                    extra={"request_id": getattr(req.context, "request_id", None),
                           "method": req.method, "route": route,
                           "status": resp.status_code,
                           "duration_ms": None if started is None
                           else round((time.perf_counter() - started) * 1000, 2),
                           "user_id": actor.user_id if actor else None,
                           "remote_addr": req.remote_addr})


LOGGING: dict[str, Any] = {  # for gunicorn's logconfig_dict and logging.config.dictConfig
    "version": 1, "disable_existing_loggers": False,
    "formatters": {"json": {"()": "commerce_http.logs.JsonFormatter"}},
    "handlers": {"stdout": {"class": "logging.StreamHandler", "formatter": "json",
                            "stream": "ext://sys.stdout"}},
    "root": {"level": "INFO", "handlers": ["stdout"]},
    "loggers": {"gunicorn.error": {"level": "INFO", "handlers": ["stdout"],
                                   "propagate": False},
                "gunicorn.access": {"level": "WARNING", "handlers": ["stdout"],
                                    "propagate": False}},
}
