"""Orders: place (with an Idempotency-Key), look up, history, cancel, timeline.

The order models here are also what a payment answers with (``api.payments``)."""

from __future__ import annotations

from typing import Any, Literal

from commerce_core.address import Address
from commerce_core.checkout.service import CheckoutResult
from commerce_core.errors import ValidationError
from commerce_core.orders.model import Order, OrderItem, OrderStatus, TimelineEntry
from commerce_core.orders.service import OrderDetail
from commerce_core.payments.model import Payment
from commerce_core.shipping.model import ShipmentStatus
from commerce_http import cached
from commerce_http.api.cart import CouponCode
from commerce_http.api.shipments import ShipmentOut, shipment_out
from commerce_http.contract.operation import Call, Operation, Reply
from commerce_http.contract.wire import (
    Amount,
    Body,
    Id,
    Limit,
    Model,
    Moment,
    Page,
    Query,
    Text20,
    Text40,
    Text100,
    Text200,
    Text255,
    Text500,
    Timestamp,
    money,
)

OrderStatusName = Literal["PENDING", "CONFIRMED", "SHIPPED", "DELIVERED", "CANCELLED"]
OrderPaymentStatus = Literal["PENDING", "COMPLETED", "FAILED", "PARTIALLY_REFUNDED",
                             "REFUNDED"]
PaymentState = Literal["PROCESSING", "REQUIRES_ACTION", "COMPLETED", "FAILED",
                       "PARTIALLY_REFUNDED", "REFUNDED", "DISPUTED"]
ShipmentState = Literal["LABEL_CREATED", "IN_TRANSIT", "OUT_FOR_DELIVERY", "DELIVERED",
                        "CANCELLED"]
ShippingState = Literal["NOT_SHIPPED", "SHIPPED", "DELIVERED", "CANCELLED"]
# the seed's shipping block: NOT_SHIPPED until the order ships
_SHIPPING: dict[OrderStatus, ShippingState] = {
    OrderStatus.PENDING: "NOT_SHIPPED", OrderStatus.CONFIRMED: "NOT_SHIPPED",
    OrderStatus.SHIPPED: "SHIPPED", OrderStatus.DELIVERED: "DELIVERED",
    OrderStatus.CANCELLED: "CANCELLED"}


# Input ------------------------------------------------------------------------------------
class PostalAddressIn(Body):
    """A postal address; the seed's names (``address_line_1``, ``address_line_2``,
    ``state``) are taken too. What is missing or malformed, the core's ``Address`` names."""

    line1: Text200 = ""
    line2: Text200 = ""
    city: Text100 = ""
    region: Text100 = ""
    postal_code: Text20 = ""
    country: Text20 = ""  # the core wants two letters and says so
    name: Text200 = ""
    address_line_1: Text200 = ""
    address_line_2: Text200 = ""
    state: Text100 = ""

    def value(self, field: str) -> Address:
        """The address; what the core refuses in it is named under ``field``."""
        try:
            return Address(line1=self.line1 or self.address_line_1, city=self.city,
                           postal_code=self.postal_code, country=self.country,
                           region=self.region or self.state,
                           line2=self.line2 or self.address_line_2, name=self.name)
        except ValidationError as ex:
            details = {f"{field}.{k}": v for k, v in ex.details.items()}
            raise ValidationError(f"{field}: {ex}", details) from None


class NewOrder(Body):
    """The cart becomes an order, paid at once when ``payment_token`` is given. The address
    is given whole or as one of the caller's saved ones (``shipping_address_id``); billing
    defaults to shipping. ``coupon_code`` is applied to the cart as the order is placed."""

    shipping_address: PostalAddressIn | None = None
    shipping_address_id: Id | None = None
    billing_address: PostalAddressIn | None = None
    billing_address_id: Id | None = None
    payment_token: Text255 | None = None
    payment_method: Text40 = "card"
    coupon_code: CouponCode | None = None


class OrderHistoryQuery(Query):
    """``from_date`` inclusive, ``to_date`` exclusive."""

    status: (OrderStatusName | Literal["pending", "confirmed", "shipped", "delivered",
                                       "cancelled"] | None) = None
    from_date: Moment | None = None
    to_date: Moment | None = None
    page: Page = 1
    limit: Limit = 10


class Cancellation(Body):
    reason: Text500 = "cancelled by customer"


# Output -----------------------------------------------------------------------------------
class PostalAddressOut(Model):
    line1: str
    city: str
    postal_code: str
    country: str
    region: str
    line2: str
    name: str


class OrderItemOut(Model):
    order_item_id: Id
    product_id: Id
    variant_id: Id
    sku: str
    product_name: str
    seller_id: Id
    quantity: int
    unit_price: Amount
    total_price: Amount
    status: OrderStatusName


class TimelineEntryOut(Model):
    event: str
    timestamp: Timestamp
    note: str


class OrderOut(Model):
    order_id: Id
    order_number: str
    user_id: Id
    status: OrderStatusName
    payment_status: OrderPaymentStatus
    currency: str
    subtotal: Amount
    discount: Amount
    shipping_cost: Amount
    tax: Amount
    total_amount: Amount
    coupon_code: str | None
    items: list[OrderItemOut]
    shipping_address: PostalAddressOut
    billing_address: PostalAddressOut
    timeline: list[TimelineEntryOut]
    created_at: Timestamp
    updated_at: Timestamp


class OrderPaymentOut(Model):
    """The order's last payment, as the seed's order page shows it."""

    payment_id: Id
    amount: Amount
    status: PaymentState
    method: str
    transaction_id: str | None


class OrderShippingOut(Model):
    address: PostalAddressOut
    status: ShippingState
    tracking_number: str | None


class OrderDetailOut(OrderOut):
    """The order with its payment, shipping and shipments, and its fraud review status
    (null: never screened)."""

    payment: OrderPaymentOut | None
    shipping: OrderShippingOut
    shipments: list[ShipmentOut]
    review_status: Literal["CLEAR", "HELD", "APPROVED", "REJECTED"] | None


class PlacedOrderOut(OrderDetailOut):
    """While ``requires_action`` (3-D Secure), ``client_secret`` and ``next_action`` are
    what the customer's browser needs to finish with the gateway (Stripe.js); the webhook
    then settles the order. ``next_action`` is the gateway's own object."""

    requires_action: bool
    client_secret: str | None = None
    next_action: dict[str, Any] | None = None


class HistoryPagination(Model):
    page: int
    limit: int
    total_count: int


class OrderHistoryOut(Model):
    """The seed's ``total_count``, ``page`` and ``limit`` beside the orders; ``pagination``
    holds the same figures, as earlier versions of the API sent them."""

    orders: list[OrderOut]
    total_count: int
    page: int
    limit: int
    pagination: HistoryPagination


class TimelineOut(Model):
    order_id: Id
    timeline: list[TimelineEntryOut]


# Rendering --------------------------------------------------------------------------------
def address_out(a: Address) -> PostalAddressOut:
    return PostalAddressOut(line1=a.line1, city=a.city, postal_code=a.postal_code,
                            country=a.country, region=a.region, line2=a.line2, name=a.name)


def _item_out(i: OrderItem) -> OrderItemOut:
    return OrderItemOut(order_item_id=Id(i.id), product_id=Id(i.product_id),
                        variant_id=Id(i.variant_id), sku=i.sku, product_name=i.product_name,
                        seller_id=Id(i.seller_id), quantity=i.quantity,
                        unit_price=money(i.unit_price), total_price=money(i.total),
                        status=i.status.value)


def timeline_out(entries: list[TimelineEntry]) -> list[TimelineEntryOut]:
    return [TimelineEntryOut(event=e.event, timestamp=e.timestamp, note=e.note)
            for e in entries]


def _order_fields(order: Order) -> dict[str, Any]:
    return {"order_id": Id(order.id), "order_number": order.number,
            "user_id": Id(order.user_id), "status": order.status.value,
            "payment_status": order.payment_status.value, "currency": order.currency,
            "subtotal": money(order.subtotal), "discount": money(order.discount),
            "shipping_cost": money(order.shipping), "tax": money(order.tax),
            "total_amount": money(order.total), "coupon_code": order.coupon_code,
            "items": [_item_out(i) for i in order.items],
            "shipping_address": address_out(order.shipping_address),
            "billing_address": address_out(order.billing_address),
            "timeline": timeline_out(order.timeline),
            "created_at": order.created_at, "updated_at": order.updated_at}


def order_out(order: Order) -> OrderOut:
    return OrderOut(**_order_fields(order))


def _detail_fields(detail: OrderDetail) -> dict[str, Any]:
    order, last = detail.order, detail.payment
    payment = None if last is None else OrderPaymentOut(
        payment_id=Id(last.id), amount=money(last.amount), status=last.status.value,
        method=last.method, transaction_id=last.transaction_id)
    tracking = next((s.tracking_number for s in detail.shipments
                     if s.status is not ShipmentStatus.CANCELLED), None)
    shipping = OrderShippingOut(
        address=address_out(order.shipping_address),
        status=_SHIPPING[order.status],
        tracking_number=tracking)
    return {**_order_fields(order), "payment": payment, "shipping": shipping,
            "shipments": [shipment_out(s) for s in detail.shipments],
            "review_status": detail.review.value if detail.review else None}


def order_detail_out(detail: OrderDetail) -> OrderDetailOut:
    return OrderDetailOut(**_detail_fields(detail))


def action_fields(payment: Payment | None) -> dict[str, Any]:
    """``client_secret`` and ``next_action`` while a payment waits for the customer."""
    action = payment.action if payment else None
    if action is None:
        return {"requires_action": False}
    return {"requires_action": True, "client_secret": action.get("client_secret"),
            "next_action": action.get("next_action")}


def checkout_detail(result: CheckoutResult) -> OrderDetail:
    """The order a checkout placed or paid, from what the checkout holds (nothing read
    again: such an order has no shipments yet)."""
    return OrderDetail(result.order, result.payment, (), result.review)


def placed_out(result: CheckoutResult) -> PlacedOrderOut:
    return PlacedOrderOut(**_detail_fields(checkout_detail(result)),
                          **action_fields(result.payment))


# Handlers ---------------------------------------------------------------------------------
def _address(call: Call[object, NewOrder], given: PostalAddressIn | None,
             saved_id: int | None, field: str) -> Address | None:
    """The address given whole, or the caller's saved one ``saved_id`` names."""
    if given is not None and saved_id is not None:
        raise ValidationError(f"give {field} or {field}_id, not both",
                              {f"{field}_id": f"given with {field}"})
    if given is not None:
        return given.value(field)
    if saved_id is None:
        return None
    for entry in call.shop.accounts.addresses(call.who()):
        if entry.id == saved_id:
            return entry.address
    raise ValidationError(f"{field}_id: you have no saved address {saved_id}",
                          {f"{field}_id": "not one of your saved addresses"})


def _place_order(call: Call[object, NewOrder]) -> PlacedOrderOut:
    b = call.body
    ship = _address(call, b.shipping_address, b.shipping_address_id, "shipping_address")
    if ship is None:
        raise ValidationError("shipping_address (or shipping_address_id) is required",
                              {"shipping_address": "required"})
    bill = _address(call, b.billing_address, b.billing_address_id, "billing_address")
    return placed_out(call.shop.checkout.place_order(
        call.who(), ship, bill, payment_token=b.payment_token, payment_method=b.payment_method,
        idempotency_key=call.idempotency_key, coupon_code=b.coupon_code))


def _history(call: Call[OrderHistoryQuery, None]) -> OrderHistoryOut:
    q = call.query
    page = call.shop.orders.history(call.who(), status=q.status, from_date=q.from_date,
                                    to_date=q.to_date, page=q.page, limit=q.limit)
    return OrderHistoryOut(orders=[order_out(o) for o in page.items],
                           total_count=page.total_count, page=page.page, limit=page.limit,
                           pagination=HistoryPagination(page=page.page, limit=page.limit,
                                                    total_count=page.total_count))


def _order(call: Call[object, None]) -> Reply:
    body = cached.order_detail(call.shop, call.path["order_id"], call.who(), order_detail_out)
    return Reply(encoded=body)


def _cancel(call: Call[object, Cancellation]) -> OrderDetailOut:
    who, order_id = call.who(), call.path["order_id"]
    call.shop.orders.cancel(order_id, who, call.body.reason)
    return order_detail_out(call.shop.orders.detail(order_id, who))


def _timeline(call: Call[object, None]) -> TimelineOut:
    order_id = call.path["order_id"]
    return TimelineOut(order_id=Id(order_id),
                       timeline=timeline_out(call.shop.orders.timeline(order_id, call.who())))


API = "/api/v1"
place_order = Operation(
    "POST", f"{API}/orders", "place_order",
    "Check out: the cart becomes an order (paid at once given a payment_token)",
    _place_order, body=NewOrder, response=PlacedOrderOut, status=201,
    errors=(402, 409, 503), idempotent=True, tag="orders")
list_orders = Operation(
    "GET", f"{API}/orders", "list_orders", "My orders, newest first", _history,
    query=OrderHistoryQuery, response=OrderHistoryOut, tag="orders")
get_order = Operation(
    "GET", f"{API}/orders/{{order_id}}", "get_order", "An order, with its payment and shipping",
    _order, response=OrderDetailOut, errors=(404,), tag="orders")
cancel_order = Operation(
    "PUT", f"{API}/orders/{{order_id}}/cancel", "cancel_order",
    "Cancel an order before it ships (a paid one is refunded)", _cancel, body=Cancellation,
    response=OrderDetailOut, errors=(404, 409), tag="orders")
get_order_timeline = Operation(
    "GET", f"{API}/orders/{{order_id}}/timeline", "get_order_timeline",
    "What happened to an order", _timeline, response=TimelineOut, errors=(404,),
    tag="orders")

OPERATIONS = (place_order, list_orders, get_order, cancel_order, get_order_timeline)
