"""The benchmarks must keep running (they drive the CLI, whose options change): each once,
tiny, on SQLite. Their figures are not asserted here; docs/benchmarks.md holds those."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.servers import server_url

BENCHMARKS = Path(__file__).parent.parent / "benchmarks"
TINY = {
    "checkout.py": ["--backends", "sqlite", "--checkouts", "8", "--workers", "2"],
    "http_api.py": ["--backends", "sqlite", "--requests", "8", "--clients", "2",
                    "--workers", "1"],
    "cli_import.py": ["--backends", "sqlite", "--products", "3", "--workers", "1"],
    "search.py": ["--backends", "sqlite", "--products", "300", "--searches", "20"],
}


@pytest.mark.parametrize("script", sorted(TINY))
def test_benchmark_runs(script: str) -> None:
    done = subprocess.run([sys.executable, str(BENCHMARKS / script), *TINY[script]],
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    rows = [line for line in done.stdout.splitlines() if line.startswith("| sqlite |")]
    assert rows and all(" 0 |" not in row and " 0.0 |" not in row for row in rows), done.stdout


def test_the_mongodb_catalog_benchmark_runs() -> None:
    """benchmarks/catalog_mongo.py, tiny: the MongoDB catalog beside SQLite's."""
    env = {**os.environ, "COMMERCE_BENCH_MONGO_URL": server_url("mongo")}
    done = subprocess.run([sys.executable, str(BENCHMARKS / "catalog_mongo.py"),
                           "--products", "300", "--reads", "5"], capture_output=True,
                          text=True, timeout=300, check=False, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    rows = [line for line in done.stdout.splitlines() if line.startswith("| sqlite |")]
    assert len(rows) == 4 and all(" 0.00 |" not in row for row in rows), done.stdout
