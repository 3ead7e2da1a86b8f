"""In-memory users and address books."""

from __future__ import annotations

from collections.abc import Sequence

from commerce_adapters.memory.state import Journal, MemoryState, fresh
from commerce_core.accounts.model import SavedAddress, User
from commerce_core.accounts.ports import UserQuery
from commerce_core.errors import Conflict, NotFound
from commerce_core.pagination import Page, PageRequest


class MemoryUsers:
    def __init__(self, state: MemoryState, journal: Journal) -> None:
        self._rows: dict[int, User] = state.table("users")
        self._emails: dict[str, int] = state.table("user_emails")
        self._j = journal

    def add(self, user: User) -> None:
        if user.id in self._rows or user.email in self._emails:
            raise Conflict("an account with this email exists", {"email": "taken"})
        self._j.put(self._emails, user.email, user.id)
        self._j.put(self._rows, user.id, user)

    def get(self, user_id: int) -> User:
        try:
            return fresh(self._rows[user_id])
        except KeyError:
            raise NotFound(f"user {user_id} not found", {"user_id": user_id}) from None

    def by_email(self, email: str) -> User | None:
        user_id = self._emails.get(email)
        return None if user_id is None else self.get(user_id)

    def update(self, user: User) -> None:
        old = self.get(user.id)
        if user.email != old.email:
            if user.email in self._emails:
                raise Conflict("an account with this email exists", {"email": "taken"})
            self._j.delete(self._emails, old.email)
            self._j.put(self._emails, user.email, user.id)
        self._j.put(self._rows, user.id, user)

    def find(self, query: UserQuery, page: PageRequest) -> Page[User]:
        hits = sorted((u for u in self._rows.values()
                       if (query.email_contains is None or query.email_contains in u.email)
                       and (query.role is None or u.role is query.role)
                       and (query.is_active is None or u.is_active is query.is_active)),
                      key=lambda u: (u.created_at, u.id))
        chunk = hits[page.offset:page.offset + page.limit]
        return Page([fresh(u) for u in chunk], len(hits), page.page, page.limit)


class MemoryAddresses:
    def __init__(self, state: MemoryState, journal: Journal) -> None:
        self._rows: dict[int, SavedAddress] = state.table("addresses")
        self._j = journal

    def add(self, entry: SavedAddress) -> None:
        if entry.id in self._rows:
            raise Conflict(f"address {entry.id} exists")
        self._j.put(self._rows, entry.id, entry)

    def get(self, address_id: int) -> SavedAddress:
        try:
            return fresh(self._rows[address_id])
        except KeyError:
            raise NotFound(f"address {address_id} not found",
                           {"address_id": address_id}) from None

    def update(self, entry: SavedAddress) -> None:
        self.get(entry.id)
        self._j.put(self._rows, entry.id, entry)

    def delete(self, address_id: int) -> None:
        self.get(address_id)
        self._j.delete(self._rows, address_id)

    def for_user(self, user_id: int) -> Sequence[SavedAddress]:
        return [fresh(a) for a in sorted((a for a in self._rows.values()
                                          if a.user_id == user_id), key=lambda a: a.id)]
