"""Shared fixtures: a shop with a hand-driven clock, on memory; in tests/unit on each
transactional backend in turn (tests/unit/conftest.py)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import pytest

from commerce_adapters import connect
from commerce_adapters.fake.payments import FakeGateway
from commerce_adapters.notify.recording import RecordingNotifier
from commerce_adapters.security.passwords import Argon2Hasher
from commerce_core.accounts.policy import Actor
from commerce_core.address import Address
from commerce_core.catalog.model import Product
from commerce_core.catalog.service import VariantSpec
from commerce_core.clock import ManualClock
from commerce_core.events import DomainEvent
from commerce_core.facade import Commerce
from commerce_core.payments.resilience import RetryPolicy

SELLER = Actor.seller(789)
OTHER_SELLER = Actor.seller(790)
CUSTOMER = Actor.customer(456)
ADMIN = Actor.admin(1)
SECRET = "test-secret-that-is-long-enough-for-hs256"
HOME = Address("1 Main St", "Springfield", "12345", "US", region="IL")


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def gateway() -> FakeGateway:
    return FakeGateway()


# where make_shop puts a shop when given no URL; tests/unit/conftest.py points it at the
# backend of the running unit test
default_shop_url = "memory://"
# and where it puts their catalog part: None, the database; tests/unit/conftest.py sets a
# fresh MongoDB database per test when COMMERCE_TEST_CATALOG_URL is set
default_catalog_url: str | None = None


def make_shop(clock: ManualClock, gateway: FakeGateway, database_url: str | None = None,
              **kw: object) -> Commerce:
    kw.setdefault("notifier", RecordingNotifier())
    # tests read what handlers wrote right after the call; background delivery has its own
    kw.setdefault("event_delivery", "inline")
    if database_url is None and default_catalog_url:
        kw.setdefault("catalog_url", default_catalog_url)
    return connect(database_url or default_shop_url, clock=clock, gateway=gateway,
                   secret_key=SECRET, password_hasher=FAST_HASHER,
                   retry_policy=RetryPolicy(attempts=3, base_delay=0.0), **kw)  # type: ignore[arg-type]


# argon2id with the cheapest parameters: the policy is tested, not the cost
FAST_HASHER = Argon2Hasher(time_cost=1, memory_cost=1024, parallelism=1)


@pytest.fixture
def shop(clock: ManualClock, gateway: FakeGateway) -> Commerce:
    return make_shop(clock, gateway)


@pytest.fixture
def events(shop: Commerce) -> list[DomainEvent]:
    seen: list[DomainEvent] = []
    shop.publisher.subscribe(DomainEvent, seen.append)  # type: ignore[attr-defined]
    return seen


@pytest.fixture
def category(shop: Commerce) -> int:
    return shop.catalog.create_category(ADMIN, "Phones").id


def add_product(shop: Commerce, category_id: int, name: str = "Phone",
                prices: Sequence[str] = ("100.00",), stock: int = 10, seller: Actor = SELLER,
                reorder_level: int = 0, weight: int = 0) -> Product:
    specs = [VariantSpec(f"{name[:8].upper().replace(' ', '-')}-{shop.ids.next_id()}",
                         Decimal(p), {"size": str(i)} if len(prices) > 1 else {},
                         weight_grams=weight, stock=stock, reorder_level=reorder_level)
             for i, p in enumerate(prices)]
    return shop.catalog.create_product(seller, name=name, category_id=category_id,
                                       variants=specs)


def buy(shop: Commerce, product_id: int, qty: int = 1, user: Actor = CUSTOMER,
        address: Address = HOME, token: str | None = "tok_visa") -> int:
    """Cart ``qty`` of the product and check out; the order id."""
    shop.cart.add_item(user, product_id, qty)
    return shop.checkout.place_order(user, address, payment_token=token).order.id


def register(shop: Commerce, email: str, role: str = "customer", name: str = "Pat Doe",
             password: str = "correct-horse-42") -> Actor:
    """A real account, signed in: the actor its token stands for."""
    shop.accounts.register(email, password, name, role=role)
    return shop.accounts.authenticate(shop.accounts.login(email, password).token)
