"""The whole unit suite again, with every shop on SQLite instead of memory: the SQL backend
must run the product exactly as the memory backend does (see docs/testing.md; PostgreSQL,
three times slower, is run the same way by hand)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent.parent


def test_every_unit_test_passes_with_shops_on_sqlite() -> None:
    env = {**os.environ, "COMMERCE_TEST_SHOP_BACKEND": "sqlite"}
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider",
                          "tests/unit"], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=900, check=False)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert " passed" in run.stdout.splitlines()[-1]
