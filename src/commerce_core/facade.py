"""The ``Commerce`` object: every service wired to one set of adapters.

Built by ``commerce_adapters.connect()``; nothing here connects to anything by itself.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from types import TracebackType
from typing import Self

from commerce_core.accounts.policy import Actor
from commerce_core.accounts.ports import PasswordHasher, RevokedTokens, TokenService
from commerce_core.accounts.service import TOKEN_TTL, AccountService
from commerce_core.activity.ports import ActivityStore
from commerce_core.activity.service import ActivityService
from commerce_core.analytics.service import AnalyticsService
from commerce_core.bus.ports import EventPublisher
from commerce_core.cache.aside import CacheAside
from commerce_core.cache.invalidation import CacheInvalidation
from commerce_core.cache.keys import CacheKeys
from commerce_core.cache.ports import Cache
from commerce_core.cart.ports import CartStore
from commerce_core.cart.service import CartService
from commerce_core.catalog.ports import CatalogSessions
from commerce_core.catalog.service import CatalogService
from commerce_core.checkout.service import CheckoutService
from commerce_core.clock import Clock
from commerce_core.errors import CommerceError
from commerce_core.fraud.model import FraudRules
from commerce_core.fraud.screen import FraudScreen
from commerce_core.fraud.service import FraudService
from commerce_core.ids import IdGenerator
from commerce_core.inventory.model import RESERVATION_TTL
from commerce_core.inventory.service import InventoryService
from commerce_core.notifications.ports import Notifier
from commerce_core.notifications.service import NotificationService
from commerce_core.orders.service import OrderService
from commerce_core.payments.ports import PaymentGateway
from commerce_core.payments.refunds import RefundDesk
from commerce_core.payments.resilience import CircuitBreaker, ResilientGateway, RetryPolicy
from commerce_core.payments.service import PaymentService
from commerce_core.payments.webhooks import WebhookDesk
from commerce_core.pricing.coupons import Coupon
from commerce_core.pricing.rates import PricingRules
from commerce_core.pricing.service import CouponService
from commerce_core.rankings.ports import Rankings
from commerce_core.rankings.service import RankingService
from commerce_core.ratelimit.ports import RateLimiter
from commerce_core.reviews.service import ReviewService
from commerce_core.search.ports import SearchIndex
from commerce_core.search.service import PopularSearches, SearchService
from commerce_core.search.text import Synonyms
from commerce_core.sellers.service import SellerService
from commerce_core.settings.service import SettingsService
from commerce_core.shipping.callbacks import CarrierCallbacks
from commerce_core.shipping.ports import Carrier
from commerce_core.shipping.service import ShippingService
from commerce_core.shipping.table_rate import TableRateCarrier
from commerce_core.uow import OutboxRelay, Transactions, UnitOfWorkFactory
from commerce_core.webhooks.ports import WebhookSender
from commerce_core.webhooks.service import WebhookService
from commerce_core.wishlist.service import WishlistService

log = logging.getLogger(__name__)


class Commerce:
    """The SDK's entry point: ``shop.catalog``, ``shop.cart``, ``shop.checkout``, ..."""

    def __init__(self, *, uow_factory: UnitOfWorkFactory, catalog: CatalogSessions,
                 carts: CartStore, activity: ActivityStore, revocations: RevokedTokens,
                 limiter: RateLimiter, cache: Cache, rankings: Rankings,
                 search: SearchIndex,
                 gateway: PaymentGateway, publisher: EventPublisher,
                 hasher: PasswordHasher, tokens: TokenService, notifier: Notifier,
                 ids: IdGenerator, clock: Clock, rules: PricingRules | None = None,
                 retry_policy: RetryPolicy | None = None,
                 breaker: CircuitBreaker | None = None,
                 reservation_ttl: timedelta = RESERVATION_TTL,
                 fraud_rules: FraudRules | None = None,
                 carriers: Sequence[Carrier] | None = None,
                 token_ttl: timedelta = TOKEN_TTL, deliver_inline: bool = False,
                 key_prefix: str = "commerce:",
                 popular_searches: PopularSearches | None = None,
                 synonyms: Synonyms | None = None,
                 catalog_repair: Callable[[datetime], int] | None = None,
                 broker: bool = False, webhook_sender: WebhookSender | None = None,
                 carrier_secrets: Mapping[str, str] | None = None,
                 closers: Sequence[Callable[[], None]] = ()) -> None:
        # what close() lets go of: the connections, clients and threads of the parts this
        # shop's maker opened for it (in the order opened), never parts a caller handed in
        self._closers: list[Callable[[], None]] | None = list(closers)  # None: closed
        # a catalog store apart from the database repairs what a crash left of its own
        # writes (given the time before which a write is surely over); see docs/mongodb.md
        self._catalog_repair = catalog_repair
        self.rules = rules or PricingRules()
        self.clock = clock
        self.ids = ids
        self.publisher = publisher
        self.uow_factory = uow_factory
        self.catalog_sessions = catalog
        self.carts = carts
        self.limiter = limiter
        self.cache = cache
        self.search_index = search
        self.tx = tx = Transactions(uow_factory, catalog, publisher, clock.now,
                                    inline=deliver_inline)
        # cache-aside reads (the HTTP API's), dropped by every commit's events
        self.cached = CacheAside(cache, CacheKeys(key_prefix))
        self.cache_invalidation = CacheInvalidation(self.cached)
        tx.after_commit(self.cache_invalidation.handle)
        self.rankings = RankingService(rankings, tx, clock)
        self.gateway = ResilientGateway(
            gateway, retry_policy or RetryPolicy(),
            breaker or CircuitBreaker(clock.now, name="payment gateway"))
        refunds = RefundDesk(tx, self.gateway, ids, clock)
        self.revocations = revocations
        self.accounts = AccountService(tx, revocations, hasher, tokens, ids, clock, token_ttl)
        self.catalog = CatalogService(tx, ids, clock)
        self.inventory = InventoryService(tx, clock)
        # the rules given here are the defaults: stored settings override them section by
        # section (docs/checkout.md, "Settings as data")
        self.settings = SettingsService(tx, clock, self.rules, fraud_rules)
        self.coupons = CouponService(tx)
        self.cart = CartService(carts, tx, ids, clock, self.settings)
        self.checkout = CheckoutService(tx, carts, self.gateway, ids, clock, self.settings,
                                        reservation_ttl, FraudScreen(fraud_rules))
        self.payments = PaymentService(tx, refunds)
        self.payment_webhooks = WebhookDesk(tx, self.gateway, self.checkout, ids, clock)
        self.orders = OrderService(tx, self.checkout, refunds, clock)
        self.reviews = ReviewService(tx, ids, clock)
        self.wishlist = WishlistService(tx, self.cart, clock)
        self.activity = ActivityService(activity, clock)
        self.search = SearchService(search, self.tx, clock, self.activity, popular_searches,
                                    synonyms, catalog=self.catalog)
        self.catalog.text_search = self.search.listing
        self.sellers = SellerService(tx, refunds, clock)
        self.analytics = AnalyticsService(tx)
        self.fraud = FraudService(tx, self.orders, clock)
        self.shipping = ShippingService(tx, carriers or [TableRateCarrier(ids)], ids, clock)
        # carriers' signed tracking callbacks, one secret per carrier that sends them
        self.carrier_callbacks = CarrierCallbacks(self.shipping, carrier_secrets or {}, clock)
        self.notifications = NotificationService(tx, notifier, ids, clock)
        self.webhooks = WebhookService(tx, webhook_sender or _NoSender(), ids, clock)
        # a broker's relay claims its entries, so relays in several processes share them
        self.outbox = OutboxRelay(tx, uow_factory, clock.now,
                                  publisher=publisher if broker else None)

    def close(self, timeout: float = 10.0) -> None:
        """Deliver what this shop committed (waiting up to ``timeout`` seconds; what is
        still undelivered stays in the outbox for the relay), stamp it published, then let
        go of the connections, clients and threads of the parts opened for the shop, last
        opened first. Every part is closed even if one fails (the first failure is raised
        after). Closing again does nothing; the shop is not for use once closed."""
        closers, self._closers = self._closers, None
        if closers is None:
            return
        self.tx.drain(timeout)
        try:
            self.tx.flush_marks()
        except Exception:  # delivered all the same; the relay only delivers them again
            log.warning("could not stamp delivered events at close", exc_info=True)
        failure = close_each(closers)
        if failure is not None:
            raise failure

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()

    def add_coupon(self, actor: Actor, coupon: Coupon) -> Coupon:
        """Admins create any coupon; a seller only one scoped to their own products
        (``shop.coupons.create``; the rest of coupon management is on ``shop.coupons``)."""
        return self.coupons.create(actor, coupon)

    def health(self) -> dict[str, str]:
        """Each part that a request needs, "ok" or "down: why" (for ``/health``). The cache
        is the one part a request can do without (it is bypassed)."""
        def probe(check: Callable[[], object]) -> str:
            try:
                check()
            except (CommerceError, OSError) as ex:
                return f"down: {type(ex).__name__}"
            return "ok"

        def database() -> None:
            with self.tx.read() as uow:
                uow.outbox.pending(1)

        def catalog() -> None:
            with self.tx.catalog_read() as session:
                session.categories.all()
        return {"database": probe(database), "catalog": probe(catalog),
                "carts": probe(lambda: self.carts.get(0)),
                "sessions": probe(lambda: self.revocations.is_revoked("health-probe")),
                "cache": probe(self.cache.ping), "search": probe(self.search_index.state)}

    def run_maintenance(self) -> dict[str, int]:
        """One pass of the background work: expire reservations, recover stuck checkouts,
        retry pending refunds, repair catalog writes a crash cut short (and, for a catalog
        store apart such as MongoDB, its counters: ``repaired_catalog_counts``), relay
        unpublished events, send due notifications, forget expired token revocations.
        Returns what each step did."""
        done = {
            "expired_reservations": self.checkout.expire_reservations(),
            "recovered_checkouts": self.checkout.recover(),
            "retried_refunds": self.payments.retry_pending_refunds(),
            # before the relay: it drops what the stale notices' lost writes left behind
            "repaired_stock_rows": self.catalog.repair(
                self.outbox.stale(), self.clock.now() - self.outbox.grace),
            "relayed_events": self.outbox.run_once(),
        }
        if self._catalog_repair is not None:
            done["repaired_catalog_counts"] = self._catalog_repair(
                self.clock.now() - self.outbox.grace)
        delivered = self.notifications.deliver_due()  # after the relay: it may queue more
        hooks = self.webhooks.deliver_due()
        return {**done, "notifications_sent": delivered.sent,
                "notifications_failed": delivered.failed,
                "webhooks_sent": hooks["sent"], "webhooks_failed": hooks["failed"],
                "purged_revocations": self.accounts.purge_revocations()}


class _NoSender:
    """Without a sender, a delivery fails as unreachable (and is retried, then logged)."""

    def post(self, url: str, body: bytes, headers: object, timeout: float) -> int:
        raise ConnectionError("no webhook sender configured")


def close_each(closers: Sequence[Callable[[], None]]) -> Exception | None:
    """Call every closer, last first, even when one fails; the first failure, if any."""
    failure: Exception | None = None
    for close in reversed(closers):
        try:
            close()
        except Exception as ex:
            failure = failure or ex
    return failure
