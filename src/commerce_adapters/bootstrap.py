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

from commerce_adapters.memory.ratelimit import MemoryRateLimiter
from commerce_adapters.security.passwords import Argon2Hasher
from commerce_adapters.security.tokens import JwtTokens
from commerce_adapters.urls import shown as _shown
from commerce_adapters.webhooks.http import UrllibSender
from commerce_core.accounts.ports import PasswordHasher, RevokedTokens
from commerce_core.accounts.service import TOKEN_TTL
from commerce_core.activity.ports import ActivityStore
from commerce_core.bus.ports import EventBus, EventPublisher
from commerce_core.cache.ports import Cache
from commerce_core.cart.ports import CartStore
from commerce_core.catalog.ports import CatalogSessions
from commerce_core.clock import Clock, SystemClock
from commerce_core.events import DomainEvent
from commerce_core.facade import Commerce
from commerce_core.fraud.model import FraudRules
from commerce_core.ids import NODE_IDS, IdGenerator, SnowflakeIds
from commerce_core.inventory.model import RESERVATION_TTL
from commerce_core.notifications.ports import Notifier
from commerce_core.notifications.service import EVENTS as NOTIFIED_EVENTS
from commerce_core.payments.ports import PaymentGateway
from commerce_core.payments.resilience import RetryPolicy
from commerce_core.pricing.rates import PricingRules
from commerce_core.ratelimit.ports import RateLimiter
from commerce_core.search.ports import SearchIndex
from commerce_core.shipping.ports import Carrier
from commerce_core.uow import UnitOfWorkFactory

log = logging.getLogger(__name__)
DEFAULT_DATABASE_URL = "sqlite:///commerce.db"
# The URL settings connect() reads when it is not given one, and their defaults; "" means
# "the database": that part is kept by the transactional store's backend.
URL_SETTINGS = {
    "COMMERCE_DATABASE_URL": DEFAULT_DATABASE_URL,
    "COMMERCE_DATABASE_REPLICA_URLS": "",  # comma separated
    "COMMERCE_CATALOG_URL": "",
    "COMMERCE_CART_URL": "",
    "COMMERCE_CACHE_URL": "memory://",
    "COMMERCE_SESSIONS_URL": "",
    "COMMERCE_SEARCH_URL": "memory://",
    "COMMERCE_EVENTS_URL": "memory://",
    "COMMERCE_PAYMENTS_URL": "fake://",
    "COMMERCE_NOTIFY_URL": "log://",
}


def setting(name: str, given: str | None = None) -> str:
    """``given``, else the environment's ``name``, else its default (``URL_SETTINGS``)."""
    return given or os.environ.get(name, URL_SETTINGS[name])


def part_url(name: str, database_url: str, given: str | None = None) -> str:
    """The URL of the part the setting ``name`` places: as :func:`setting`, and
    ``database_url`` for a part that follows the database."""
    return setting(name, given) or database_url


DELIVERIES = ("background", "inline")


def _inline_delivery(given: str | None) -> bool:
    chosen = (given or os.environ.get("COMMERCE_EVENT_DELIVERY") or "background").strip()
    if chosen not in DELIVERIES:
        raise ValueError(f"COMMERCE_EVENT_DELIVERY must be one of {', '.join(DELIVERIES)}, "
                         f"not {chosen!r}")
    return chosen == "inline"


def replica_setting() -> list[str]:
    return [u.strip() for u in setting("COMMERCE_DATABASE_REPLICA_URLS").split(",")
            if u.strip()]


def scheme(url: str) -> str:
    """``postgresql+psycopg://...`` -> ``postgresql``: what picks the adapter."""
    return urlsplit(url).scheme.split("+")[0]


@attrs.frozen
class Storage:
    """What a database backend keeps: the transactional store's units of work, and the
    parts that follow the database unless a URL of their own moves them."""

    uow_factory: UnitOfWorkFactory
    catalog: CatalogSessions
    activity: ActivityStore
    carts: CartStore
    revocations: RevokedTokens


@attrs.frozen
class Sessions:
    """The sessions part: token revocations and rate-limit counters."""

    revocations: RevokedTokens
    limiter: RateLimiter


@attrs.frozen
class Adapter:
    """One row of a part's scheme table: ``module:factory``, the pip extra that brings its
    driver and the driver's module (imported first, so a missing one names the extra)."""

    target: str
    extra: str | None = None
    driver: str | None = None


# a part whose entry is FROM_DATABASE is taken from the database backend at that URL
FROM_DATABASE = Adapter("")
DATABASES: dict[str, Adapter] = {
    "memory": Adapter("commerce_adapters.memory.backend:open_memory"),
    "sqlite": Adapter("commerce_adapters.sql.backend:open_sql"),
    "postgresql": Adapter("commerce_adapters.sql.backend:open_sql", "postgres", "psycopg"),
    "postgres": Adapter("commerce_adapters.sql.backend:open_sql", "postgres", "psycopg"),
}
_IN_A_DATABASE = {name: FROM_DATABASE for name in DATABASES}
CATALOGS: dict[str, Adapter] = dict(_IN_A_DATABASE)
CARTS: dict[str, Adapter] = dict(_IN_A_DATABASE)
SESSIONS: dict[str, Adapter] = dict(_IN_A_DATABASE)
CACHES: dict[str, Adapter] = {"memory": Adapter("commerce_adapters.memory.cache:MemoryCache")}
SEARCH_INDEXES: dict[str, Adapter] = {
    "memory": Adapter("commerce_adapters.memory.search:MemorySearchIndex")}
EVENT_BUSES: dict[str, Adapter] = {
    "memory": Adapter("commerce_adapters.memory.bus:in_process"),
    "kafka": Adapter("commerce_adapters.kafka.bus:KafkaEventBus", "kafka", "confluent_kafka"),
}
GATEWAYS: dict[str, Adapter] = {
    "fake": Adapter("commerce_adapters.fake.payments:shared_gateway"),
}
NOTIFIERS: dict[str, Adapter] = {
    "log": Adapter("commerce_adapters.notify.log:LogNotifier"),
    "memory": Adapter("commerce_adapters.notify.recording:RecordingNotifier"),
    "smtp": Adapter("commerce_adapters.notify.smtp:SmtpNotifier"),
}


# databases that lease each process a snowflake node id (module:function(url) -> ids)
NODE_LEASES: dict[str, str] = {
    "sqlite": "commerce_adapters.sql.nodes:leased_ids",
    "postgresql": "commerce_adapters.sql.nodes:leased_ids",
    "postgres": "commerce_adapters.sql.nodes:leased_ids",
}


def node_setting(given: int | None = None) -> int | None:
    """The snowflake node this process mints ids on: ``given``, else ``COMMERCE_NODE_ID``,
    else None (lease one from the database). ValueError naming the setting if malformed."""
    raw = str(given) if given is not None else os.environ.get("COMMERCE_NODE_ID", "").strip()
    if not raw:
        return None
    if not raw.isdigit() or int(raw) >= NODE_IDS:
        raise ValueError(f"COMMERCE_NODE_ID must be a whole number within 0..{NODE_IDS - 1}, "
                         f"not {raw!r}")
    return int(raw)


class _LeasedIds:
    """The shop's ids on a node leased once the database is open: the backend needs the
    generator to open, and opening is what migrates the lease table."""

    def __init__(self) -> None:
        self.ids: SnowflakeIds | None = None

    @property
    def node(self) -> int:
        return self._ids().node

    def _ids(self) -> SnowflakeIds:
        if self.ids is None:
            raise RuntimeError("no node id before the database is open")
        return self.ids

    def next_id(self) -> int:
        return self._ids().next_id()


def _ids_for(database_url: str, node_id: int | None) -> tuple[IdGenerator, _LeasedIds | None]:
    """Snowflakes on the configured node; else, on a database that leases nodes, a generator
    whose node :func:`connect` leases once it is open; else (memory://: one process) any."""
    node = node_setting(node_id)
    if node is not None or scheme(database_url) not in NODE_LEASES:
        return SnowflakeIds(node), None
    leased = _LeasedIds()
    return leased, leased


def _lease_node(leased: _LeasedIds, database_url: str) -> None:
    module_name, _, attr = NODE_LEASES[scheme(database_url)].partition(":")
    leased.ids = getattr(importlib.import_module(module_name), attr)(database_url)


@attrs.frozen
class Part:
    """A part of the shop: the setting that names its store and the adapters it knows."""

    name: str
    setting: str
    adapters: dict[str, Adapter]


PARTS: tuple[Part, ...] = (
    Part("database", "COMMERCE_DATABASE_URL", DATABASES),
    Part("catalog", "COMMERCE_CATALOG_URL", CATALOGS),
    Part("carts", "COMMERCE_CART_URL", CARTS),
    Part("cache", "COMMERCE_CACHE_URL", CACHES),
    Part("sessions", "COMMERCE_SESSIONS_URL", SESSIONS),
    Part("search", "COMMERCE_SEARCH_URL", SEARCH_INDEXES),
    Part("events", "COMMERCE_EVENTS_URL", EVENT_BUSES),
    Part("payments", "COMMERCE_PAYMENTS_URL", GATEWAYS),
    Part("notifications", "COMMERCE_NOTIFY_URL", NOTIFIERS),
)


def adapter(table: dict[str, Adapter], url: str, what: str) -> Adapter:
    """The table's row for ``url``'s scheme; ValueError naming the known ones if none."""
    kind = scheme(url)
    if kind not in table:
        known = ", ".join(f"{s}://" for s in sorted(table))
        raise ValueError(f"unknown {what} URL scheme {kind + '://'!r}; known: {known}")
    return table[kind]


def load(table: dict[str, Adapter], url: str, what: str) -> Callable[..., Any]:
    """The factory of the adapter ``url`` names in ``table``. ValueError for a scheme the
    table lacks, ImportError (naming the pip extra) for a driver that is not installed."""
    row = adapter(table, url, what)
    if row is FROM_DATABASE:
        row = DATABASES[scheme(url)]
    module_name, _, attr = row.target.partition(":")
    try:
        if row.driver:
            importlib.import_module(row.driver)
        module = importlib.import_module(module_name)
    except ImportError as ex:
        hint = f": pip install 'commerce-sdk[{row.extra}]'" if row.extra else ""
        raise ImportError(f"the {scheme(url)}:// {what} needs a driver that is not "
                          f"installed{hint}") from ex
    factory: Callable[..., Any] = getattr(module, attr)
    return factory


class _Backends:
    """Database backends opened by URL, each once: parts that name the database's URL (or
    follow it) share its pools and its in-memory state."""

    def __init__(self, clock: Clock, ids: IdGenerator, replica_urls: list[str],
                 options: dict[str, Any], database_url: str) -> None:
        self._clock, self._ids = clock, ids
        self._database_url = database_url
        self._replicas, self._options = replica_urls, options
        self._open: dict[str, Storage] = {}

    def storage(self, url: str) -> Storage:
        if url not in self._open:
            main = url == self._database_url
            self._open[url] = load(DATABASES, url, "database")(
                url, self._clock, self._ids, replica_urls=self._replicas if main else [],
                **(self._options if main else {}))
        return self._open[url]


def connect(database_url: str | None = None, *, replica_urls: list[str] | None = None,
            database_options: dict[str, Any] | None = None, catalog_url: str | None = None,
            cart_url: str | None = None, cache_url: str | None = None,
            sessions_url: str | None = None, search_url: str | None = None,
            events_url: str | None = None, payments_url: str | None = None,
            gateway: PaymentGateway | None = None, publisher: EventPublisher | None = None,
            notify_url: str | None = None, notifier: Notifier | None = None,
            secret_key: str | None = None, password_hasher: PasswordHasher | None = None,
            clock: Clock | None = None, ids: IdGenerator | None = None,
            rules: PricingRules | None = None, retry_policy: RetryPolicy | None = None,
            reservation_ttl: timedelta = RESERVATION_TTL,
            fraud_rules: FraudRules | None = None, carriers: list[Carrier] | None = None,
            token_ttl: timedelta = TOKEN_TTL, node_id: int | None = None,
            event_delivery: str | None = None) -> Commerce:
    """The whole SDK on the stores the URLs name (``COMMERCE_*`` settings when omitted).

    With no settings it opens (and migrates) ``sqlite:///commerce.db`` in the current
    directory; ``connect("memory://")`` keeps everything in this process. Each part has its
    own URL (docs/parts.md): the catalog, carts and sessions follow the database unless
    moved; the cache, search index and event bus default to this process's memory.
    ``replica_urls`` (or ``COMMERCE_DATABASE_REPLICA_URLS``, comma separated) take
    read-only queries; ``database_options`` go to the backend (for SQL,
    ``settings=PoolSettings(...)``: pool size, statement and lock timeouts).
    Tokens are signed with ``secret_key`` (or ``COMMERCE_SECRET_KEY``); without one a random
    key is made, and tokens then die with the process. Without a ``publisher``, events go
    to the event bus (``COMMERCE_EVENTS_URL``), which feeds the notification service; with
    one, subscribe ``shop.notifications.consume`` to your consumer.
    Ids are snowflakes on ``node_id`` (or ``COMMERCE_NODE_ID``, 0..1023) when given, else on
    a node the SQL database leases to this shop alone while it lives (docs/sql.md).
    ``event_delivery`` (or ``COMMERCE_EVENT_DELIVERY``): ``background``, the default, hands
    committed events to a delivery thread so no request waits on their handlers;
    ``inline`` delivers them in the committing thread before the call returns.
    """
    clock = clock or SystemClock()
    database_url = setting("COMMERCE_DATABASE_URL", database_url)
    leased: _LeasedIds | None = None
    if ids is None:
        ids, leased = _ids_for(database_url, node_id)
    if replica_urls is None:
        replica_urls = replica_setting()
    backends = _Backends(clock, ids, replica_urls, database_options or {}, database_url)
    storage = backends.storage(database_url)
    if leased is not None:
        _lease_node(leased, database_url)

    def kept(setting_name: str, given: str | None, table: dict[str, Adapter],
             what: str) -> tuple[str, Storage | None]:
        """The part's URL, and the database backend that keeps it (None: its own store)."""
        url = part_url(setting_name, database_url, given)
        row = adapter(table, url, what)
        return url, backends.storage(url) if row is FROM_DATABASE else None

    catalog_at, catalog = kept("COMMERCE_CATALOG_URL", catalog_url, CATALOGS, "catalog")
    if catalog is not storage:
        raise ValueError(
            f"the catalog store {_shown(catalog_at)} is not the database: a catalog apart "
            "from the transactional store needs the stock feed its listings filter on, which "
            "only MongoDB's adapter will bring; leave COMMERCE_CATALOG_URL unset")
    cart_at, cart_db = kept("COMMERCE_CART_URL", cart_url, CARTS, "cart store")
    carts = cart_db.carts if cart_db else load(CARTS, cart_at, "cart store")(cart_at, clock)
    sessions_at, sessions_db = kept("COMMERCE_SESSIONS_URL", sessions_url, SESSIONS,
                                    "sessions store")
    sessions = (Sessions(sessions_db.revocations, MemoryRateLimiter(clock)) if sessions_db
                else load(SESSIONS, sessions_at, "sessions store")(sessions_at, clock))
    cache_at = part_url("COMMERCE_CACHE_URL", database_url, cache_url)
    cache: Cache = load(CACHES, cache_at, "cache")(clock=clock)
    search_at = part_url("COMMERCE_SEARCH_URL", database_url, search_url)
    search: SearchIndex = load(SEARCH_INDEXES, search_at, "search index")()
    bus: EventBus | None = None
    broker = False
    if publisher is None:
        events_at = part_url("COMMERCE_EVENTS_URL", database_url, events_url)
        publisher = bus = load(EVENT_BUSES, events_at, "event bus")(events_at)
        # a broker's consumers are groups of their own (commerce worker --role ...)
        broker = scheme(events_at) != "memory"
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
    shop = Commerce(uow_factory=storage.uow_factory, catalog=storage.catalog, carts=carts,
                    activity=storage.activity, revocations=sessions.revocations,
                    limiter=sessions.limiter, cache=cache, search=search, gateway=gateway,
                    publisher=publisher, hasher=password_hasher or Argon2Hasher(),
                    tokens=JwtTokens(secret_key, clock=clock), notifier=notifier, ids=ids,
                    clock=clock, rules=rules, retry_policy=retry_policy,
                    reservation_ttl=reservation_ttl, fraud_rules=fraud_rules,
                    carriers=carriers, token_ttl=token_ttl,
                    deliver_inline=_inline_delivery(event_delivery), broker=broker,
                    webhook_sender=UrllibSender())
    if bus is not None and not broker:
        for event_type in NOTIFIED_EVENTS:
            bus.subscribe(event_type, shop.notifications.consume)
        bus.subscribe(DomainEvent, shop.webhooks.consume)
    return shop
