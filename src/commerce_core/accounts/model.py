"""User accounts and their saved addresses."""

from __future__ import annotations

import re
from datetime import datetime

import attrs

from commerce_core.accounts.policy import Role
from commerce_core.address import Address
from commerce_core.errors import ValidationError
from commerce_core.validation import forbidden_character, text

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")


def normalize_email(raw: str) -> str:
    """Trimmed and lower-cased, so ``Ann@X.com `` and ``ann@x.com`` are one account."""
    email = (raw or "").strip().lower()
    if len(email) > 254 or not _EMAIL.match(email) or forbidden_character(email):
        raise ValidationError("email is not a valid address", {"email": "invalid"})
    return email


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
    # the seed's users have first and last names, both optional; ``name`` (a display name,
    # optional too) is what accounts made before them carry
    first_name: str = ""
    last_name: str = ""

    def __attrs_post_init__(self) -> None:
        self.name = (self.name or "").strip()
        self.first_name = (self.first_name or "").strip()
        self.last_name = (self.last_name or "").strip()
        text("name", self.name, 200)
        text("first_name", self.first_name, 100)
        text("last_name", self.last_name, 100)
        text("phone", self.phone, 40)

    @property
    def display_name(self) -> str:
        """The name to greet the user by: ``name``, else first and last names, else ""."""
        return self.name or f"{self.first_name} {self.last_name}".strip()

    def void_tokens(self, now: datetime) -> None:
        self.token_generation += 1
        self.updated_at = now


@attrs.define
class SavedAddress:
    id: int
    user_id: int
    address: Address
    # a validator, not a post-init check: attrs.define runs it on assignment too
    label: str = attrs.field(default="", validator=lambda _s, _a, v: text("label", v, 100))
    is_default_shipping: bool = False
    is_default_billing: bool = False
