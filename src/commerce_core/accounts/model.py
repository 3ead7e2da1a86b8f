"""User accounts and their saved addresses."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import attrs

from commerce_core.accounts.policy import Role
from commerce_core.address import Address
from commerce_core.errors import ValidationError
from commerce_core.validation import forbidden_character, text

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
MIN_PASSWORD = 10
MAX_PASSWORD = 256  # hashing a megabyte of "password" is a cheap denial of service


def normalize_email(raw: str) -> str:
    """Trimmed and lower-cased, so ``Ann@X.com `` and ``ann@x.com`` are one account."""
    email = (raw or "").strip().lower()
    if len(email) > 254 or not _EMAIL.match(email) or forbidden_character(email):
        raise ValidationError("email is not a valid address", {"email": "invalid"})
    return email


def check_password(password: str, email: str = "") -> None:
    """The password policy: 10 to 256 characters, a letter and a digit, not the email.

    Errors describe the rule, never the password.
    """
    problems = []
    if not MIN_PASSWORD <= len(password or "") <= MAX_PASSWORD:
        problems.append(f"{MIN_PASSWORD} to {MAX_PASSWORD} characters")
    if not any(c.isalpha() for c in password or ""):
        problems.append("at least one letter")
    if not any(c.isdigit() for c in password or ""):
        problems.append("at least one digit")
    local = email.partition("@")[0]
    if len(local) >= 4 and local in (password or "").lower():
        problems.append("must not contain the email address")
    if problems:
        raise ValidationError("password does not meet the policy: " + "; ".join(problems),
                              {"password": problems})


@attrs.define
class User:
    id: int
    email: str
    password_hash: str = attrs.field(repr=False)
    name: str
    role: Role
    created_at: datetime
    updated_at: datetime
    phone: str = ""
    is_active: bool = True
    token_generation: int = 0  # bumped to void every token issued before

    def __attrs_post_init__(self) -> None:
        self.name = (self.name or "").strip()
        if not self.name or len(self.name) > 200:
            raise ValidationError("name must be 1 to 200 characters", {"name": "required"})
        text("name", self.name, 200)
        text("phone", self.phone, 40)

    def void_tokens(self, now: datetime) -> None:
        self.token_generation += 1
        self.updated_at = now

    def as_dict(self) -> dict[str, Any]:
        """The public profile; never the password hash."""
        return {"user_id": self.id, "email": self.email, "name": self.name,
                "phone": self.phone or None, "role": self.role.value,
                "is_active": self.is_active, "created_at": self.created_at.isoformat()}


@attrs.define
class SavedAddress:
    id: int
    user_id: int
    address: Address
    # a validator, not a post-init check: attrs.define runs it on assignment too
    label: str = attrs.field(default="", validator=lambda _s, _a, v: text("label", v, 100))
    is_default_shipping: bool = False
    is_default_billing: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {"address_id": self.id, "label": self.label, **self.address.as_dict(),
                "is_default_shipping": self.is_default_shipping,
                "is_default_billing": self.is_default_billing}
