"""Contract of the accounts ports (accounts/ports.py): UserRepository and AddressBook."""

from __future__ import annotations

from datetime import timedelta

import pytest

from commerce_core.accounts.model import SavedAddress, User
from commerce_core.accounts.policy import Role
from commerce_core.accounts.ports import UserQuery
from commerce_core.address import Address
from commerce_core.errors import Conflict, NotFound
from commerce_core.pagination import PageRequest
from tests.contract.conftest import Backend

HOME = Address("1 Main St", "Springfield", "12345", "US")


def _user(backend: Backend, email: str, role: Role = Role.CUSTOMER, hours: int = 0) -> User:
    at = backend.clock.now() + timedelta(hours=hours)
    return User(backend.ids.next_id(), email, "$argon2id$fake", "Pat", role, at, at)


def test_users_by_email_unique_and_found_by_filters(backend: Backend) -> None:
    ann, sam = _user(backend, "ann@x.com"), _user(backend, "sam@x.com", Role.SELLER, 1)
    with backend.storage.uow_factory() as uow:
        uow.users.add(ann)
        uow.users.add(sam)
        with pytest.raises(Conflict):
            uow.users.add(_user(backend, "ann@x.com"))
        assert uow.users.by_email("ann@x.com") == ann
        assert uow.users.by_email("nobody@x.com") is None
        sam.email = "ann@x.com"
        with pytest.raises(Conflict):
            uow.users.update(sam)
        sam.email, sam.is_active = "samuel@x.com", False
        uow.users.update(sam)
        uow.commit()
    with backend.storage.uow_factory(read_only=True) as uow:
        assert uow.users.by_email("sam@x.com") is None  # the old email is free again
        assert uow.users.get(sam.id).email == "samuel@x.com"

        def find(**kw: object) -> list[int]:
            return [u.id for u in uow.users.find(UserQuery(**kw), PageRequest()).items]  # type: ignore[arg-type]
        assert find() == [ann.id, sam.id]
        assert find(role=Role.SELLER) == [sam.id] and find(is_active=True) == [ann.id]
        assert find(email_contains="uel@") == [sam.id]
        with pytest.raises(NotFound):
            uow.users.get(404)


def test_address_book(backend: Backend) -> None:
    with backend.storage.uow_factory() as uow:
        first = SavedAddress(backend.ids.next_id(), 1, HOME, "home", True, True)
        second = SavedAddress(backend.ids.next_id(), 1, HOME, "work")
        uow.addresses.add(first)
        uow.addresses.add(second)
        uow.addresses.add(SavedAddress(backend.ids.next_id(), 2, HOME))
        second.label = "office"
        uow.addresses.update(second)
        assert [a.label for a in uow.addresses.for_user(1)] == ["home", "office"]
        uow.addresses.delete(first.id)
        assert [a.id for a in uow.addresses.for_user(1)] == [second.id]
        with pytest.raises(NotFound):
            uow.addresses.delete(first.id)
