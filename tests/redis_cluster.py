"""A real Redis Cluster for the contract suites: three masters of this machine's
``redis-server`` on free 127.0.0.1 ports, in a temporary directory, no persistence. Started
once per test process, on first use, and killed when the process ends."""

from __future__ import annotations

import atexit
import functools
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest
import redis

from tests.serving import free_port

MASTERS = 3
READY_WITHIN = 20.0  # seconds, for the servers to answer and the cluster to say ok


def cluster_test_client() -> Any:
    """A client of the test cluster (``redis+cluster://``), every master emptied."""
    from commerce_adapters.redis.client import client  # noqa: PLC0415

    cluster: Any = client(cluster_url())
    cluster.flushdb(target_nodes=cluster.PRIMARIES)
    return cluster


@functools.cache
def cluster_url() -> str:
    """The URL of the running test cluster, started on the first call. Skips (saying why)
    only where ``redis-server`` or ``redis-cli`` is not installed."""
    server, cli = shutil.which("redis-server"), shutil.which("redis-cli")
    if server is None or cli is None:
        pytest.skip("redis-server and redis-cli are not on PATH: no Redis Cluster to test")
    home = Path(tempfile.mkdtemp(prefix="commerce-cluster-"))
    # each node's bus port is given too: the default (port + 10000) may be taken, or > 65535
    free: list[int] = []
    while len(free) < 2 * MASTERS:
        if (port := free_port()) not in free:
            free.append(port)
    ports, buses = free[:MASTERS], free[MASTERS:]
    processes = [subprocess.Popen(
        [server, "--port", str(port), "--cluster-port", str(bus), "--bind", "127.0.0.1",
         "--cluster-enabled", "yes",
         "--cluster-config-file", str(home / f"nodes-{port}.conf"), "--save", "",
         "--appendonly", "no", "--dir", str(home)],
        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        for port, bus in zip(ports, buses, strict=True)]

    def stop() -> None:
        for process in processes:
            process.kill()
            process.wait(timeout=10)
        shutil.rmtree(home, ignore_errors=True)

    atexit.register(stop)
    deadline = time.monotonic() + READY_WITHIN
    nodes = [redis.Redis(port=port, socket_timeout=2) for port in ports]
    for node in nodes:
        _until(deadline, node.ping)
    subprocess.run([cli, "--cluster", "create", *(f"127.0.0.1:{p}" for p in ports),
                    "--cluster-replicas", "0", "--cluster-yes"],
                   check=True, capture_output=True, timeout=READY_WITHIN)
    for node in nodes:
        _until(deadline, lambda n=node: n.cluster("info")["cluster_state"] == "ok")
        node.close()
    return f"redis+cluster://127.0.0.1:{ports[0]}"


def _until(deadline: float, ready: Any) -> None:
    while True:
        try:
            if ready() is not False:
                return
        except redis.RedisError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"the test Redis Cluster was not ready within {READY_WITHIN} s")
        time.sleep(0.05)
