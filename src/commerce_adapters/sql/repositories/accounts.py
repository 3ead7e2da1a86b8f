"""Users and address books."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from commerce_adapters.sql import schema as t
from commerce_adapters.sql.repositories.base import SqlRepository
from commerce_core.accounts.model import SavedAddress, User
from commerce_core.accounts.policy import Role
from commerce_core.accounts.ports import UserQuery
from commerce_core.address import Address
from commerce_core.errors import Conflict, NotFound
from commerce_core.pagination import Page, PageRequest

u = t.users


def _user_row(x: User) -> dict[str, Any]:
    return {"id": x.id, "email": x.email, "password_hash": x.password_hash, "name": x.name,
            "phone": x.phone, "role": x.role.value, "is_active": x.is_active,
            "token_generation": x.token_generation, "created_at": x.created_at,
            "updated_at": x.updated_at, "first_name": x.first_name,
            "last_name": x.last_name}


def _user(r: Any) -> User:
    return User(r.id, r.email, r.password_hash, r.name, Role(r.role), r.created_at,
                r.updated_at, r.phone, r.is_active, r.token_generation, r.first_name,
                r.last_name)


class SqlUsers(SqlRepository):
    def _email_taken(self, user: User) -> bool:
        return self.execute(sa.select(u.c.id).where(u.c.email == user.email,
                                                    u.c.id != user.id)).first() is not None

    def add(self, user: User) -> None:
        if self._email_taken(user) or self.execute(
                sa.select(u.c.id).where(u.c.id == user.id)).first() is not None:
            raise Conflict("an account with this email exists", {"email": "taken"})
        self.execute(u.insert(), _user_row(user))

    def get(self, user_id: int) -> User:
        row = self.by_key(u, "id", user_id)
        if row is None:
            raise NotFound(f"user {user_id} not found", {"user_id": user_id})
        return _user(row)

    def by_email(self, email: str) -> User | None:
        row = self.execute(sa.select(u).where(u.c.email == email)).first()
        return None if row is None else _user(row)

    def update(self, user: User) -> None:
        if self._email_taken(user):
            raise Conflict("an account with this email exists", {"email": "taken"})
        if not self.execute(u.update().where(u.c.id == user.id)
                            .values(_user_row(user))).rowcount:
            raise NotFound(f"user {user.id} not found", {"user_id": user.id})

    def find(self, query: UserQuery, page: PageRequest) -> Page[User]:
        stmt = sa.select(u)
        if query.email_contains:
            stmt = stmt.where(u.c.email.contains(query.email_contains, autoescape=True))
        if query.role is not None:
            stmt = stmt.where(u.c.role == query.role.value)
        if query.is_active is not None:
            stmt = stmt.where(u.c.is_active.is_(query.is_active))
        return self.page(stmt.order_by(u.c.created_at, u.c.id), page,
                         lambda rows: [_user(r) for r in rows])


a = t.user_addresses


def _address_row(e: SavedAddress) -> dict[str, Any]:
    x = e.address
    return {"id": e.id, "user_id": e.user_id, "label": e.label, "line1": x.line1,
            "city": x.city, "postal_code": x.postal_code, "country": x.country,
            "region": x.region, "line2": x.line2, "name": x.name,
            "is_default_shipping": e.is_default_shipping,
            "is_default_billing": e.is_default_billing}


def _address(r: Any) -> SavedAddress:
    return SavedAddress(r.id, r.user_id, Address(r.line1, r.city, r.postal_code, r.country,
                                                 r.region, r.line2, r.name),
                        r.label, r.is_default_shipping, r.is_default_billing)


class SqlAddresses(SqlRepository):
    def add(self, entry: SavedAddress) -> None:
        if self.execute(sa.select(a.c.id).where(a.c.id == entry.id)).first() is not None:
            raise Conflict(f"address {entry.id} exists")
        self.execute(a.insert(), _address_row(entry))

    def get(self, address_id: int) -> SavedAddress:
        row = self.one(sa.select(a).where(a.c.id == address_id))
        if row is None:
            raise NotFound(f"address {address_id} not found", {"address_id": address_id})
        return _address(row)

    def update(self, entry: SavedAddress) -> None:
        if not self.execute(a.update().where(a.c.id == entry.id)
                            .values(_address_row(entry))).rowcount:
            raise NotFound(f"address {entry.id} not found", {"address_id": entry.id})

    def delete(self, address_id: int) -> None:
        if not self.execute(a.delete().where(a.c.id == address_id)).rowcount:
            raise NotFound(f"address {address_id} not found", {"address_id": address_id})

    def for_user(self, user_id: int) -> Sequence[SavedAddress]:
        return [_address(r) for r in self.rows(sa.select(a).where(a.c.user_id == user_id)
                                               .order_by(a.c.id))]
