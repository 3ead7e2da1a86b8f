"""``commerce serve`` as a real process on a free port of 127.0.0.1, stopped by SIGTERM."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

from tests.conftest import SECRET


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _wait_until_up(base: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"server exited: {server.stdout.read()!r}")  # type: ignore[union-attr]
        try:
            with urllib.request.urlopen(f"{base}/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("server did not answer within 30 s")


@contextmanager
def served(database_url: str, workers: int = 2, **settings: str) -> Iterator[str]:
    """The API over ``database_url``; yields its base URL. ``settings``: more COMMERCE_*
    variables. Asserts the server stopped cleanly."""
    port = free_port()
    env = {**os.environ, "COMMERCE_SECRET_KEY": SECRET, "COMMERCE_NOTIFY_URL": "memory://",
           **settings}
    server = subprocess.Popen(
        [sys.executable, "-c", "from commerce_cli.main import main; main()",
         "--database-url", database_url, "serve", "--port", str(port),
         "--workers", str(workers)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, server)
        yield base
    finally:
        server.send_signal(signal.SIGTERM)  # graceful: gunicorn lets requests finish
        try:
            code = server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            raise
    assert code == 0, server.stdout.read() if server.stdout else code
