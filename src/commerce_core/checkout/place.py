"""Step 1, in one transaction: the cart read and priced, stock reserved, fraud screened, the
PENDING order, the saga record and (when the card is known) the PROCESSING payment written.

A crash after it leaves a PAYMENT_STARTED checkout whose charge recover() finds was never
made, or a RESERVED / AWAITING_PAYMENT one that recovery or expiry releases.
"""

from __future__ import annotations

from datetime import datetime

from commerce_core.address import Address
from commerce_core.cart.model import Cart
from commerce_core.cart.service import coupon_ancestors, price_cart
from commerce_core.checkout.model import Checkout, CheckoutState
from commerce_core.checkout.saga import Held, Idem, Saga, named, stock_moved
from commerce_core.errors import InsufficientStock, NotFound, PriceChanged, ValidationError
from commerce_core.events import OrderPlaced
from commerce_core.fraud.model import FraudStatus
from commerce_core.idempotency import IdempotencyRecord
from commerce_core.ids import format_order_number
from commerce_core.inventory.model import Reservation, ReservationLine
from commerce_core.orders.model import Order, OrderItem
from commerce_core.payments.model import Payment
from commerce_core.pricing.coupons import Coupon, normalize_code
from commerce_core.uow import UnitOfWork


def place(saga: Saga, user_id: int, ship: Address, bill: Address, method: str,
          pay_later: bool, idem: Idem, coupon_code: str | None = None) -> Held:
    """``coupon_code``: the buyer's coupon at order time, taken in place of the cart's."""
    now = saga.clock.now()
    with saga.tx() as uow:
        # inside this transaction when the cart lives in its database: one snapshot
        carts = saga.carts.joined(uow) or saga.carts
        cart = carts.get(user_id)
        if cart is None or not cart.lines:
            raise ValidationError("the cart is empty", {"cart": "empty"})
        _check_prices(saga, uow, cart)
        coupon = _usable_coupon(saga, uow, cart, user_id, coupon_code)
        settings = saga.settings.current(uow)  # as stored now: a change applies from here
        totals = price_cart(cart, settings.pricing, coupon, coupon_ancestors(saga.tx, coupon),
                            ship)
        order_id = saga.ids.next_id()
        number = format_order_number(now.year,
                                     uow.sequences.next_value(f"order_number:{now.year}"))
        reservation = Reservation(saga.ids.next_id(),
                                  tuple(ReservationLine(line.variant_id, line.quantity)
                                        for line in cart.lines),
                                  now + saga.ttl, now, order_id)
        try:
            held_stock = uow.inventory.reserve(reservation, now)
        except InsufficientStock as ex:
            raise named(ex, cart) from None
        if coupon is not None:
            uow.coupons.redeem(coupon.code, user_id, order_id, now)
        items = [OrderItem(saga.ids.next_id(), line.product_id, line.variant_id, line.sku,
                           line.product_name, line.seller_id, line.quantity, line.unit_price,
                           priced.subtotal, priced.discount, priced.tax,
                           category_id=line.category_id)
                 for line, priced in zip(cart.lines, totals.lines, strict=True)]
        order = Order(order_id, number, user_id, totals.currency, items, totals.subtotal,
                      totals.discount, totals.shipping, totals.tax, ship, bill, now, now,
                      coupon_code=totals.coupon_code, payment_method=method)
        order.note("ORDER_PLACED", now)
        check = saga.fraud.screen(uow, order, settings.fraud)
        if check.status is FraudStatus.HELD:  # on the timeline from the start
            order.note("HELD_FOR_REVIEW", now, ", ".join(check.signals))
        uow.orders.add(order)
        checkout = Checkout(saga.ids.next_id(), user_id, order_id, reservation.id,
                            CheckoutState.AWAITING_PAYMENT if pay_later
                            else CheckoutState.RESERVED, now, now,
                            coupon_code=totals.coupon_code)
        payment = None if pay_later else new_payment(saga, uow, checkout, order, method, now)
        uow.checkouts.add(checkout)
        remember(uow, idem, order_id, now)
        uow.record(OrderPlaced(occurred_at=now, order_id=order_id, order_number=number,
                               user_id=user_id, total=order.total))
        stock_moved(held_stock, {line.variant_id: -line.quantity
                                 for line in reservation.lines}, "reserved", uow, now)
    return Held(checkout, order, reservation, payment, cart, check.status)


def new_payment(saga: Saga, uow: UnitOfWork, checkout: Checkout, order: Order, method: str,
                now: datetime) -> Payment:
    """A PROCESSING payment whose key the gateway dedupes on; the checkout moves to
    PAYMENT_STARTED (the caller stores it)."""
    checkout.move(CheckoutState.PAYMENT_STARTED, now)
    payment_id = saga.ids.next_id()
    payment = Payment(payment_id, order.id, order.user_id, order.total, f"pay_{payment_id}",
                      now, now, method=method)
    uow.payments.add(payment)
    checkout.payment_id = payment_id
    return payment


def remember(uow: UnitOfWork, idem: Idem, order_id: int, now: datetime) -> None:
    """The idempotency record, in the transaction whose outcome it names."""
    scope, key, fingerprint = idem
    if key is not None:
        uow.idempotency.add(IdempotencyRecord(scope, key, fingerprint, {"order_id": order_id},
                                              now))


def _check_prices(saga: Saga, uow: UnitOfWork, cart: Cart) -> None:
    # a snapshot of the catalog, not a lock: checkouts of one product must not queue on
    # its row; a price changed after it is the price the buyer saw and agreed to
    with saga.tx.catalog_read(within=uow) as catalog:
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


def _usable_coupon(saga: Saga, uow: UnitOfWork, cart: Cart, user_id: int,
                   asked: str | None) -> Coupon | None:
    if asked is not None:
        try:
            coupon = uow.coupons.get(asked)
        except NotFound:  # a code typed with the order is bad input, not a missing page
            raise ValidationError(f"coupon {normalize_code(asked)} does not exist",
                                  {"coupon_code": "unknown", "code": normalize_code(asked)}
                                  ) from None
    elif not cart.coupon_code:
        return None
    else:
        coupon = uow.coupons.get(cart.coupon_code)
    coupon.check_usable(saga.clock.now(), uow.coupons.uses_by(coupon.code, user_id))
    return coupon
