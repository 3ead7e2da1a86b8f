"""The order body of the seller's listing (``resources/seller.py``), until that area is
declared in ``commerce_http.api``; buyers' order bodies are ``api.orders``' Models."""

from __future__ import annotations

from typing import Any

from commerce_core.orders.model import Order


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
