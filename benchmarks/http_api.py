"""HTTP throughput and latency: the API on ``commerce serve`` beside a bare Falcon endpoint.
(Not named http.py: run as a script, that name would hide the standard library's http.)

    python benchmarks/http_api.py [--backends sqlite,postgres] [--requests 400] [--clients 8]
                              [--workers 2] [--caches none,memory,redis] [--json]

For each backend it seeds a shop, starts ``commerce serve`` (gunicorn, ``--workers``), and
measures requests per second and p50/p99 latency for product detail, product list,
add-to-cart and checkout, with ``--clients`` threads each opening a connection per request.
The two reads are measured once per cache (``COMMERCE_CACHE_URL``): ``none`` (every read
goes to the database), ``memory`` (each worker's own for at most 5 s: ``commerce serve``'s
default with several workers) and ``redis``
(``COMMERCE_BENCH_REDIS_URL``; in the default list only when that is set), each warmed by
one request first.
The ceiling is a bare Falcon app answering a small JSON document on the same gunicorn
settings, measured in the same run just before each server (the machine is shared and its
load drifts): the product detail's ratio to it is the figure to watch.

PostgreSQL: ``COMMERCE_BENCH_POSTGRES_URL`` (default database ``commerce_bench`` on the local
server; emptied first).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pool import run_pool

from commerce_adapters import connect
from commerce_adapters.security.passwords import Argon2Hasher
from commerce_core.accounts.policy import Actor
from commerce_core.catalog.service import VariantSpec

SECRET = "benchmark-http-secret-" + "x" * 32
ADDRESS = {"line1": "1 Main St", "city": "Springfield", "postal_code": "12345",
           "country": "US"}
BARE_APP = """
import falcon
class Ping:
    def on_get(self, req, resp):
        resp.media = {"status": "success", "data": {"product_id": 1, "name": "Lamp"}}
app = falcon.App()
app.add_route("/ping", Ping())
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def request(port: int, method: str, path: str, body: Any = None,
            token: str | None = None) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    conn.request(method, path, None if body is None else json.dumps(body), headers)
    response = conn.getresponse()
    response.read()
    conn.close()
    return response.status


def measure(jobs: list[Callable[[], int]], clients: int, expect: int) -> dict[str, float]:
    """Run the jobs on ``clients`` threads: requests/s, p50 and p99 in milliseconds."""
    ran = run_pool(jobs, clients)
    failures = [status for _, status in ran.results if status != expect]
    if failures:
        raise RuntimeError(f"{len(failures)} requests failed, e.g. status {failures[0]}")
    cuts = statistics.quantiles([seconds for seconds, _ in ran.results], n=100)
    return {"rps": ran.per_second, "p50": cuts[49] * 1000, "p99": cuts[98] * 1000}


def start(argv: list[str], port: int, env: dict[str, str], probe: str) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if request(port, "GET", probe) == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError(f"server on {port} did not start")


def stop(server: subprocess.Popen[bytes]) -> None:
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()


def seed(url: str, buyers: int) -> tuple[int, list[str]]:
    """A product with plenty of stock and ``buyers`` signed-in customers (their tokens)."""
    shop = connect(url, secret_key=SECRET,
                   password_hasher=Argon2Hasher(time_cost=1, memory_cost=1024, parallelism=1))
    category = shop.catalog.create_category(Actor.admin(1), f"Bench {time.time_ns()}").id
    product = shop.catalog.create_product(
        Actor.seller(2), name="Bench lamp", category_id=category,
        variants=[VariantSpec(f"BENCH-{time.time_ns()}", "19.99", stock=10**7)])
    tokens = []
    for n in range(buyers):
        email = f"buyer{n}-{time.time_ns()}@example.com"
        shop.accounts.register(email, "correct-horse-42", "Buyer")
        tokens.append(shop.accounts.login(email, "correct-horse-42").token)
    return product.id, tokens


CACHE_URLS: dict[str, Callable[[], str]] = {
    "none": lambda: "none://", "memory": lambda: "memory://?max_ttl=5",  # serve's default
    "redis": lambda: os.environ.get("COMMERCE_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")}


def serve(url: str, workers: int, cache: str) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    env = {**os.environ, "COMMERCE_SECRET_KEY": SECRET, "COMMERCE_NOTIFY_URL": "memory://",
           "COMMERCE_RATE_LIMIT_PER_IP": "1000000000", "COMMERCE_RATE_LIMIT_PER_USER": "1000000",
           "COMMERCE_CACHE_URL": CACHE_URLS[cache](),
           "COMMERCE_REDIS_PREFIX": f"bench{time.time_ns()}:"}  # a cold cache each run
    return start([sys.executable, "-c", "from commerce_cli.main import main; main()",
                  "--database-url", url, "serve", "--port", str(port),
                  "--workers", str(workers)], port, env, "/health"), port


def reads(port: int, product_id: int, requests: int, clients: int, cache: str
          ) -> dict[str, dict[str, float]]:
    detail, listing = f"/api/v1/products/{product_id}", "/api/v1/products?limit=20"
    for path in (detail, listing):  # warm: fill the cache, and each worker's first requests
        for _ in range(20):
            request(port, "GET", path)
    return {f"product detail, cache {cache}": measure(
                [lambda: request(port, "GET", detail)] * requests, clients, 200),
            f"product list, cache {cache}": measure(
                [lambda: request(port, "GET", listing)] * requests, clients, 200)}


def writes(port: int, product_id: int, tokens: list[str], clients: int
           ) -> dict[str, dict[str, float]]:
    return {"add to cart": measure([lambda t=t: request(  # type: ignore[misc]
                port, "POST", "/api/v1/cart/items", {"product_id": product_id}, t)
                for t in tokens], clients, 201),
            "checkout": measure([lambda t=t: request(  # type: ignore[misc]
                port, "POST", "/api/v1/orders",
                {"shipping_address": ADDRESS, "payment_token": "tok_visa"}, t)
                for t in tokens], clients, 201)}


def bench_backend(url: str, requests: int, clients: int, workers: int,
                  caches: list[str], ceiling: Callable[[], dict[str, float]]
                  ) -> dict[str, Any]:
    """Each cache's scenarios, each figure with the ceiling measured just before its server
    started (the machine is shared: its load drifts within a run)."""
    product_id, tokens = seed(url, requests)
    figures: dict[str, Any] = {}
    for cache in caches:
        before = ceiling()["rps"]
        server, port = serve(url, workers, cache)
        try:
            group = reads(port, product_id, requests, clients, cache)
            if cache == caches[0]:
                group.update(writes(port, product_id, tokens, clients))
        finally:
            stop(server)
        figures.update({name: {**fig, "ceiling": before} for name, fig in group.items()})
    return figures


def bench_ceiling(requests: int, clients: int, workers: int) -> dict[str, float]:
    folder = Path(tempfile.mkdtemp())
    (folder / "bare.py").write_text(BARE_APP)
    port = free_port()
    server = start([sys.executable, "-m", "gunicorn", "--chdir", str(folder), "--bind",
                    f"127.0.0.1:{port}", "--workers", str(workers), "bare:app"],
                   port, dict(os.environ), "/ping")
    try:
        return measure([lambda: request(port, "GET", "/ping")] * requests, clients, 200)
    finally:
        stop(server)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--requests", type=int, default=400, help="per scenario")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--caches", default="none,memory" + (
        ",redis" if os.environ.get("COMMERCE_BENCH_REDIS_URL") else ""))
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    caches = args.caches.split(",")
    if unknown := set(caches) - set(CACHE_URLS):
        raise SystemExit(f"unknown cache {sorted(unknown)[0]!r}; known: {', '.join(CACHE_URLS)}")
    def ceiling() -> dict[str, float]:
        return bench_ceiling(args.requests, args.clients, args.workers)

    first = ceiling()
    rows = [("bare Falcon", "ping (ceiling)", {**first, "ceiling": first["rps"]})]
    for backend in args.backends.split(","):
        if backend == "sqlite":
            url = f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
        elif backend == "postgres":
            sys.path.insert(0, str(Path(__file__).parent))
            from checkout import postgres_url  # noqa: PLC0415 - the sibling benchmark's set-up
            url = postgres_url()
        else:
            raise SystemExit(f"unknown backend {backend!r}")
        rows += [(backend, name, fig) for name, fig in
                 bench_backend(url, args.requests, args.clients, args.workers,
                               caches, ceiling).items()]
    if args.json:
        print(json.dumps([{"backend": b, "scenario": n, **fig,
                           "ratio": fig["rps"] / fig["ceiling"]} for b, n, fig in rows]))
        return
    print(f"# HTTP ({platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, gunicorn {args.workers} sync workers, "
          f"{args.clients} clients, {args.requests} requests per scenario)\n")
    print("| backend | scenario | requests/s | p50 ms | p99 ms | ceiling r/s | / ceiling |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for backend, name, fig in rows:
        print(f"| {backend} | {name} | {fig['rps']:,.0f} | {fig['p50']:.1f} | "
              f"{fig['p99']:.1f} | {fig['ceiling']:,.0f} | {fig['rps'] / fig['ceiling']:.2f} |")


if __name__ == "__main__":
    main()
