"""Order bodies: the seed's GET /orders/{id} and the order lists."""

from __future__ import annotations

from typing import Any

from commerce_core.checkout.service import CheckoutResult
from commerce_core.orders.model import Order, OrderStatus
from commerce_core.orders.service import OrderDetail
from commerce_core.shipping.model import ShipmentStatus

_NOT_SHIPPED = (OrderStatus.PENDING, OrderStatus.CONFIRMED)


def order_body(order: Order) -> dict[str, Any]:
    return {
        "order_id": order.id, "order_number": order.number, "user_id": order.user_id,
        "status": order.status.value, "payment_status": order.payment_status.value,
        "currency": order.currency, "subtotal": order.subtotal.amount,
        "discount": order.discount.amount, "shipping_cost": order.shipping.amount,
        "tax": order.tax.amount, "total_amount": order.total.amount,
        "coupon_code": order.coupon_code,
        "items": [{"order_item_id": i.id, "product_id": i.product_id,
                   "variant_id": i.variant_id, "sku": i.sku, "product_name": i.product_name,
                   "seller_id": i.seller_id, "quantity": i.quantity,
                   "unit_price": i.unit_price.amount, "total_price": i.total.amount,
                   "status": i.status.value} for i in order.items],
        "shipping_address": order.shipping_address.as_dict(),
        "billing_address": order.billing_address.as_dict(),
        "timeline": [{"event": e.event, "timestamp": e.timestamp.isoformat(), "note": e.note}
                     for e in order.timeline],
        "created_at": order.created_at.isoformat(), "updated_at": order.updated_at.isoformat(),
    }


def order_detail_body(detail: OrderDetail) -> dict[str, Any]:
    """The order with its payment, shipping and shipment blocks and its review status."""
    order, last = detail.order, detail.payment
    body = order_body(order)
    body["payment"] = None if last is None else {
        "payment_id": last.id, "amount": last.amount.amount, "status": last.status.value,
        "method": last.method, "transaction_id": last.transaction_id}
    body["shipping"] = {
        "address": order.shipping_address.as_dict(),
        "status": "NOT_SHIPPED" if order.status in _NOT_SHIPPED else order.status.value,
        "tracking_number": next((s.tracking_number for s in detail.shipments
                                 if s.status is not ShipmentStatus.CANCELLED), None)}
    body["shipments"] = [s.as_dict() for s in detail.shipments]
    body["review_status"] = detail.review.value if detail.review else None
    return body


def placed_body(result: CheckoutResult) -> dict[str, Any]:
    """The order a checkout placed or paid, from what the checkout holds (nothing read
    again: a new order has no shipments yet)."""
    return order_detail_body(OrderDetail(result.order, result.payment, (), result.review))


def action_body(result: CheckoutResult) -> dict[str, Any]:
    """``requires_action``, and while it holds what the customer's browser needs to finish
    (3-D Secure with Stripe.js): the client secret and the gateway's next action."""
    action = result.payment.action if result.payment else None
    return {"requires_action": result.requires_action, **(action or {})}
