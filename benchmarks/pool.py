"""Running benchmark jobs on a pool of threads, each job timed, no failure hidden."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

import attrs

T = TypeVar("T")


@attrs.frozen
class Ran(Generic[T]):
    wall: float  # seconds from the first start to the last finish
    results: list[tuple[float, T]]  # each job's seconds and what it returned

    @property
    def per_second(self) -> float:
        return len(self.results) / self.wall


def run_pool(jobs: Sequence[Callable[[], T]], workers: int) -> Ran[T]:
    """Run ``jobs`` on ``workers`` threads taking them from one queue. A job that raises
    stops its thread, and the run then raises naming how many failed and the first error."""
    queue = list(jobs)
    lock = threading.Lock()
    results: list[tuple[float, T]] = []
    errors: list[BaseException] = []

    def worker() -> None:
        while True:
            with lock:
                if not queue:
                    return
                job = queue.pop()
            start = time.perf_counter()
            try:
                result = job()
            except BaseException as ex:  # reported below; a benchmark must not hide failures
                errors.append(ex)
                return
            elapsed = time.perf_counter() - start
            with lock:
                results.append((elapsed, result))

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    if errors:
        raise RuntimeError(f"{len(errors)} jobs failed, first: {errors[0]!r}")
    return Ran(wall, results)
