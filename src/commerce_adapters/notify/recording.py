"""``memory://``: keeps every message in a list; tests and demos read it, and can make the
next sends fail to exercise retries."""

from __future__ import annotations

import threading

from commerce_core.errors import TransientError
from commerce_core.notifications.model import Message


class RecordingNotifier:
    def __init__(self, url: str = "memory://") -> None:
        self._lock = threading.Lock()
        self.sent: list[Message] = []
        self._failures = 0

    def fail_next(self, times: int) -> None:
        """Make the next ``times`` sends raise a transient error."""
        with self._lock:
            self._failures = times

    def send(self, message: Message) -> None:
        with self._lock:
            if self._failures:
                self._failures -= 1
                raise TransientError("channel unavailable (simulated)")
            self.sent.append(message)
