"""Build a :class:`~commerce_core.facade.Commerce` from backend URLs.

Adapters are chosen by URL scheme from a table of ``"module:factory"`` names and imported
lazily, so a missing driver only matters for the backend that needs it.
"""

from __future__ import annotations

import importlib
import logging
import os
import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import attrs

from commerce_adapters.memory.events import InProcessEventBus
from commerce_adapters.security.passwords import Argon2Hasher
from commerce_adapters.security.tokens import JwtTokens
from commerce_core.accounts.ports import PasswordHasher
from commerce_core.accounts.service import TOKEN_TTL
from commerce_core.activity.ports import ActivityStore
from commerce_core.cart.ports import CartStore
from commerce_core.clock import Clock, SystemClock
from commerce_core.facade import Commerce
from commerce_core.fraud.model import FraudRules
from commerce_core.ids import IdGenerator, SnowflakeIds
from commerce_core.inventory.model import RESERVATION_TTL
from commerce_core.notifications.ports import Notifier
from commerce_core.notifications.service import EVENTS as NOTIFIED_EVENTS
from commerce_core.payments.ports import PaymentGateway
from commerce_core.payments.resilience import RetryPolicy
from commerce_core.pricing.rates import PricingRules
from commerce_core.shipping.ports import Carrier
from commerce_core.uow import EventPublisher, UnitOfWorkFactory

log = logging.getLogger(__name__)
DEFAULT_DATABASE_URL = "sqlite:///commerce.db"
# the URL settings connect() reads when it is not given one, and their defaults
URL_SETTINGS = {
    "COMMERCE_DATABASE_URL": DEFAULT_DATABASE_URL,
    "COMMERCE_DATABASE_REPLICA_URLS": "",  # comma separated
    "COMMERCE_PAYMENTS_URL": "fake://",
    "COMMERCE_NOTIFY_URL": "log://",
}


def setting(name: str, given: str | None = None) -> str:
    """``given``, else the environment's ``name``, else its default (``URL_SETTINGS``)."""
    return given or os.environ.get(name, URL_SETTINGS[name])


def replica_setting() -> list[str]:
    return [u.strip() for u in setting("COMMERCE_DATABASE_REPLICA_URLS").split(",")
            if u.strip()]


def scheme(url: str) -> str:
    """``postgresql+psycopg://...`` -> ``postgresql``: what picks the adapter."""
    return urlsplit(url).scheme.split("+")[0]


@attrs.frozen
class Storage:
    """What a database backend provides: units of work and (by default) the cart and
    activity stores."""

    uow_factory: UnitOfWorkFactory
    carts: CartStore
    activity: ActivityStore


# scheme -> (module:factory, pip extra that brings its driver)
DATABASES: dict[str, tuple[str, str | None]] = {
    "memory": ("commerce_adapters.memory.backend:open_memory", None),
    "sqlite": ("commerce_adapters.sql.backend:open_sql", None),
    "postgresql": ("commerce_adapters.sql.backend:open_sql", "postgres"),
    "postgres": ("commerce_adapters.sql.backend:open_sql", "postgres"),
}
GATEWAYS: dict[str, tuple[str, str | None]] = {
    "fake": ("commerce_adapters.fake.payments:shared_gateway", None),
}
NOTIFIERS: dict[str, tuple[str, str | None]] = {
    "log": ("commerce_adapters.notify.log:LogNotifier", None),
    "memory": ("commerce_adapters.notify.recording:RecordingNotifier", None),
    "smtp": ("commerce_adapters.notify.smtp:SmtpNotifier", None),
}


def load(table: dict[str, tuple[str, str | None]], url: str, what: str) -> Callable[..., Any]:
    """The factory of the adapter ``url`` names in ``table``. ValueError for a scheme the
    table lacks, ImportError (naming the pip extra) for a driver that is not installed."""
    kind = scheme(url)
    if kind not in table:
        known = ", ".join(f"{s}://" for s in sorted(table))
        raise ValueError(f"unknown {what} URL scheme {kind + '://'!r}; known: {known}")
    target, extra = table[kind]
    module_name, _, attr = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as ex:
        hint = f": pip install 'commerce-sdk[{extra}]'" if extra else ""
        raise ImportError(f"the {kind}:// {what} needs a driver that is not installed{hint}"
                          ) from ex
    factory: Callable[..., Any] = getattr(module, attr)
    return factory


def connect(database_url: str | None = None, *, replica_urls: list[str] | None = None,
            database_options: dict[str, Any] | None = None,
            payments_url: str | None = None,
            gateway: PaymentGateway | None = None, publisher: EventPublisher | None = None,
            notify_url: str | None = None, notifier: Notifier | None = None,
            secret_key: str | None = None, password_hasher: PasswordHasher | None = None,
            clock: Clock | None = None, ids: IdGenerator | None = None,
            rules: PricingRules | None = None, retry_policy: RetryPolicy | None = None,
            reservation_ttl: timedelta = RESERVATION_TTL,
            fraud_rules: FraudRules | None = None, carriers: list[Carrier] | None = None,
            token_ttl: timedelta = TOKEN_TTL) -> Commerce:
    """The whole SDK on the backends the URLs name (``COMMERCE_*`` settings when omitted).

    With no settings it opens (and migrates) ``sqlite:///commerce.db`` in the current
    directory; ``connect("memory://")`` keeps everything in this process.
    ``replica_urls`` (or ``COMMERCE_DATABASE_REPLICA_URLS``, comma separated) take
    read-only queries; ``database_options`` go to the backend (for SQL,
    ``settings=PoolSettings(...)``: pool size, statement and lock timeouts).
    Tokens are signed with ``secret_key`` (or ``COMMERCE_SECRET_KEY``); without one a random
    key is made, and tokens then die with the process. Without a ``publisher``, events go
    to an in-process bus that feeds the notification service; with one, subscribe
    ``shop.notifications.handle`` to your consumer.
    """
    clock = clock or SystemClock()
    ids = ids or SnowflakeIds()
    database_url = setting("COMMERCE_DATABASE_URL", database_url)
    if replica_urls is None:
        replica_urls = replica_setting()
    storage: Storage = load(DATABASES, database_url, "database")(
        database_url, clock, ids, replica_urls=replica_urls, **(database_options or {}))
    if gateway is None:
        gateway = load(GATEWAYS, setting("COMMERCE_PAYMENTS_URL", payments_url), "payments")()
    if notifier is None:
        notify_url = setting("COMMERCE_NOTIFY_URL", notify_url)
        notifier = load(NOTIFIERS, notify_url, "notifier")(notify_url)
    secret_key = secret_key or os.environ.get("COMMERCE_SECRET_KEY")
    if not secret_key:
        log.warning("COMMERCE_SECRET_KEY is not set: signing tokens with a random key that "
                    "dies with this process")
        secret_key = secrets.token_urlsafe(48)
    bus = InProcessEventBus()
    shop = Commerce(uow_factory=storage.uow_factory, carts=storage.carts,
                    activity=storage.activity, gateway=gateway, publisher=publisher or bus,
                    hasher=password_hasher or Argon2Hasher(),
                    tokens=JwtTokens(secret_key, clock=clock), notifier=notifier, ids=ids,
                    clock=clock, rules=rules, retry_policy=retry_policy,
                    reservation_ttl=reservation_ttl, fraud_rules=fraud_rules,
                    carriers=carriers, token_ttl=token_ttl)
    if publisher is None:
        for event_type in NOTIFIED_EVENTS:
            bus.subscribe(event_type, shop.notifications.consume)
    return shop
