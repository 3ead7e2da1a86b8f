"""argon2id password hashing through argon2-cffi (the winner of the Password Hashing
Competition, with RFC 9106 parameters by default)."""

from __future__ import annotations

import argon2
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError


class Argon2Hasher:
    """argon2-cffi's defaults unless told otherwise; tests pass cheap parameters."""

    def __init__(self, time_cost: int | None = None, memory_cost: int | None = None,
                 parallelism: int | None = None) -> None:
        defaults = argon2.PasswordHasher()
        self._ph = argon2.PasswordHasher(
            time_cost=time_cost or defaults.time_cost,
            memory_cost=memory_cost or defaults.memory_cost,
            parallelism=parallelism or defaults.parallelism,
            type=argon2.Type.ID)

    def hash(self, password: str) -> str:
        return self._ph.hash(password)

    def verify(self, hashed: str, password: str) -> bool:
        try:
            return self._ph.verify(hashed, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, hashed: str) -> bool:
        try:
            return self._ph.check_needs_rehash(hashed)
        except InvalidHashError:
            return True
