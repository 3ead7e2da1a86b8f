"""Catalog import throughput: ``commerce seller products import`` locally and through the API,
beside the library's own ``create_product`` loop.

    python benchmarks/cli_import.py [--backends sqlite,postgres] [--products 400] [--workers 2]
                                    [--json]

For each backend, on an emptied database each time, it imports the same CSV of
``--products`` products (two variants each, with stock) four ways and prints products per
second: the library called in-process on the parsed file (``create_product`` one by one:
the baseline; and its bulk ``import_products``), the command in local mode, and the command
in remote mode against ``commerce serve`` (both send the file in requests of 200 products
to the bulk import operation). Command times include starting the process, reading the
file and delivering the import's events before exit; the ratios to the baseline, measured
in the same run, are the figures to compare across machines.

PostgreSQL: ``COMMERCE_BENCH_POSTGRES_URL`` (default database ``commerce_bench``; emptied).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from commerce_adapters import connect
from commerce_cli.product_files import COLUMNS, parse
from commerce_core.accounts.policy import Actor

sys.path.insert(0, str(Path(__file__).parent))  # the sibling benchmarks set up servers
from checkout import postgres_url
from http_api import free_port, start, stop

SECRET = "benchmark-import-secret-" + "x" * 32
SELLER, PASSWORD = "bench-seller@example.com", "correct-horse-42"
COMMAND = [sys.executable, "-c", "from commerce_cli.main import main; main()"]


def fresh(backend: str) -> tuple[str, int]:
    """An empty shop with a seller and a category; its URL and the category's id."""
    url = (f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}" if backend == "sqlite"
           else postgres_url())
    shop = connect(url, secret_key=SECRET)
    shop.accounts.register(SELLER, PASSWORD, "Bench", role="seller")
    return url, shop.catalog.create_category(Actor.admin(0), "Lamps").id


def write_file(folder: Path, products: int, category: int) -> Path:
    file = folder / f"products-{category}.csv"
    with file.open("w", newline="") as out:
        writer = csv.DictWriter(out, COLUMNS)
        writer.writeheader()
        for n in range(products):
            for size, price in (("S", "19.90"), ("L", "24.50")):
                writer.writerow({"handle": f"p{n}", "name": f"Lamp {n}", "category_id": category,
                                 "sku": f"LAMP-{n}-{size}", "price": price,
                                 "options": f"size={size}", "stock": 10, "tags": "lamp|bench"})
    return file


def timed(action: Callable[[], None]) -> float:
    start_at = time.perf_counter()
    action()
    return time.perf_counter() - start_at


def run(argv: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv[3:])} failed: {done.stderr.strip()}")


def bench(backend: str, products: int, workers: int, folder: Path) -> dict[str, float]:
    env = {**os.environ, "COMMERCE_SECRET_KEY": SECRET, "COMMERCE_NOTIFY_URL": "memory://",
           "XDG_CONFIG_HOME": str(folder / "config"), "COMMERCE_PASSWORD": PASSWORD,
           "COMMERCE_RATE_LIMIT_PER_USER": "1000000", "COMMERCE_RATE_LIMIT_PER_IP": "1000000"}
    url, category = fresh(backend)
    file = write_file(folder, products, category)
    shop = connect(url, secret_key=SECRET)
    seller = Actor.seller(shop.accounts.find_users(Actor.admin(0), email=SELLER).items[0].id)
    drafts = parse(file.read_text(), "csv").drafts

    def library() -> None:
        for draft in drafts:
            shop.catalog.create_product(seller, **draft.fields())
    seconds = {"library (baseline)": timed(library)}

    url, category = fresh(backend)
    file = write_file(folder, products, category)
    shop = connect(url, secret_key=SECRET)
    bulk_seller = Actor.seller(
        shop.accounts.find_users(Actor.admin(0), email=SELLER).items[0].id)
    drafts = parse(file.read_text(), "csv").drafts
    def bulk() -> None:
        shop.catalog.import_products(bulk_seller, [draft.fields() for draft in drafts])
    seconds["library, import_products"] = timed(bulk)

    url, category = fresh(backend)
    file = write_file(folder, products, category)
    seconds["commerce import, local"] = timed(lambda: run(
        [*COMMAND, "--database-url", url, "seller", "--as", SELLER, "products", "import",
         str(file)], env))

    url, category = fresh(backend)
    file = write_file(folder, products, category)
    port = free_port()
    api = f"http://127.0.0.1:{port}"
    server = start([*COMMAND, "--database-url", url, "serve", "--port", str(port),
                    "--workers", str(workers)], port, env, "/health")
    try:
        run([*COMMAND, "--api", api, "login", "--email", SELLER], env)
        seconds["commerce import, remote"] = timed(lambda: run(
            [*COMMAND, "--api", api, "seller", "products", "import", str(file)], env))
    finally:
        stop(server)
    return {name: products / s for name, s in seconds.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--products", type=int, default=400)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    machine = (f"{platform.machine()}, {os.cpu_count()} cores, Python "
               f"{platform.python_version()}")
    if not args.json:
        print(f"# Catalog import ({machine}, {args.products} products of 2 variants, "
              f"gunicorn {args.workers} sync workers)\n")
        print("| backend | way | products/s | / baseline |")
        print("|---|---|---:|---:|")
    results = []
    for backend in args.backends.split(","):
        if backend not in ("sqlite", "postgres"):
            raise SystemExit(f"unknown backend {backend!r}")
        rates = bench(backend, args.products, args.workers, folder)
        base = rates["library (baseline)"]
        for name, rate in rates.items():
            results.append({"backend": backend, "way": name, "products_per_s": round(rate, 1),
                            "ratio": round(rate / base, 3)})
            if not args.json:
                print(f"| {backend} | {name} | {rate:,.1f} | {rate / base:.2f} |", flush=True)
    if args.json:
        print(json.dumps({"machine": machine, "products": args.products,
                          "workers": args.workers, "results": results}, indent=2))

if __name__ == "__main__":
    main()
