"""The ``Commerce`` object: every service wired to one set of adapters.

Built by ``commerce_adapters.connect()``; nothing here connects to anything by itself.
"""

from __future__ import annotations

from datetime import timedelta

from commerce_core.cart.ports import CartStore
from commerce_core.cart.service import CartService
from commerce_core.catalog.service import CatalogService
from commerce_core.checkout.service import CheckoutService
from commerce_core.clock import Clock
from commerce_core.ids import IdGenerator
from commerce_core.inventory.model import RESERVATION_TTL
from commerce_core.inventory.service import InventoryService
from commerce_core.orders.service import OrderService
from commerce_core.payments.ports import PaymentGateway
from commerce_core.payments.resilience import CircuitBreaker, ResilientGateway, RetryPolicy
from commerce_core.payments.service import PaymentService
from commerce_core.pricing.coupons import Coupon
from commerce_core.pricing.rates import PricingRules
from commerce_core.uow import EventPublisher, OutboxRelay, Transactions, UnitOfWorkFactory


class Commerce:
    """The SDK's entry point: ``shop.catalog``, ``shop.cart``, ``shop.checkout``, ..."""

    def __init__(self, *, uow_factory: UnitOfWorkFactory, carts: CartStore,
                 gateway: PaymentGateway, publisher: EventPublisher, ids: IdGenerator,
                 clock: Clock, rules: PricingRules | None = None,
                 retry_policy: RetryPolicy | None = None,
                 breaker: CircuitBreaker | None = None,
                 reservation_ttl: timedelta = RESERVATION_TTL) -> None:
        self.rules = rules or PricingRules()
        self.clock = clock
        self.ids = ids
        self.publisher = publisher
        self.uow_factory = uow_factory
        self.carts = carts
        self.tx = Transactions(uow_factory, publisher, clock.now)
        self.gateway = ResilientGateway(
            gateway, retry_policy or RetryPolicy(),
            breaker or CircuitBreaker(clock.now, name="payment gateway"))
        self.catalog = CatalogService(self.tx, ids, clock)
        self.inventory = InventoryService(self.tx, clock)
        self.cart = CartService(carts, self.tx, ids, clock, self.rules)
        self.checkout = CheckoutService(self.tx, carts, self.gateway, ids, clock, self.rules,
                                        reservation_ttl)
        self.payments = PaymentService(self.tx, self.gateway, ids, clock)
        self.orders = OrderService(self.tx, self.checkout, self.payments, clock)
        self.outbox = OutboxRelay(self.tx, uow_factory)

    def add_coupon(self, coupon: Coupon) -> Coupon:
        with self.tx() as uow:
            uow.coupons.add(coupon)
        return coupon

    def run_maintenance(self) -> dict[str, int]:
        """One pass of the background work: expire reservations, recover stuck checkouts,
        retry pending refunds, relay unpublished events. Returns what each step did."""
        return {
            "expired_reservations": self.checkout.expire_reservations(),
            "recovered_checkouts": self.checkout.recover(),
            "retried_refunds": self.payments.retry_pending_refunds(),
            "relayed_events": self.outbox.run_once(),
        }
