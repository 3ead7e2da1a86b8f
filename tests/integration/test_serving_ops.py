"""``commerce serve`` under operations: metrics for the whole server, a graceful stop that
answers every request already accepted, and bad settings refused at start-up. Real processes
on free ports of 127.0.0.1, each bounded in time."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest

from commerce_adapters import connect
from tests.conftest import SECRET
from tests.serving import _wait_until_up, free_port, served

COMMAND = [sys.executable, "-c", "from commerce_cli.main import main; main()"]
UNLIMITED = {"COMMERCE_RATE_LIMIT_PER_IP": "1000000"}


def shop_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    connect(url, secret_key=SECRET)  # made and migrated before the workers open it
    return url


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        body: bytes = response.read()
        return body.decode()


def answered(metrics: str, route: str) -> float:
    """The value of ``commerce_http_requests_total`` for GET ``route`` answered 200."""
    sample = f'commerce_http_requests_total{{method="GET",route="{route}",status="200"}} '
    found = [line for line in metrics.splitlines() if line.startswith(sample)]
    return float(found[0].removeprefix(sample)) if found else 0.0


def test_metrics_sum_across_two_workers(tmp_path: Path) -> None:
    temp = tmp_path / "tmp"  # where the server makes its metrics directory
    temp.mkdir()
    with served(shop_url(tmp_path), workers=2, TMPDIR=str(temp), **UNLIMITED) as base:
        # concurrent connections, so both sync workers take some of them
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda _: get(f"{base}/api/v1/products"), range(60)))
        # each scrape may be answered by either worker: every one sees the whole server
        totals = {answered(get(f"{base}/metrics"), "/api/v1/products") for _ in range(8)}
        assert len(list(temp.glob("commerce-metrics-*"))) == 1
    assert totals == {60.0}
    assert list(temp.glob("commerce-metrics-*")) == []  # removed on exit


@contextmanager
def started(database_url: str, **settings: str) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    """A served process and its port; killed if it outlives the block."""
    port = free_port()
    env = {**os.environ, "COMMERCE_SECRET_KEY": SECRET, "COMMERCE_NOTIFY_URL": "memory://",
           **settings}
    server = subprocess.Popen([*COMMAND, "--database-url", database_url, "serve", "--port",
                               str(port), "--workers", "2"],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        _wait_until_up(f"http://127.0.0.1:{port}", server)
        yield port, server
    finally:
        if server.poll() is None:
            server.kill()
            server.wait(timeout=10)


def read_response(client: socket.socket) -> bytes:
    """The whole answer (the server closes the connection after it); raises on a reset."""
    chunks = []
    while chunk := client.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


def complete(response: bytes) -> bool:
    head, _, body = response.partition(b"\r\n\r\n")
    length = re.search(rb"(?im)^content-length: *(\d+)\r?$", head)
    return head.startswith(b"HTTP/1.1 200") and length is not None and \
        len(body) == int(length.group(1))


def test_sigterm_answers_every_request_already_accepted(tmp_path: Path) -> None:
    with started(shop_url(tmp_path), COMMERCE_GRACEFUL_TIMEOUT="20", **UNLIMITED) as (
            port, server):
        # ten connections the kernel accepted, each request half sent: two workers each hold
        # one, mid-request, and eight wait in the listen queue
        clients = [socket.create_connection(("127.0.0.1", port), timeout=15)
                   for _ in range(10)]
        for client in clients:
            client.sendall(b"GET /api/v1/products HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        time.sleep(1)
        server.send_signal(signal.SIGTERM)
        time.sleep(1)  # the workers and the master have seen it
        for client in clients:
            client.sendall(b"Connection: close\r\n\r\n")
        responses = []
        for client in clients:
            with client:
                try:
                    responses.append(read_response(client))
                except OSError as ex:  # reset: dropped
                    responses.append(repr(ex).encode())
        code = server.wait(timeout=30)
    assert [complete(r) for r in responses] == [True] * 10, responses
    assert code == 0


@pytest.mark.parametrize(("name", "value"), [
    ("COMMERCE_RATE_LIMIT_PER_IP", "abc"),
    ("COMMERCE_WORKERS", "0"),
    ("COMMERCE_GRACEFUL_TIMEOUT", "30s"),
])
def test_a_malformed_numeric_setting_stops_serve_naming_it(tmp_path: Path, name: str,
                                                            value: str) -> None:
    env = {**os.environ, "COMMERCE_SECRET_KEY": SECRET, name: value}
    done = subprocess.run([*COMMAND, "--database-url", f"sqlite:///{tmp_path / 'shop.db'}",
                           "serve", "--port", str(free_port())],
                          env=env, capture_output=True, timeout=60, check=False)
    assert done.returncode == 2, done
    lines = done.stderr.decode().strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), lines
    assert f"{name}={value!r}" in lines[0]
