"""Contract of the SellerRepository port (sellers/ports.py)."""

from __future__ import annotations

import pytest

from commerce_core.errors import Conflict, NotFound
from commerce_core.sellers.model import SellerProfile
from tests.contract.conftest import Backend


def test_seller_profiles_have_unique_store_names(backend: Backend) -> None:
    now = backend.clock.now()
    with backend.storage.uow_factory() as uow:
        uow.sellers.add(SellerProfile(7, "Lamp Co", now, now))
        with pytest.raises(Conflict):
            uow.sellers.add(SellerProfile(8, "LAMP CO", now, now))
        with pytest.raises(Conflict):
            uow.sellers.add(SellerProfile(7, "Other", now, now))
        profile = uow.sellers.find(7)
        assert profile is not None and uow.sellers.find(8) is None
        profile.store_name = "Lamps & Co"
        profile.add_ratings(9, 2)
        uow.sellers.update(profile)
        uow.sellers.add(SellerProfile(8, "lamp co", now, now))  # the old name was freed
        assert (uow.sellers.find(7).rating_total, uow.sellers.find(7).rating_count) == (9, 2)  # type: ignore[union-attr]
        with pytest.raises(NotFound):
            uow.sellers.update(SellerProfile(9, "Ghost", now, now))


def test_many_profiles_are_found_at_once_and_the_missing_left_out(backend: Backend) -> None:
    now = backend.clock.now()
    with backend.storage.uow_factory() as uow:
        uow.sellers.add(SellerProfile(7, "Lamp Co", now, now, "Lamps", 9, 2))
        uow.sellers.add(SellerProfile(8, "Desk Co", now, now))
        uow.commit()
    with backend.storage.uow_factory(read_only=True) as uow:
        found = uow.sellers.find_many([8, 9, 7, 8])
        assert sorted(found) == [7, 8]
        assert found[7] == uow.sellers.find(7) and found[8] == uow.sellers.find(8)
        assert uow.sellers.find_many([]) == {}
