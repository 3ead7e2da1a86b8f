"""Build a :class:`~commerce_core.facade.Commerce` from backend URLs.

Adapters are chosen by URL scheme from a table of ``"module:factory"`` names and imported
lazily, so a missing driver only matters for the backend that needs it.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import attrs

from commerce_adapters.memory.events import InProcessEventBus
from commerce_core.cart.ports import CartStore
from commerce_core.clock import Clock, SystemClock
from commerce_core.facade import Commerce
from commerce_core.ids import IdGenerator, SnowflakeIds
from commerce_core.inventory.model import RESERVATION_TTL
from commerce_core.payments.ports import PaymentGateway
from commerce_core.payments.resilience import RetryPolicy
from commerce_core.pricing.rates import PricingRules
from commerce_core.uow import EventPublisher, UnitOfWorkFactory

DEFAULT_DATABASE_URL = "memory://"


@attrs.frozen
class Storage:
    """What a database backend provides: units of work and (by default) the cart store."""

    uow_factory: UnitOfWorkFactory
    carts: CartStore


# scheme -> (module:factory, pip extra that brings its driver)
DATABASES: dict[str, tuple[str, str | None]] = {
    "memory": ("commerce_adapters.memory.backend:open_memory", None),
}
GATEWAYS: dict[str, tuple[str, str | None]] = {
    "fake": ("commerce_adapters.fake.payments:FakeGateway", None),
}


def _load(table: dict[str, tuple[str, str | None]], url: str, what: str) -> Callable[..., Any]:
    scheme = urlsplit(url).scheme.split("+")[0]
    if scheme not in table:
        known = ", ".join(f"{s}://" for s in sorted(table))
        raise ValueError(f"unknown {what} URL scheme {scheme + '://'!r}; known: {known}")
    target, extra = table[scheme]
    module_name, _, attr = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as ex:
        hint = f": pip install 'commerce-sdk[{extra}]'" if extra else ""
        raise ImportError(f"the {scheme}:// {what} needs a driver that is not installed{hint}"
                          ) from ex
    factory: Callable[..., Any] = getattr(module, attr)
    return factory


def connect(database_url: str | None = None, *, payments_url: str | None = None,
            gateway: PaymentGateway | None = None, publisher: EventPublisher | None = None,
            clock: Clock | None = None, ids: IdGenerator | None = None,
            rules: PricingRules | None = None, retry_policy: RetryPolicy | None = None,
            reservation_ttl: timedelta = RESERVATION_TTL) -> Commerce:
    """The whole SDK on the backends the URLs name (``COMMERCE_*`` settings when omitted).

    ``connect("memory://")`` runs everything in this process, with the fake gateway.
    """
    clock = clock or SystemClock()
    ids = ids or SnowflakeIds()
    database_url = database_url or os.environ.get("COMMERCE_DATABASE_URL", DEFAULT_DATABASE_URL)
    storage: Storage = _load(DATABASES, database_url, "database")(database_url, clock, ids)
    if gateway is None:
        payments_url = payments_url or os.environ.get("COMMERCE_PAYMENTS_URL", "fake://")
        gateway = _load(GATEWAYS, payments_url, "payments")()
    return Commerce(uow_factory=storage.uow_factory, carts=storage.carts, gateway=gateway,
                    publisher=publisher or InProcessEventBus(), ids=ids, clock=clock,
                    rules=rules, retry_policy=retry_policy, reservation_ttl=reservation_ttl)
