"""The server's numeric settings, read from ``COMMERCE_*`` variables in one place and checked
when ``commerce serve`` starts: a bad value stops the server with one line naming the setting,
instead of crashing every worker later with a bare ``int()`` traceback."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

import attrs

from commerce_http.limits import Limits


class SettingError(ValueError):
    """A setting's value cannot be used; the message names the setting and the value."""


@attrs.frozen
class Whole:
    """A whole-number setting: its variable, default and allowed range."""

    name: str
    default: int
    low: int
    high: int

    def read(self, environ: Mapping[str, str]) -> int:
        raw = environ.get(self.name, "").strip()
        if not raw:  # unset or empty (a blank line in an env file) means the default
            return self.default
        # ASCII digits only: int() would also take "1_000", "+5" and other scripts' digits
        number = int(raw) if re.fullmatch(r"[0-9]{1,18}", raw) else None
        if number is None or not self.low <= number <= self.high:
            raise SettingError(f"{self.name}={raw!r} is not valid: give a whole number "
                               f"from {self.low} to {self.high} (default {self.default})")
        return number


_LIMITS = Limits()
WORKERS = Whole("COMMERCE_WORKERS", 2, 1, 64)
GRACEFUL_TIMEOUT = Whole("COMMERCE_GRACEFUL_TIMEOUT", 30, 1, 3600)
WORKER_TIMEOUT = Whole("COMMERCE_WORKER_TIMEOUT", 60, 1, 3600)
RATE_LIMIT_PER_IP = Whole("COMMERCE_RATE_LIMIT_PER_IP", _LIMITS.per_ip, 1, 10**9)
RATE_LIMIT_PER_USER = Whole("COMMERCE_RATE_LIMIT_PER_USER", _LIMITS.per_user, 1, 10**9)
NUMBERS = (WORKERS, GRACEFUL_TIMEOUT, WORKER_TIMEOUT, RATE_LIMIT_PER_IP, RATE_LIMIT_PER_USER)
"""Every numeric serve setting, for ``commerce config show`` and doctor."""


@attrs.frozen
class ServeSettings:
    workers: int = WORKERS.default
    graceful_timeout: int = GRACEFUL_TIMEOUT.default  # s a stopping worker may finish in
    worker_timeout: int = WORKER_TIMEOUT.default      # s of silence before a worker is killed
    limits: Limits = attrs.field(factory=Limits)

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> ServeSettings:
        """The settings ``environ`` (by default ``os.environ``) gives; raises
        :class:`SettingError` on the first bad value."""
        env = os.environ if environ is None else environ
        return cls(workers=WORKERS.read(env), graceful_timeout=GRACEFUL_TIMEOUT.read(env),
                   worker_timeout=WORKER_TIMEOUT.read(env),
                   limits=attrs.evolve(_LIMITS, per_ip=RATE_LIMIT_PER_IP.read(env),
                                       per_user=RATE_LIMIT_PER_USER.read(env)))
