"""Running the API on gunicorn: a pre-fork WSGI server with graceful shutdown (SIGTERM lets
requests in flight finish, within ``graceful_timeout``)."""

from __future__ import annotations

import logging
import os
import secrets
from typing import Any

from gunicorn.app.base import BaseApplication

from commerce_adapters import connect
from commerce_http.app import HttpSettings, create_app
from commerce_http.limits import Limits
from commerce_http.logs import LOGGING

log = logging.getLogger("commerce.http")


def app_from_environment() -> Any:
    """The WSGI app on the backends the ``COMMERCE_*`` settings name; each worker calls this
    after the fork, so no connection is shared between processes. The first admin comes from
    ``COMMERCE_ADMIN_EMAIL`` / ``COMMERCE_ADMIN_PASSWORD`` when the shop has none."""
    shop = connect()
    email, password = (os.environ.get("COMMERCE_ADMIN_EMAIL"),
                       os.environ.get("COMMERCE_ADMIN_PASSWORD"))
    if email and password and shop.accounts.ensure_admin(email, password):
        log.warning("created the first admin account, %s", email)
    origins = tuple(o.strip() for o in os.environ.get("COMMERCE_CORS_ORIGINS", "").split(",")
                    if o.strip())
    defaults = Limits()
    limits = Limits(int(os.environ.get("COMMERCE_RATE_LIMIT_PER_IP", defaults.per_ip)),
                    int(os.environ.get("COMMERCE_RATE_LIMIT_PER_USER", defaults.per_user)))
    return create_app(shop, HttpSettings(cors_origins=origins, limits=limits))


class Server(BaseApplication):  # type: ignore[misc]  # gunicorn ships no type hints
    def __init__(self, options: dict[str, Any]) -> None:
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        return app_from_environment()


def serve(host: str = "127.0.0.1", port: int = 8000, workers: int = 2,
          graceful_timeout: int = 30, timeout: int = 60) -> None:
    """Run until stopped. Workers share one token secret: ``COMMERCE_SECRET_KEY``, or one
    made here for this run (tokens then die with the server)."""
    if not os.environ.get("COMMERCE_SECRET_KEY"):
        log.warning("COMMERCE_SECRET_KEY is not set: tokens are signed with a key made for "
                    "this run only")
        os.environ["COMMERCE_SECRET_KEY"] = secrets.token_urlsafe(48)
    Server({"bind": f"{host}:{port}", "workers": workers, "worker_class": "sync",
            "graceful_timeout": graceful_timeout, "timeout": timeout,
            "logconfig_dict": LOGGING, "proc_name": "commerce"}).run()
