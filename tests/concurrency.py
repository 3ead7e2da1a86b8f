"""Running test jobs at the same moment on threads, with nothing a thread raised lost."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence


def run_together(jobs: Sequence[Callable[[], object]], timeout: float = 120
                 ) -> list[BaseException]:
    """Start every job at the same moment (a barrier), wait for all; what they raised."""
    barrier = threading.Barrier(len(jobs))
    errors: list[BaseException] = []

    def go(job: Callable[[], object]) -> None:
        barrier.wait()
        try:
            job()
        except BaseException as ex:  # collected and asserted on by the caller
            errors.append(ex)

    threads = [threading.Thread(target=go, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=timeout)
    assert not any(t.is_alive() for t in threads), "a job hung"
    return errors
