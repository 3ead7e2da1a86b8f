"""The checkout saga (seed: Order Creation Workflow, Saga Pattern).

1. reserve (one transaction): check the cart against the catalog, price it, reserve every
   line, redeem the coupon, create the PENDING order and the saga record.
2. start payment: a PROCESSING payment whose key the gateway dedupes on; in step 1's own
   transaction when the order is placed with a card, in its own when paid later.
3. charge, outside any transaction, retried and behind a circuit breaker.
4. complete (one transaction): payment COMPLETED, order CONFIRMED, reserved stock sold.
   Or compensate (one transaction): payment FAILED, stock released, coupon given back,
   order CANCELLED.

Each step is committed before the next starts, so :meth:`CheckoutService.recover` can finish
or compensate any checkout a crash left behind, asking the gateway what became of a charge.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, NoReturn

import attrs

from commerce_core.accounts.policy import Action, Actor, authorize
from commerce_core.address import Address
from commerce_core.cart.model import Cart
from commerce_core.cart.ports import CartStore
from commerce_core.cart.service import coupon_ancestors, price_cart
from commerce_core.checkout.model import PAYABLE, Checkout, CheckoutState
from commerce_core.clock import Clock
from commerce_core.errors import (
    CommerceError,
    Conflict,
    InsufficientStock,
    InvalidTransition,
    NotFound,
    PaymentDeclined,
    PriceChanged,
    Unavailable,
    ValidationError,
)
from commerce_core.events import (
    DomainEvent,
    OrderCancelled,
    OrderConfirmed,
    OrderPlaced,
    PaymentConfirmed,
    PaymentFailed,
    PaymentRequiresAction,
    ReservationExpired,
)
from commerce_core.fraud.model import FraudStatus
from commerce_core.fraud.screen import FraudScreen
from commerce_core.idempotency import IdempotencyRecord, check_key, replay, request_hash
from commerce_core.ids import IdGenerator, format_order_number
from commerce_core.inventory.model import (
    RESERVATION_TTL,
    Reservation,
    ReservationLine,
    ReservationStatus,
    StockItem,
)
from commerce_core.inventory.service import stock_events
from commerce_core.orders.model import Order, OrderItem, OrderStatus, PaymentStatus
from commerce_core.payments.model import Payment, PaymentState
from commerce_core.payments.ports import (
    ChargeRequest,
    ChargeResult,
    ChargeStatus,
    GatewayEvent,
    GatewayEventKind,
    PaymentGateway,
)
from commerce_core.pricing.coupons import Coupon
from commerce_core.pricing.rates import PricingRules
from commerce_core.uow import Transactions, UnitOfWork

log = logging.getLogger(__name__)


@attrs.frozen
class CheckoutResult:
    order: Order
    payment: Payment | None

    @property
    def requires_action(self) -> bool:
        return self.payment is not None and self.payment.status is PaymentState.REQUIRES_ACTION


def _stock_moved(items: Sequence[StockItem], deltas: Mapping[int, int], reason: str,
                 uow: UnitOfWork, now: Any) -> None:
    """Record stock events; ``deltas`` is how much each variant's available went up."""
    for item in items:
        uow.record(*stock_events(item, item.available - deltas.get(item.variant_id, 0),
                                 reason, now))


class CheckoutService:
    def __init__(self, tx: Transactions, carts: CartStore, gateway: PaymentGateway,
                 ids: IdGenerator, clock: Clock, rules: PricingRules,
                 reservation_ttl: timedelta = RESERVATION_TTL,
                 fraud: FraudScreen | None = None) -> None:
        self._tx = tx
        self._fraud = fraud or FraudScreen()
        self._carts = carts
        self._gateway = gateway
        self._ids = ids
        self._clock = clock
        self._rules = rules
        self._ttl = reservation_ttl

    # Public use cases ----------------------------------------------------------------------
    def place_order(self, actor: Actor, shipping_address: Address,
                    billing_address: Address | None = None, *,
                    payment_token: str | None = None, payment_method: str = "card",
                    idempotency_key: str | None = None) -> CheckoutResult:
        """Turn the user's cart into an order and, given a token, pay for it.

        Without a token the order waits (PENDING, stock held until the reservation expires)
        for :meth:`pay`. Raises PriceChanged, InsufficientStock, a coupon ValidationError
        (nothing changed), PaymentDeclined (order cancelled, stock released), or Unavailable
        when the gateway cannot be reached (the charge is voided, or settled by recover()).
        The same ``idempotency_key`` with the same request returns the first outcome.
        """
        authorize(actor, Action.BUY, actor.user_id)
        user_id = actor.user_id
        billing = billing_address or shipping_address
        fingerprint = request_hash({"user": user_id, "ship": shipping_address.as_dict(),
                                    "bill": billing.as_dict(), "token": payment_token,
                                    "method": payment_method})
        scope = f"checkout:{user_id}"
        key = check_key(idempotency_key) if idempotency_key is not None else None
        if key is not None:
            earlier = self._replay(scope, key, fingerprint)
            if earlier is not None:
                return earlier
        try:
            checkout, cart, order, payment = self._reserve(
                user_id, shipping_address, billing, payment_method, payment_token is None,
                (scope, key, fingerprint))
        except (Conflict, ValidationError):
            # A concurrent request with this key may have won the race: its order holds the
            # stock (Conflict on the key) or its checkout already emptied the cart.
            if key is not None:
                earlier = self._replay(scope, key, fingerprint)
                if earlier is not None:
                    return earlier
            raise
        if payment_token is None or payment is None:
            return CheckoutResult(order, None)
        return self._charge(checkout.id, payment, order, payment_token, cart)

    def pay(self, actor: Actor, order_id: int, payment_token: str,
            payment_method: str = "card", idempotency_key: str | None = None) -> CheckoutResult:
        """Pay for an order placed without a token (POST /payments/{order_id}/process)."""
        scope = f"pay:{order_id}"
        fingerprint = request_hash({"order": order_id, "token": payment_token,
                                    "method": payment_method})
        key = check_key(idempotency_key) if idempotency_key is not None else None
        if key is not None:
            earlier = self._replay(scope, key, fingerprint)
            if earlier is not None:
                return earlier
        with self._tx.read() as uow:
            order = uow.orders.get(order_id)
            authorize(actor, Action.BUY, order.user_id, f"order {order_id}")
            checkout = uow.checkouts.for_order(order_id)
        if checkout.state not in PAYABLE:
            raise InvalidTransition(f"order {order.number} is not awaiting payment",
                                    {"state": checkout.state.value})
        try:
            return self._pay(checkout.id, payment_token, payment_method,
                             (scope, key, fingerprint))
        except Conflict:
            if key is not None:  # a concurrent request with this key is paying already
                earlier = self._replay(scope, key, fingerprint)
                if earlier is not None:
                    return earlier
            raise

    def handle_gateway_event(self, event: GatewayEvent) -> CheckoutResult:
        """Settle a charge that waited for the customer (a verified webhook)."""
        with self._tx.read() as uow:
            payment = uow.payments.by_transaction(event.transaction_id)
            checkout = uow.checkouts.for_order(payment.order_id)
        if payment.status is PaymentState.COMPLETED or checkout.state is CheckoutState.COMPLETED:
            return self._result(payment.order_id)  # a webhook delivered twice
        if event.kind is GatewayEventKind.CHARGE_SUCCEEDED:
            result = ChargeResult(ChargeStatus.SUCCEEDED, event.transaction_id,
                                  raw={"event": event.kind.value})
            return self._complete(checkout.id, result)
        self._compensate(checkout.id, "payment_declined", event.reason or "payment failed",
                         {"event": event.kind.value})
        return self._result(payment.order_id)

    def cancel_pending(self, order_id: int, reason: str) -> Order:
        """Cancel an unpaid order: release its stock and coupon (the saga ends CANCELLED)."""
        with self._tx.read() as uow:
            checkout = uow.checkouts.for_order(order_id)
        if checkout.state is CheckoutState.PAYMENT_STARTED:
            raise Conflict("a payment for this order is in progress; try again shortly")
        self._compensate(checkout.id, "cancelled", reason, {},
                         target=CheckoutState.CANCELLED)
        return self._result(order_id).order

    def expire_reservations(self, limit: int = 100) -> int:
        """Release reservations past their deadline and cancel their unpaid orders.

        Checkouts whose charge is in flight are left to :meth:`recover`, which asks the
        gateway first. Returns how many reservations were expired.
        """
        now = self._clock.now()
        with self._tx.read() as uow:
            due = list(uow.inventory.due_reservations(now, limit))
        expired = 0
        for reservation in due:
            try:
                expired += self._expire(reservation)
            except (Conflict, NotFound):
                continue  # finished or expired by someone else meanwhile
        return expired

    def recover(self, older_than: timedelta = timedelta(minutes=1), limit: int = 100) -> int:
        """Finish or compensate checkouts a crash left between steps; how many it settled."""
        cutoff = self._clock.now() - older_than
        with self._tx.read() as uow:
            stuck = list(uow.checkouts.stuck(
                (CheckoutState.RESERVED, CheckoutState.PAYMENT_STARTED), cutoff, limit))
        settled = 0
        for checkout in stuck:
            try:
                settled += self._recover_one(checkout)
            except Unavailable:
                log.warning("gateway still unreachable for checkout %s", checkout.id)
            except (Conflict, NotFound):
                continue
        return settled

    # Step 1: reserve ------------------------------------------------------------------------
    def _reserve(self, user_id: int, ship: Address, bill: Address, method: str,
                 pay_later: bool, idem: tuple[str, str | None, str]
                 ) -> tuple[Checkout, Cart, Order, Payment | None]:
        """Steps 1 and 2 in one transaction when the card is known: a crash after it leaves
        a PAYMENT_STARTED checkout whose charge recover() finds never happened."""
        cart = self._carts.get(user_id)
        if cart is None or not cart.lines:
            raise ValidationError("the cart is empty", {"cart": "empty"})
        now = self._clock.now()
        self._check_prices(cart)
        with self._tx() as uow:
            coupon = self._usable_coupon(uow, cart, user_id)
            totals = price_cart(cart, self._rules, coupon, coupon_ancestors(self._tx, coupon),
                                ship)
            order_id = self._ids.next_id()
            number = format_order_number(now.year,
                                         uow.sequences.next_value(f"order_number:{now.year}"))
            reservation = Reservation(self._ids.next_id(),
                                      tuple(ReservationLine(line.variant_id, line.quantity)
                                            for line in cart.lines),
                                      now + self._ttl, now, order_id)
            try:
                held = uow.inventory.reserve(reservation, now)
            except InsufficientStock as ex:
                raise _named(ex, cart) from None
            if coupon is not None:
                uow.coupons.redeem(coupon.code, user_id, order_id, now)
            items = [OrderItem(self._ids.next_id(), line.product_id, line.variant_id, line.sku,
                               line.product_name, line.seller_id, line.quantity,
                               line.unit_price, priced.subtotal, priced.discount, priced.tax,
                               category_id=line.category_id)
                     for line, priced in zip(cart.lines, totals.lines, strict=True)]
            order = Order(order_id, number, user_id, totals.currency, items, totals.subtotal,
                          totals.discount, totals.shipping, totals.tax, ship, bill, now, now,
                          coupon_code=totals.coupon_code, payment_method=method)
            order.note("ORDER_PLACED", now)
            check = self._fraud.screen(uow, order)
            if check.status is FraudStatus.HELD:  # on the timeline from the start
                order.note("HELD_FOR_REVIEW", now, ", ".join(check.signals))
            uow.orders.add(order)
            checkout = Checkout(self._ids.next_id(), user_id, order_id, reservation.id,
                                CheckoutState.AWAITING_PAYMENT if pay_later
                                else CheckoutState.RESERVED, now, now,
                                coupon_code=totals.coupon_code)
            payment = None if pay_later else self._new_payment(uow, checkout, order, method,
                                                               now)
            uow.checkouts.add(checkout)
            scope, key, fingerprint = idem
            if key is not None:
                uow.idempotency.add(IdempotencyRecord(scope, key, fingerprint,
                                                      {"order_id": order_id}, now))
            uow.record(OrderPlaced(occurred_at=now, order_id=order_id, order_number=number,
                                   user_id=user_id, total=order.total))
            _stock_moved(held, {line.variant_id: -line.quantity for line in reservation.lines},
                         "reserved", uow, now)
        return checkout, cart, order, payment

    def _check_prices(self, cart: Cart) -> None:
        # a snapshot of the catalog, not a lock: checkouts of one product must not queue on
        # its row; a price changed after it is the price the buyer saw and agreed to
        with self._tx.catalog_read() as catalog:
            offers = catalog.products.offers([line.variant_id for line in cart.lines])
        gone, changed = [], []
        for line in cart.lines:
            offer = offers.get(line.variant_id)
            if offer is None or not offer.on_sale:
                gone.append(line.product_name)
            elif offer.price != line.unit_price:
                changed.append({"cart_item_id": line.id, "product_id": line.product_id,
                                "product_name": line.product_name, "sku": line.sku,
                                "old_price": line.unit_price.amount,
                                "new_price": offer.price.amount})
        if gone:
            raise ValidationError(f"no longer available: {', '.join(gone)}",
                                  {"items": {"unavailable": gone}})
        if changed:
            raise PriceChanged(changed)

    def _usable_coupon(self, uow: UnitOfWork, cart: Cart, user_id: int) -> Coupon | None:
        if not cart.coupon_code:
            return None
        coupon = uow.coupons.get(cart.coupon_code)
        coupon.check_usable(self._clock.now(), uow.coupons.uses_by(coupon.code, user_id))
        return coupon

    # Steps 2-3: payment ---------------------------------------------------------------------
    def _pay(self, checkout_id: int, token: str, method: str,
             idem: tuple[str, str | None, str] | None = None) -> CheckoutResult:
        payment, order = self._start_payment(checkout_id, method, idem)
        return self._charge(checkout_id, payment, order, token, None)

    def _charge(self, checkout_id: int, payment: Payment, order: Order, token: str,
                cart: Cart | None) -> CheckoutResult:
        request = ChargeRequest(payment.amount, token, payment.idempotency_key,
                                f"order {payment.order_id}", {"order_id": str(payment.order_id)})
        try:
            result = self._gateway.charge(request)
        except Unavailable as ex:
            return self._gateway_unavailable(checkout_id, payment, ex)
        return self._settle(checkout_id, result, order, cart)

    def _start_payment(self, checkout_id: int, method: str,
                       idem: tuple[str, str | None, str] | None) -> tuple[Payment, Order]:
        now = self._clock.now()
        with self._tx() as uow:
            checkout = uow.checkouts.get(checkout_id)
            order = uow.orders.get(checkout.order_id)
            payment = self._new_payment(uow, checkout, order, method, now)
            uow.checkouts.update(checkout)
            if idem is not None and idem[1] is not None:
                uow.idempotency.add(IdempotencyRecord(idem[0], idem[1], idem[2],
                                                      {"order_id": order.id}, now))
        return payment, order

    def _new_payment(self, uow: UnitOfWork, checkout: Checkout, order: Order, method: str,
                     now: datetime) -> Payment:
        """A PROCESSING payment whose key the gateway dedupes on; the checkout moves to
        PAYMENT_STARTED (the caller stores it)."""
        checkout.move(CheckoutState.PAYMENT_STARTED, now, *PAYABLE)
        payment_id = self._ids.next_id()
        payment = Payment(payment_id, order.id, order.user_id, order.total,
                          f"pay_{payment_id}", now, now, method=method)
        uow.payments.add(payment)
        checkout.payment_id = payment_id
        return payment

    def _settle(self, checkout_id: int, result: ChargeResult, order: Order | None = None,
                cart: Cart | None = None) -> CheckoutResult:
        if result.status is ChargeStatus.SUCCEEDED:
            return self._complete(checkout_id, result, order, cart)
        if result.status is ChargeStatus.REQUIRES_ACTION:
            return self._await_action(checkout_id, result)
        order = self._compensate(checkout_id, "payment_declined",
                                 result.decline_reason or "card declined", dict(result.raw))
        raise PaymentDeclined(f"payment declined: {result.decline_reason or 'card declined'}",
                              {"order_id": order.id, "order_number": order.number,
                               "reason": result.decline_reason})

    def _gateway_unavailable(self, checkout_id: int, payment: Payment,
                             ex: Unavailable) -> CheckoutResult:
        """The charge's fate is unknown: void it if we can, then compensate; else leave it
        PAYMENT_STARTED for recover() to settle with the gateway later."""
        try:
            self._gateway.void(payment.idempotency_key)
        except Unavailable:
            raise Unavailable("the payment gateway is unavailable; the order will be settled "
                              "automatically once it answers",
                              {"order_id": payment.order_id}) from ex
        order = self._compensate(checkout_id, "gateway_unavailable", ex.message, {})
        raise Unavailable("the payment gateway is unavailable; the order was cancelled and "
                          "nothing was charged",
                          {"order_id": order.id, "order_number": order.number}) from ex

    def _await_action(self, checkout_id: int, result: ChargeResult) -> CheckoutResult:
        now = self._clock.now()
        with self._tx() as uow:
            checkout = uow.checkouts.get(checkout_id)
            checkout.move(CheckoutState.AWAITING_ACTION, now, CheckoutState.PAYMENT_STARTED)
            payment = self._payment(uow, checkout)
            payment.require_action(result.transaction_id, dict(result.raw), now)
            uow.payments.update(payment)
            uow.checkouts.update(checkout)
            uow.record(PaymentRequiresAction(occurred_at=now, order_id=checkout.order_id,
                                             payment_id=payment.id, user_id=checkout.user_id))
        return self._result(checkout.order_id)

    # Step 4: complete or compensate ---------------------------------------------------------
    def _complete(self, checkout_id: int, result: ChargeResult, order: Order | None = None,
                  cart: Cart | None = None) -> CheckoutResult:
        """``order`` and ``cart``: as this request's own earlier steps read them (saves
        reading them again)."""
        if order is None:
            with self._tx.read() as uow:
                checkout = uow.checkouts.get(checkout_id)
                order = uow.orders.get(checkout.order_id)
            live = checkout.state in (CheckoutState.PAYMENT_STARTED,
                                      CheckoutState.AWAITING_ACTION)
        else:
            live = True  # this request just started the payment; re-checked below
        if live:  # bought lines leave the cart first: a crash after this still completes
            self._remove_bought(order, cart)
        now = self._clock.now()
        with self._tx() as uow:
            checkout = uow.checkouts.get(checkout_id)
            if checkout.state not in (CheckoutState.PAYMENT_STARTED,
                                      CheckoutState.AWAITING_ACTION):
                late = True  # compensated meanwhile (expiry, recovery): give the money back
            else:
                late = False
                payment = self._payment(uow, checkout)
                payment.succeed(result.transaction_id or "", dict(result.raw), now)
                order = uow.orders.get(checkout.order_id)
                order.note("PAYMENT_CONFIRMED", now, result.transaction_id or "")
                order.confirm(now)
                sold = uow.inventory.commit(checkout.reservation_id, now)
                checkout.move(CheckoutState.COMPLETED, now, CheckoutState.PAYMENT_STARTED,
                              CheckoutState.AWAITING_ACTION)
                uow.payments.update(payment)
                uow.orders.update(order)
                uow.checkouts.update(checkout)
                uow.record(
                    PaymentConfirmed(occurred_at=now, order_id=order.id, payment_id=payment.id,
                                     user_id=order.user_id, amount=payment.amount,
                                     transaction_id=payment.transaction_id or ""),
                    OrderConfirmed(occurred_at=now, order_id=order.id, user_id=order.user_id))
                _stock_moved(sold, {}, "sold", uow, now)
        if late:
            self._void_late_charge(checkout)
        return CheckoutResult(order, payment)  # as committed: no need to read them again

    def _remove_bought(self, order: Order, cart: Cart | None) -> None:
        """Take the order's variants out of the cart; ``cart`` as read at reservation, read
        again once if it changed since."""
        for _ in range(2):
            cart = cart or self._carts.get(order.user_id)
            if cart is None:
                return
            cart.remove_variants({i.variant_id for i in order.items}, self._clock.now())
            try:
                self._carts.save(cart)
                return
            except Conflict:
                cart = None  # changed meanwhile (another tab): apply to the current cart
        log.info("cart of user %s keeps changing; bought lines left in it", order.user_id)

    def _void_late_charge(self, checkout: Checkout) -> NoReturn:
        with self._tx.read() as uow:
            payment = self._payment(uow, checkout)
        log.warning("charge for checkout %s arrived after it ended as %s; voiding",
                    checkout.id, checkout.state)
        self._gateway.void(payment.idempotency_key)
        raise Conflict("the order was cancelled before the payment went through; "
                       "the charge has been reversed", {"order_id": checkout.order_id})

    def _compensate(self, checkout_id: int, code: str, message: str,
                    response: dict[str, Any],
                    target: CheckoutState = CheckoutState.FAILED) -> Order:
        now = self._clock.now()
        with self._tx() as uow:
            checkout = uow.checkouts.get(checkout_id)
            checkout.fail(code, message, now, target)
            order = uow.orders.get(checkout.order_id)
            status = (ReservationStatus.EXPIRED if target is CheckoutState.EXPIRED
                      else ReservationStatus.RELEASED)
            released = uow.inventory.release(checkout.reservation_id, now, status)
            reservation = uow.inventory.get_reservation(checkout.reservation_id)
            if checkout.coupon_code:
                uow.coupons.release(checkout.coupon_code, order.id)
            events: list[DomainEvent] = []
            if checkout.payment_id is not None:
                payment = uow.payments.get(checkout.payment_id)
                if payment.status in (PaymentState.PROCESSING, PaymentState.REQUIRES_ACTION):
                    payment.fail(message, response, now)
                    uow.payments.update(payment)
                    order.payment_status = PaymentStatus.FAILED
                    order.note("PAYMENT_FAILED", now, message)
                    events.append(PaymentFailed(occurred_at=now, order_id=order.id,
                                                payment_id=payment.id, user_id=order.user_id,
                                                reason=message))
            if order.status is OrderStatus.PENDING:
                order.cancel(now, message)
                events.append(OrderCancelled(occurred_at=now, order_id=order.id,
                                             user_id=order.user_id, reason=message))
            uow.orders.update(order)
            uow.checkouts.update(checkout)
            uow.record(*events)
            _stock_moved(released, {line.variant_id: line.quantity
                                    for line in reservation.lines}, "released", uow, now)
        return order

    def _expire(self, reservation: Reservation) -> int:
        if reservation.order_id is None:
            return self._expire_bare(reservation)
        with self._tx.read() as uow:
            checkout = uow.checkouts.for_order(reservation.order_id)
            payment_key = None
            if checkout.state is CheckoutState.AWAITING_ACTION:
                payment_key = self._payment(uow, checkout).idempotency_key
        if checkout.state is CheckoutState.PAYMENT_STARTED:
            return 0
        self._compensate(checkout.id, "reservation_expired",
                         "the reservation expired before payment", {},
                         target=CheckoutState.EXPIRED)
        if payment_key is not None:
            try:  # the customer never finished 3-D Secure; make sure nothing is captured
                self._gateway.void(payment_key)
            except Unavailable:
                log.warning("could not void %s; a late success will be voided then",
                            payment_key)
        return 1

    def _expire_bare(self, reservation: Reservation) -> int:
        now = self._clock.now()
        with self._tx() as uow:
            released = uow.inventory.release(reservation.id, now, ReservationStatus.EXPIRED)
            if released:
                uow.record(ReservationExpired(occurred_at=now, reservation_id=reservation.id,
                                              order_id=None))
                _stock_moved(released, {ln.variant_id: ln.quantity
                                        for ln in reservation.lines}, "expired", uow, now)
        return 1 if released else 0

    def _recover_one(self, checkout: Checkout) -> int:
        if checkout.state is CheckoutState.RESERVED:  # died before any charge was sent
            self._compensate(checkout.id, "abandoned", "checkout interrupted before payment",
                             {})
            return 1
        with self._tx.read() as uow:
            payment = self._payment(uow, checkout)
        result = self._gateway.lookup(payment.idempotency_key)
        if result is None:
            self._compensate(checkout.id, "abandoned", "checkout interrupted; no charge made",
                             {})
            return 1
        with contextlib.suppress(PaymentDeclined):  # compensated; nothing to tell anyone
            self._settle(checkout.id, result)
        return 1

    # Helpers --------------------------------------------------------------------------------
    def _payment(self, uow: UnitOfWork, checkout: Checkout) -> Payment:
        if checkout.payment_id is None:
            raise NotFound(f"checkout {checkout.id} has no payment")
        return uow.payments.get(checkout.payment_id)

    def _result(self, order_id: int) -> CheckoutResult:
        with self._tx.read() as uow:
            order = uow.orders.get(order_id)
            payments = uow.payments.for_order(order_id)
        return CheckoutResult(order, payments[-1] if payments else None)

    def _replay(self, scope: str, key: str, fingerprint: str) -> CheckoutResult | None:
        with self._tx.read() as uow:
            record = uow.idempotency.get(scope, key)
            if record is None:
                return None
            order_id = int(replay(record, fingerprint)["order_id"])
            checkout = uow.checkouts.for_order(order_id)
        if checkout.state is CheckoutState.FAILED and checkout.failure_code == "payment_declined":
            raise PaymentDeclined(f"payment declined: {checkout.failure_message}",
                                  {"order_id": order_id, "reason": checkout.failure_message})
        return self._result(order_id)


def _named(ex: InsufficientStock, cart: Cart) -> CommerceError:
    """Add SKUs and product names from the cart to the inventory's short lines."""
    by_variant = {line.variant_id: line for line in cart.lines}
    lines = []
    for short in ex.lines:
        line = by_variant.get(short["variant_id"])
        lines.append({**short, "sku": line.sku if line else None,
                      "product_name": line.product_name if line else None})
    return InsufficientStock(lines)
