"""Build a :class:`~commerce_core.facade.Commerce` from backend URLs.

Adapters are chosen by URL scheme from a table of ``"module:factory"`` names and imported
lazily, so a missing driver only matters for the backend that needs it.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import importlib
import logging
import os
import re
import secrets
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime, timedelta
from typing import Any, Protocol, runtime_checkable
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
from commerce_core.facade import Commerce, close_each
from commerce_core.fraud.model import FraudRules
from commerce_core.ids import NODE_IDS, IdGenerator, SnowflakeIds
from commerce_core.inventory.model import RESERVATION_TTL
from commerce_core.notifications.ports import Notifier
from commerce_core.notifications.service import EVENTS as NOTIFIED_EVENTS
from commerce_core.payments.ports import PaymentGateway
from commerce_core.payments.resilience import RetryPolicy
from commerce_core.pricing.rates import PricingRules
from commerce_core.rankings.ports import Rankings
from commerce_core.rankings.service import EVENTS as RANKED_EVENTS
from commerce_core.ratelimit.ports import RateLimiter
from commerce_core.search.indexer import EVENTS as INDEXED_EVENTS
from commerce_core.search.ports import SearchIndex
from commerce_core.search.service import PopularSearches
from commerce_core.search.text import Synonyms
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
    "COMMERCE_SEARCH_URL": "",
    "COMMERCE_EVENTS_URL": "memory://",
    "COMMERCE_PAYMENTS_URL": "fake://",
    "COMMERCE_NOTIFY_URL": "log://",
}
# what every key this shop writes to a shared store (Redis) starts with: several shops (or
# environments) can share one server
DEFAULT_KEY_PREFIX = "commerce:"


def prefix_setting(given: str | None = None) -> str:
    """``given``, else ``COMMERCE_REDIS_PREFIX``, else ``commerce:``."""
    return given if given is not None else os.environ.get("COMMERCE_REDIS_PREFIX",
                                                           DEFAULT_KEY_PREFIX)


def setting(name: str, given: str | None = None) -> str:
    """``given``, else the environment's ``name``, else its default (``URL_SETTINGS``)."""
    return given or os.environ.get(name, URL_SETTINGS[name])


def part_url(name: str, database_url: str, given: str | None = None) -> str:
    """The URL of the part the setting ``name`` places: as :func:`setting`, and
    ``database_url`` for a part that follows the database."""
    return setting(name, given) or database_url


CARRIER_SECRET = re.compile(r"^COMMERCE_CARRIER_([A-Z0-9_]+)_SECRET$")


def carrier_secrets_setting(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """Each ``COMMERCE_CARRIER_<NAME>_SECRET``: the secret that carrier signs its tracking
    callbacks with, by carrier name (lower case, ``_`` read as ``-``: TABLE_RATE is the
    ``table-rate`` carrier)."""
    environ = os.environ if environ is None else environ
    return {match[1].lower().replace("_", "-"): value
            for key, value in environ.items() if (match := CARRIER_SECRET.match(key)) and value}


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
    search: SearchIndex | None = None  # the database's own full text, where it has one
    close: Callable[[], None] = attrs.field(default=lambda: None, kw_only=True)  # its pools


@attrs.frozen
class Sessions:
    """The sessions part: token revocations and rate-limit counters."""

    revocations: RevokedTokens
    limiter: RateLimiter
    close: Callable[[], None] = attrs.field(default=lambda: None, kw_only=True)  # its client


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
# mongodb+srv:// has the scheme mongodb (``scheme`` drops what follows a "+")
CATALOGS: dict[str, Adapter] = {
    **_IN_A_DATABASE,
    "mongodb": Adapter("commerce_adapters.mongo.backend:open_catalog", "mongo", "pymongo"),
}
# redis:// and rediss:// (TLS); redis+cluster:// picks the same row (scheme() drops "+...")
_REDIS = ("redis", "rediss")
CARTS: dict[str, Adapter] = {**_IN_A_DATABASE, **{
    s: Adapter("commerce_adapters.redis.carts:open_carts", "redis", "redis") for s in _REDIS}}
SESSIONS: dict[str, Adapter] = {**_IN_A_DATABASE, **{
    s: Adapter("commerce_adapters.redis.sessions:open_sessions", "redis", "redis")
    for s in _REDIS}}
CACHES: dict[str, Adapter] = {
    "memory": Adapter("commerce_adapters.memory.cache:open_cache"),
    "none": Adapter("commerce_adapters.memory.cache:open_no_cache"),
    **{s: Adapter("commerce_adapters.redis.cache:open_cache", "redis", "redis")
       for s in _REDIS}}
# rankings live beside the cache: a shared cache server ranks for every worker
RANKINGS: dict[str, Adapter] = {
    "memory": Adapter("commerce_adapters.memory.rankings:open_rankings"),
    "none": Adapter("commerce_adapters.memory.rankings:open_rankings"),
    **{s: Adapter("commerce_adapters.redis.rankings:open_rankings", "redis", "redis")
       for s in _REDIS}}
SEARCH_INDEXES: dict[str, Adapter] = {
    "memory": Adapter("commerce_adapters.memory.search:MemorySearchIndex"),
    "sqlite": FROM_DATABASE, "postgresql": FROM_DATABASE, "postgres": FROM_DATABASE,
    "elasticsearch": Adapter("commerce_adapters.elasticsearch.search:open_index",
                             "elasticsearch", "elasticsearch"),
}
EVENT_BUSES: dict[str, Adapter] = {
    "memory": Adapter("commerce_adapters.memory.bus:in_process"),
    "kafka": Adapter("commerce_adapters.kafka.bus:KafkaEventBus", "kafka", "confluent_kafka"),
}
GATEWAYS: dict[str, Adapter] = {
    "fake": Adapter("commerce_adapters.fake.payments:open_fake"),
    "stripe": Adapter("commerce_adapters.stripe.gateway:open_stripe", "stripe", "stripe"),
}
# schemes of gateways that move no real money (said loudly by serve, /health and doctor)
FAKE_GATEWAYS = frozenset({"fake"})
NO_REAL_MONEY = ("THIS SHOP TAKES NO REAL MONEY: its payment gateway is a fake or uses a "
                 "test-mode key")
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


def open_gateway(url: str, database_url: str) -> PaymentGateway:
    """The gateway ``url`` names: every factory takes the gateway's URL, the database's (the
    fake keeps its ledger there) and the webhook secret (``COMMERCE_WEBHOOK_SECRET``)."""
    secret = os.environ.get("COMMERCE_WEBHOOK_SECRET") or None
    gateway: PaymentGateway = load(GATEWAYS, url, "payments")(url, database_url, secret)
    return gateway


def takes_real_money(payments_url: str | None = None) -> bool:
    """False when the configured gateway is a fake, or Stripe with a test-mode key: no
    charge moves any money."""
    kind = scheme(setting("COMMERCE_PAYMENTS_URL", payments_url))
    if kind == "stripe":
        return os.environ.get("COMMERCE_STRIPE_API_KEY", "").startswith(("sk_live_",
                                                                          "rk_live_"))
    return kind not in FAKE_GATEWAYS


class _Backends:
    """Database backends opened by URL, each once: parts that name the database's URL (or
    follow it) share its pools and its in-memory state."""

    def __init__(self, clock: Clock, ids: IdGenerator, replica_urls: list[str],
                 options: dict[str, Any], database_url: str) -> None:
        self._clock, self._ids = clock, ids
        self._database_url = database_url
        self._replicas, self._options = replica_urls, options
        self._open: dict[str, Storage] = {}
        # every part connect() opened, in order: the shop's close() closes them (parts
        # handed in, a publisher or gateway, stay the caller's; the fake gateway is shared)
        self.opened: list[object] = []

    def storage(self, url: str) -> Storage:
        if url not in self._open:
            main = url == self._database_url
            self._open[url] = self.load(DATABASES, url, "database")(
                url, self._clock, self._ids, replica_urls=self._replicas if main else [],
                **(self._options if main else {}))
        return self._open[url]

    def kept(self, setting_name: str, given: str | None, table: dict[str, Adapter],
             what: str) -> tuple[str, Storage | None]:
        """The part's URL, and the database backend that keeps it (None: its own store)."""
        url = part_url(setting_name, self._database_url, given)
        row = adapter(table, url, what)
        return url, self.storage(url) if row is FROM_DATABASE else None

    @contextlib.contextmanager
    def closed_on_failure(self) -> Iterator[None]:
        """If opening the rest fails, what was opened is closed again, last first (its own
        failures logged, the first error raised): a failed connect() leaves no pools,
        clients or threads behind."""
        try:
            yield
        except BaseException:
            failure = close_each(self.closers())
            if failure is not None:
                log.warning("closing the parts of a failed connect() failed",
                            exc_info=failure)
            raise

    def closers(self) -> list[Callable[[], None]]:
        """How to close each part opened so far, in the order they were opened."""
        return [part.close for part in self.opened if isinstance(part, _Closable)]

    def load(self, table: dict[str, Adapter], url: str, what: str) -> Callable[..., Any]:
        """:func:`load`'s factory, what it makes kept in :attr:`opened`."""
        factory = load(table, url, what)

        def opening(*args: Any, **kwargs: Any) -> Any:
            part = factory(*args, **kwargs)
            self.opened.append(part)
            return part
        return opening


@runtime_checkable
class _Closable(Protocol):
    """A part holding connections, clients or threads until closed."""

    def close(self) -> None: ...


def stock_lookup(storage: Storage) -> Callable[[list[int]], set[int]]:
    """For a catalog kept apart: which of these variants have available stock, read from
    the transactional store (where stock lives) in one query."""
    def stocked(variant_ids: list[int]) -> set[int]:
        if not variant_ids:
            return set()
        with storage.uow_factory(read_only=True) as uow:
            found = uow.inventory.get_many(variant_ids)
        return {vid for vid, item in found.items() if item.available > 0}
    return stocked


def _secret_key(given: str | None) -> str:
    key = given or os.environ.get("COMMERCE_SECRET_KEY")
    if not key:
        log.warning("COMMERCE_SECRET_KEY is not set: signing tokens with a random key that "
                    "dies with this process")
        key = secrets.token_urlsafe(48)
    return key


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
            event_delivery: str | None = None,
            key_prefix: str | None = None, synonyms: Synonyms | None = None,
            carrier_secrets: Mapping[str, str] | None = None) -> Commerce:
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
    The search index follows the database (SQLite FTS5, PostgreSQL tsvector, memory) unless
    ``search_url`` moves it (``elasticsearch://host:9200``); it is fed by catalog, stock and
    rating events (docs/search.md). ``synonyms`` (or the file ``COMMERCE_SEARCH_SYNONYMS``
    names) are word groups searched as one.
    ``carrier_secrets`` (or ``COMMERCE_CARRIER_<NAME>_SECRET`` settings) verify carriers'
    signed tracking callbacks (``shop.carrier_callbacks``), one secret per carrier.
    """
    clock = clock or SystemClock()
    database_url = setting("COMMERCE_DATABASE_URL", database_url)
    leased: _LeasedIds | None = None
    if ids is None:
        ids, leased = _ids_for(database_url, node_id)
    if replica_urls is None:
        replica_urls = replica_setting()
    backends = _Backends(clock, ids, replica_urls, database_options or {}, database_url)
    with backends.closed_on_failure():
        storage = backends.storage(database_url)
        if leased is not None:
            _lease_node(leased, database_url)

        catalog_at, catalog_db = backends.kept("COMMERCE_CATALOG_URL", catalog_url, CATALOGS,
                                               "catalog")
        catalog_sessions, activity = storage.catalog, storage.activity
        catalog_repair: Callable[[datetime], int] | None = None
        if catalog_db is None:  # a store of its own (MongoDB): it asks the database for stock
            part = backends.load(CATALOGS, catalog_at, "catalog")(catalog_at, clock,
                                                                  stock_lookup(storage))
            catalog_sessions, activity, catalog_repair = part.catalog, part.activity, part.repair
        elif catalog_db is not storage:
            raise ValueError(
                f"the catalog store {_shown(catalog_at)} is another SQL database: its listings "
                "could not see the stock rows they filter on; use the database (leave "
                "COMMERCE_CATALOG_URL unset) or MongoDB (mongodb://...)")
        cart_at, cart_db = backends.kept("COMMERCE_CART_URL", cart_url, CARTS, "cart store")
        prefix = prefix_setting(key_prefix)
        carts = (cart_db.carts if cart_db
                 else backends.load(CARTS, cart_at, "cart store")(cart_at, clock, prefix=prefix))
        sessions_at, sessions_db = backends.kept("COMMERCE_SESSIONS_URL", sessions_url,
                                                 SESSIONS, "sessions store")
        sessions = (Sessions(sessions_db.revocations, MemoryRateLimiter(clock)) if sessions_db
                    else backends.load(SESSIONS, sessions_at, "sessions store")(
                        sessions_at, clock, prefix=prefix))
        cache_at = part_url("COMMERCE_CACHE_URL", database_url, cache_url)
        cache: Cache = backends.load(CACHES, cache_at, "cache")(cache_at, clock)
        rankings: Rankings = backends.load(RANKINGS, cache_at, "rankings store")(cache_at, clock,
                                                                                 prefix)
        search_at, search_db = backends.kept("COMMERCE_SEARCH_URL", search_url,
                                             SEARCH_INDEXES, "search index")
        search: SearchIndex = (search_db.search if search_db is not None and search_db.search
                               else backends.load(SEARCH_INDEXES, search_at,
                                                  "search index")(search_at))
        bus: EventBus | None = None
        broker = False
        if publisher is None:
            events_at = part_url("COMMERCE_EVENTS_URL", database_url, events_url)
            publisher = bus = backends.load(EVENT_BUSES, events_at, "event bus")(events_at)
            # a broker's consumers are groups of their own (commerce worker --role ...)
            broker = scheme(events_at) != "memory"
        if gateway is None:
            gateway = open_gateway(setting("COMMERCE_PAYMENTS_URL", payments_url), database_url)
        if notifier is None:
            notify_url = setting("COMMERCE_NOTIFY_URL", notify_url)
            notifier = load(NOTIFIERS, notify_url, "notifier")(notify_url)
        key = _secret_key(secret_key)
        shop = Commerce(uow_factory=storage.uow_factory, catalog=catalog_sessions, carts=carts,
                        activity=activity, revocations=sessions.revocations,
                        limiter=sessions.limiter, cache=cache, rankings=rankings, search=search,
                        gateway=gateway,
                        publisher=publisher, hasher=password_hasher or Argon2Hasher(),
                        tokens=JwtTokens(key, clock=clock), notifier=notifier,
                        ids=ids,
                        clock=clock, rules=rules, retry_policy=retry_policy,
                        reservation_ttl=reservation_ttl, fraud_rules=fraud_rules,
                        carriers=carriers, token_ttl=token_ttl,
                        deliver_inline=_inline_delivery(event_delivery), key_prefix=prefix,
                        popular_searches=_popular(activity),
                        synonyms=synonyms if synonyms is not None else synonyms_setting(),
                        catalog_repair=catalog_repair, broker=broker,
                        webhook_sender=UrllibSender(),
                        carrier_secrets=(carrier_secrets if carrier_secrets is not None
                                         else carrier_secrets_setting()),
                        closers=backends.closers())
        # listing and search cursors are signed with keys of the shop's own, so no client can
        # forge one and every worker reads the others' (keys apart from the tokens' own)
        shop.catalog.cursor_key, shop.search.cursor_key = (
            hmac.new(key.encode(), purpose, hashlib.sha256).digest()
            for purpose in (b"listing cursors", b"search cursors"))
        if bus is not None and not broker:
            _subscribe(bus, shop)
    return shop


def _subscribe(bus: EventBus, shop: Commerce) -> None:
    """The shop's own handlers on the in-process bus (on a broker, workers run them)."""
    for event_type in NOTIFIED_EVENTS:
        bus.subscribe(event_type, shop.notifications.consume)
    for event_type in RANKED_EVENTS:
        bus.subscribe(event_type, shop.rankings.consume)
    for event_type in INDEXED_EVENTS:
        bus.subscribe(event_type, shop.search.indexer)
    bus.subscribe(DomainEvent, shop.webhooks)


def synonyms_setting() -> Synonyms:
    """``COMMERCE_SEARCH_SYNONYMS``: a file of synonym groups, one a line (``tv,
    television``); none when unset. ValueError naming the setting if it cannot be read."""
    path = os.environ.get("COMMERCE_SEARCH_SYNONYMS", "").strip()
    if not path:
        return Synonyms()
    try:
        with open(path, encoding="utf-8") as f:
            return Synonyms.parse(f.read())
    except OSError as ex:
        raise ValueError(f"COMMERCE_SEARCH_SYNONYMS: cannot read {path!r}: "
                         f"{ex.strerror}") from None


def _popular(activity: ActivityStore) -> PopularSearches | None:
    """The activity store, where it can rank what shoppers searched for."""
    return activity if isinstance(activity, PopularSearches) else None
