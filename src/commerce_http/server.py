"""Running the API on gunicorn: a pre-fork WSGI server with graceful shutdown (SIGTERM lets
every request already accepted finish, within ``COMMERCE_GRACEFUL_TIMEOUT``) and one set of
metrics for all its workers."""

from __future__ import annotations

import errno
import logging
import os
import secrets
import shutil
import tempfile
import time
from types import FrameType
from typing import Any

from gunicorn import util
from gunicorn.app.base import BaseApplication
from gunicorn.workers.sync import SyncWorker

from commerce_adapters import connect
from commerce_adapters.bootstrap import NO_REAL_MONEY, takes_real_money
from commerce_http.app import HttpSettings, create_app
from commerce_http.logs import LOGGING
from commerce_http.metrics import count_across_processes, process_gone
from commerce_http.settings import ServeSettings

log = logging.getLogger("commerce.http")
LOCAL_CACHE_TTL = 5  # s: a worker's own cache, when several workers each keep one


def app_from_environment() -> Any:
    """The WSGI app on the backends the ``COMMERCE_*`` settings name; each worker calls this
    after the fork, so no connection is shared between processes. The first admin comes from
    ``COMMERCE_ADMIN_EMAIL`` / ``COMMERCE_ADMIN_PASSWORD`` when the shop has none."""
    settings = ServeSettings.from_environment()
    shop = connect()
    email, password = (os.environ.get("COMMERCE_ADMIN_EMAIL"),
                       os.environ.get("COMMERCE_ADMIN_PASSWORD"))
    if email and password and shop.accounts.ensure_admin(email, password):
        log.warning("created the first admin account, %s", email)
    origins = tuple(o.strip() for o in os.environ.get("COMMERCE_CORS_ORIGINS", "").split(",")
                    if o.strip())
    return create_app(shop, HttpSettings(
        cors_origins=origins, limits=settings.limits,
        metrics_dir=os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None))


class DrainingWorker(SyncWorker):  # type: ignore[misc]  # gunicorn ships no type hints
    """gunicorn's sync worker, except that on SIGTERM it also answers the connections already
    queued on the listening socket before it exits. The plain one stops after its current
    request, and the kernel resets the queued ones when the last worker closes the socket:
    clients that were accepted got connection errors."""

    stop_by: float | None = None  # monotonic deadline, set by SIGTERM

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if self.stop_by is None:  # a margin under the master's deadline (then SIGKILL)
            self.stop_by = time.monotonic() + max(1, self.cfg.graceful_timeout - 1)
        super().handle_exit(sig, frame)

    def run(self) -> None:
        super().run()
        if self.stop_by is not None:  # not for max_requests restarts or an orphaned worker
            for listener in self.sockets:
                self._drain(listener, self.stop_by)

    def _drain(self, listener: Any, stop_by: float) -> None:
        while (left := stop_by - time.monotonic()) > 0:
            try:
                client, addr = listener.accept()  # non-blocking: run() made it so
            except OSError as ex:
                if ex.errno == errno.ECONNABORTED:
                    continue
                if ex.errno in (errno.EAGAIN, errno.EWOULDBLOCK):
                    return
                raise
            client.settimeout(left)  # a silent client cannot hold the worker past the end
            util.close_on_exec(client)
            self.notify()
            self.handle(listener, client, addr)


class Server(BaseApplication):  # type: ignore[misc]  # gunicorn ships no type hints
    def __init__(self, options: dict[str, Any]) -> None:
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)
        if "control_socket_disable" in self.cfg.settings:  # newer gunicorn only
            # its control socket is one path per user (~/.gunicorn/gunicorn.ctl): two servers
            # on a host would take it from each other, and nothing here uses it
            self.cfg.set("control_socket_disable", True)

    def load(self) -> Any:
        return app_from_environment()


def _payments_warnings() -> None:
    """Say loudly when the shop takes no real money; give the fake's workers one webhook
    secret (made for this run when unset: random, so nobody outside can sign an event)."""
    if takes_real_money():
        if not os.environ.get("COMMERCE_WEBHOOK_SECRET"):
            log.warning("COMMERCE_WEBHOOK_SECRET is not set: every payment webhook is refused")
        return
    log.warning("*** %s (COMMERCE_PAYMENTS_URL=%s) ***", NO_REAL_MONEY,
                os.environ.get("COMMERCE_PAYMENTS_URL", "fake://"))
    if not os.environ.get("COMMERCE_WEBHOOK_SECRET") and not os.environ.get(
            "COMMERCE_PAYMENTS_URL", "fake://").startswith("stripe"):
        os.environ["COMMERCE_WEBHOOK_SECRET"] = f"whsec_{secrets.token_hex(24)}"
        log.warning("COMMERCE_WEBHOOK_SECRET is not set: the fake gateway signs its webhooks "
                    "with a secret made for this run")


def serve(host: str = "127.0.0.1", port: int = 8000,
          settings: ServeSettings | None = None) -> None:
    """Run until stopped (``settings``: by default from the environment). Workers share one
    token secret: ``COMMERCE_SECRET_KEY``, or one made here for this run (tokens then die
    with the server); and one metrics directory, made here and removed on exit."""
    settings = settings or ServeSettings.from_environment()
    if settings.workers > 1 and not os.environ.get("COMMERCE_CACHE_URL"):
        # each worker caches alone: what one worker invalidates, the others drop within
        # LOCAL_CACHE_TTL (share a cache, COMMERCE_CACHE_URL=redis://..., for at once)
        os.environ["COMMERCE_CACHE_URL"] = f"memory://?max_ttl={LOCAL_CACHE_TTL}"
        log.warning("COMMERCE_CACHE_URL is not set: each of the %d workers caches in its own "
                    "memory, for at most %d s a value", settings.workers, LOCAL_CACHE_TTL)
    if not os.environ.get("COMMERCE_SECRET_KEY"):
        log.warning("COMMERCE_SECRET_KEY is not set: tokens are signed with a key made for "
                    "this run only")
        os.environ["COMMERCE_SECRET_KEY"] = secrets.token_urlsafe(48)
    _payments_warnings()
    metrics_dir = tempfile.mkdtemp(prefix="commerce-metrics-")
    master = os.getpid()

    def child_exit(arbiter: Any, worker: Any) -> None:  # gunicorn's hook, in the master
        process_gone(metrics_dir, worker.pid)

    try:
        count_across_processes(metrics_dir)
        Server({"bind": f"{host}:{port}", "workers": settings.workers,
                "worker_class": DrainingWorker, "graceful_timeout": settings.graceful_timeout,
                "timeout": settings.worker_timeout, "child_exit": child_exit,
                "logconfig_dict": LOGGING, "proc_name": "commerce"}).run()
    finally:
        # workers leave through this frame too (gunicorn exits a forked child by raising
        # SystemExit): only the master removes the directory
        if os.getpid() == master:
            shutil.rmtree(metrics_dir, ignore_errors=True)
