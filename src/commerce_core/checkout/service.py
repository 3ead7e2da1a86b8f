"""The checkout saga's use cases (seed: Order Creation Workflow, Saga Pattern).

A card checkout is two transactions with the charge between them:

1. place (``place.py``): cart read and priced, stock reserved, fraud screened, the PENDING
   order, the saga record and the PROCESSING payment, in one transaction;
2. charge (``pay.py``), outside any transaction, retried and behind a circuit breaker;
3. complete or compensate (``complete.py``), in one transaction.

The saga record's state (``model.py``, a table of allowed moves) is stored before and after
the charge, so :func:`recover.recover` can finish or compensate any checkout a crash left
behind, asking the gateway what became of its charge.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from commerce_core.accounts.policy import Action, Actor, authorize
from commerce_core.address import Address
from commerce_core.cart.ports import CartStore
from commerce_core.checkout import recover as recovery
from commerce_core.checkout.complete import compensate, complete
from commerce_core.checkout.model import CHARGING, PAYABLE, CheckoutState
from commerce_core.checkout.pay import charge, start_payment
from commerce_core.checkout.place import place
from commerce_core.checkout.saga import (
    CheckoutResult,
    Held,
    Saga,
    idempotent,
    load,
    read_result,
)
from commerce_core.clock import Clock
from commerce_core.errors import Conflict, InvalidTransition, NotFound, ValidationError
from commerce_core.fraud.screen import FraudScreen
from commerce_core.idempotency import check_key, request_hash
from commerce_core.ids import IdGenerator
from commerce_core.inventory.model import RESERVATION_TTL
from commerce_core.orders.model import Order
from commerce_core.payments.model import Payment
from commerce_core.payments.ports import (
    ChargeResult,
    ChargeStatus,
    GatewayEvent,
    GatewayEventKind,
    PaymentGateway,
)
from commerce_core.settings.service import SettingsService
from commerce_core.uow import Transactions, UnitOfWork

__all__ = ["CheckoutResult", "CheckoutService"]


class CheckoutService:
    def __init__(self, tx: Transactions, carts: CartStore, gateway: PaymentGateway,
                 ids: IdGenerator, clock: Clock, settings: SettingsService,
                 reservation_ttl: timedelta = RESERVATION_TTL,
                 fraud: FraudScreen | None = None) -> None:
        self._saga = Saga(tx, carts, gateway, ids, clock, settings, reservation_ttl,
                          fraud or FraudScreen())

    def place_order(self, actor: Actor, shipping_address: Address,
                    billing_address: Address | None = None, *,
                    payment_token: str | None = None, payment_method: str = "card",
                    idempotency_key: str | None = None,
                    coupon_code: str | None = None) -> CheckoutResult:
        """Turn the user's cart into an order and, given a token, pay for it.

        ``coupon_code`` (the seed's field at order time) prices the order as if it had been
        applied to the cart just before, in place of any the cart holds; a bad one is a
        ValidationError naming ``coupon_code`` and nothing is placed.

        Without a token the order waits (PENDING, stock held until the reservation expires)
        for :meth:`pay`. Raises PriceChanged, InsufficientStock, a coupon ValidationError
        (nothing changed), PaymentDeclined (order cancelled, stock released), or Unavailable
        when the gateway cannot be reached (the charge is voided, or settled by recover()).
        The same ``idempotency_key`` with the same request returns the first outcome.
        """
        authorize(actor, Action.BUY, actor.user_id)
        user_id = actor.user_id
        billing = billing_address or shipping_address
        request = {"user": user_id, "ship": _fingerprinted(shipping_address),
                   "bill": _fingerprinted(billing), "token": payment_token,
                   "method": payment_method}
        if coupon_code is not None:  # only then: keys stored before it keep their hash
            request["coupon"] = coupon_code
        fingerprint = request_hash(request)
        idem = (f"checkout:{user_id}", _key(idempotency_key), fingerprint)

        def start() -> Held:
            return place(self._saga, user_id, shipping_address, billing, payment_method,
                         payment_token is None, idem, coupon_code)

        def finish(held: Held) -> CheckoutResult:
            if payment_token is None:
                return held.result()
            return charge(self._saga, held, payment_token)
        return idempotent(self._saga.tx, idem, start, finish)

    def pay(self, actor: Actor, order_id: int, payment_token: str,
            payment_method: str = "card", idempotency_key: str | None = None, *,
            amount: Decimal | None = None, currency: str | None = None) -> CheckoutResult:
        """Pay for an order placed without a token (POST /payments/{order_id}/process).

        ``amount`` (and ``currency``), when the client states what it means to pay, must be
        the order's total: a ValidationError otherwise, nothing charged."""
        fingerprint = request_hash({"order": order_id, "token": payment_token,
                                    "method": payment_method,
                                    "amount": None if amount is None else str(amount),
                                    "currency": currency})
        # the payer in the scope: a key replays only its own user's outcome
        idem = (f"pay:{actor.user_id}:{order_id}", _key(idempotency_key), fingerprint)

        def start() -> Held:
            with self._saga.tx.read() as uow:
                order = uow.orders.get(order_id)
                authorize(actor, Action.BUY, order.user_id, f"order {order_id}")
                _check_amount(order, amount, currency)
                held = load(uow, uow.checkouts.for_order(order_id))
            if held.checkout.state not in PAYABLE:
                raise InvalidTransition(f"order {order.number} is not awaiting payment",
                                        {"state": held.checkout.state.value})
            return start_payment(self._saga, held, payment_method, idem)
        return idempotent(self._saga.tx, idem, start,
                          lambda held: charge(self._saga, held, payment_token))

    def handle_gateway_event(self, event: GatewayEvent) -> CheckoutResult | None:
        """Settle a checkout from a verified webhook about its charge; None if no payment
        of this shop made that charge (a gateway account may serve other applications).

        A success completes a checkout still charging (also one stuck after the charge);
        one already completed with this charge is a repeat, answered with its outcome; one
        compensated meanwhile has the charge reversed (Conflict). A failure compensates a
        checkout still charging and is otherwise a repeat."""
        with self._saga.tx.read() as uow:
            payment = _payment_for(uow, event)
            if payment is None:
                return None
            held = load(uow, uow.checkouts.for_order(payment.order_id))
        if event.kind is GatewayEventKind.PAYMENT_SUCCEEDED:
            result = ChargeResult(ChargeStatus.SUCCEEDED, event.transaction_id,
                                  raw={"event": event.id, "type": event.kind.value})
            return complete(self._saga, held, result)
        if held.checkout.state in CHARGING:
            compensate(self._saga, held, "payment_declined", event.reason or "payment failed",
                       {"event": event.id, "type": event.kind.value})
        return read_result(self._saga.tx, payment.order_id)

    def cancel_pending(self, order_id: int, reason: str) -> Order:
        """Cancel an unpaid order: release its stock and coupon (the saga ends CANCELLED)."""
        with self._saga.tx.read() as uow:
            held = load(uow, uow.checkouts.for_order(order_id))
        if held.checkout.state is CheckoutState.PAYMENT_STARTED:
            raise Conflict("a payment for this order is in progress; try again shortly")
        return compensate(self._saga, held, "cancelled", reason, {},
                          target=CheckoutState.CANCELLED)

    def expire_reservations(self, limit: int = 100) -> int:
        """Release reservations past their deadline and cancel their unpaid orders.

        Checkouts whose charge is in flight are left to :meth:`recover`, which asks the
        gateway first. Returns how many reservations were expired.
        """
        return recovery.expire(self._saga, limit)

    def recover(self, older_than: timedelta = timedelta(minutes=1), limit: int = 100) -> int:
        """Finish or compensate checkouts a crash left between steps; how many it settled."""
        return recovery.recover(self._saga, older_than, limit)


def _payment_for(uow: UnitOfWork, event: GatewayEvent) -> Payment | None:
    """The payment an event is about: by its transaction id, else (a charge whose answer
    was lost, so its id was never stored) by the order and key its metadata names."""
    try:
        return uow.payments.by_transaction(event.transaction_id)
    except NotFound:
        pass
    if event.order_id is None or not event.idempotency_key:
        return None
    try:
        payments = uow.payments.for_order(event.order_id)
    except NotFound:
        return None
    return next((p for p in payments if p.idempotency_key == event.idempotency_key), None)


def _check_amount(order: Order, amount: Decimal | None, currency: str | None) -> None:
    total = order.total
    if currency is not None and currency.upper() != total.currency:
        raise ValidationError(f"order {order.number} is paid in {total.currency}",
                              {"currency": f"must be {total.currency}"})
    if amount is not None and amount != total.amount:
        raise ValidationError(f"the amount {amount} is not the total {total} of order "
                              f"{order.number}", {"amount": f"must be {total.amount}"})


def _fingerprinted(address: Address) -> dict[str, str]:
    """An address as the checkout fingerprint hashes it, field by field: the keys stored by
    earlier releases hashed exactly these, and must keep replaying."""
    return {"line1": address.line1, "city": address.city, "postal_code": address.postal_code,
            "country": address.country, "region": address.region, "line2": address.line2,
            "name": address.name}


def _key(idempotency_key: str | None) -> str | None:
    return check_key(idempotency_key) if idempotency_key is not None else None
