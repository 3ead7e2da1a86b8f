"""Shared fixtures: a shop on the memory backend with a hand-driven clock."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import pytest

from commerce_adapters import connect
from commerce_adapters.fake.payments import FakeGateway
from commerce_core.address import Address
from commerce_core.catalog.model import Product
from commerce_core.catalog.service import VariantSpec
from commerce_core.clock import ManualClock
from commerce_core.facade import Commerce
from commerce_core.payments.resilience import RetryPolicy

SELLER = 789
OTHER_SELLER = 790
CUSTOMER = 456
HOME = Address("1 Main St", "Springfield", "12345", "US", region="IL")


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def gateway() -> FakeGateway:
    return FakeGateway()


def make_shop(clock: ManualClock, gateway: FakeGateway, **kw: object) -> Commerce:
    return connect("memory://", clock=clock, gateway=gateway,
                   retry_policy=RetryPolicy(attempts=3, base_delay=0.0), **kw)  # type: ignore[arg-type]


@pytest.fixture
def shop(clock: ManualClock, gateway: FakeGateway) -> Commerce:
    return make_shop(clock, gateway)


@pytest.fixture
def category(shop: Commerce) -> int:
    return shop.catalog.create_category("Phones").id


def add_product(shop: Commerce, category_id: int, name: str = "Phone",
                prices: Sequence[str] = ("100.00",), stock: int = 10, seller: int = SELLER,
                reorder_level: int = 0, weight: int = 0) -> Product:
    specs = [VariantSpec(f"{name[:8].upper().replace(' ', '-')}-{shop.ids.next_id()}",
                         Decimal(p), {"size": str(i)} if len(prices) > 1 else {},
                         weight_grams=weight, stock=stock, reorder_level=reorder_level)
             for i, p in enumerate(prices)]
    return shop.catalog.create_product(seller_id=seller, name=name, category_id=category_id,
                                       variants=specs)
