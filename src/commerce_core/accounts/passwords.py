"""The password policy, after NIST SP 800-63B (5.1.1.2): length, not composition.

8 to 256 characters (passphrases welcome; the bound keeps hashing a megabyte a cheap denial
of service off the table), any characters, no "a letter and a digit" rules. Refused: the
commonly used and breached passwords of the list this package ships
(``common_passwords.txt``, its source and licence in its header), and the account's own
email or its local part, all compared case-insensitively.
"""

from __future__ import annotations

import functools
from importlib import resources

from commerce_core.errors import ValidationError

MIN_PASSWORD = 8
MAX_PASSWORD = 256
COMMON_LIST = "common_passwords.txt"


@functools.cache
def common_passwords() -> frozenset[str]:
    """The shipped list, read once per process on first use (about 12,000 entries)."""
    listed = resources.files("commerce_core.accounts").joinpath(COMMON_LIST)
    text = listed.read_text(encoding="utf-8")
    return frozenset(line for line in text.splitlines() if line and not line.startswith("#"))


def _fold(value: str) -> str:
    return value.casefold().strip()


def password_problems(password: str, email: str = "") -> list[str]:
    """What is wrong with ``password`` for the account ``email``; empty when it passes.

    Each problem describes the rule, never the password.
    """
    password = password or ""
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        return [f"{MIN_PASSWORD} to {MAX_PASSWORD} characters"]
    folded = _fold(password)
    email = _fold(email)
    if email and folded in (email, email.partition("@")[0]):
        return ["must not be the email address"]
    if folded in common_passwords():
        return ["too common: it is on a list of breached passwords"]
    return []


def check_password(password: str, email: str = "") -> None:
    """ValidationError naming the field ``password`` unless ``password`` meets the policy."""
    problems = password_problems(password, email)
    if problems:
        raise ValidationError("password does not meet the policy: " + "; ".join(problems),
                              {"password": problems})
