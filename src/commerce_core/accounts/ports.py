"""Account storage, password hashing and access tokens."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

import attrs

from commerce_core.accounts.model import SavedAddress, User
from commerce_core.accounts.policy import Role
from commerce_core.pagination import Page, PageRequest


@attrs.frozen
class UserQuery:
    email_contains: str | None = None
    role: Role | None = None
    is_active: bool | None = None


class UserRepository(Protocol):
    def add(self, user: User) -> None:
        """Store a new user; Conflict if the (normalised) email is taken."""
        ...

    def get(self, user_id: int) -> User:
        """NotFound if absent."""
        ...

    def by_email(self, email: str) -> User | None:
        """The user with this normalised email, or None."""
        ...

    def update(self, user: User) -> None:
        """Replace a user; NotFound if absent, Conflict if the new email is taken."""
        ...

    def find(self, query: UserQuery, page: PageRequest) -> Page[User]:
        """Users matching ``query``, oldest first."""
        ...


class AddressBook(Protocol):
    def add(self, entry: SavedAddress) -> None:
        """Store a new saved address."""
        ...

    def get(self, address_id: int) -> SavedAddress:
        """NotFound if absent."""
        ...

    def update(self, entry: SavedAddress) -> None:
        """Replace a saved address; NotFound if absent."""
        ...

    def delete(self, address_id: int) -> None:
        """Remove a saved address; NotFound if absent."""
        ...

    def for_user(self, user_id: int) -> Sequence[SavedAddress]:
        """The user's addresses in the order they were added."""
        ...


class RevokedTokens(Protocol):
    """Signed-out tokens: in the sessions store (COMMERCE_SESSIONS_URL), outside any
    transaction, shared by every process that uses the same store."""

    def revoke(self, token_id: str, expires_at: datetime) -> None:
        """Refuse this token from now on (kept until it would have expired anyway)."""
        ...

    def is_revoked(self, token_id: str) -> bool:
        ...

    def purge(self, expired_before: datetime) -> int:
        """Forget revocations of tokens that have expired; how many were dropped."""
        ...


@attrs.frozen
class TokenClaims:
    user_id: int
    role: Role
    token_id: str
    issued_at: datetime
    expires_at: datetime
    generation: int = 0


class TokenService(Protocol):
    def issue(self, claims: TokenClaims) -> str:
        """A signed token carrying ``claims``."""
        ...

    def verify(self, token: str) -> TokenClaims:
        """The claims of a genuine, unexpired token; Unauthenticated otherwise."""
        ...


class PasswordHasher(Protocol):
    def hash(self, password: str) -> str:
        """A salted, slow hash in a self-describing format."""
        ...

    def verify(self, hashed: str, password: str) -> bool:
        """Whether ``password`` matches ``hashed``; never raises on a mismatch."""
        ...

    def needs_rehash(self, hashed: str) -> bool:
        """Whether ``hashed`` was made with weaker parameters than the current ones."""
        ...
