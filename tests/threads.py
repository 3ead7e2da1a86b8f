"""What of this process's threads a test can count."""

from __future__ import annotations

from pathlib import Path


def librdkafka_threads() -> int:
    """Threads of this process's librdkafka clients (Linux names them rdk:...): they end
    only when their client is destroyed, and kept ones poll their brokers for as long as the
    process runs."""
    return sum((task / "comm").read_text().startswith("rdk:")
               for task in Path("/proc/self/task").iterdir())
