"""Every operation of the HTTP API, declared once (``commerce_http.contract``), by area."""

from __future__ import annotations

from commerce_http.api import (
    accounts,
    admin,
    cart,
    catalog,
    coupons,
    customer,
    fulfilment,
    health,
    orders,
    payments,
    rankings,
    reviews,
    search,
    seller,
    settings,
    shipments,
    stock,
    webhooks,
)
from commerce_http.contract.operation import table

OPERATIONS = table(
    health.OPERATIONS,
    accounts.OPERATIONS,
    customer.OPERATIONS,
    reviews.OPERATIONS,
    cart.OPERATIONS,
    orders.OPERATIONS,
    payments.OPERATIONS,
    seller.OPERATIONS,
    shipments.OPERATIONS,
    admin.OPERATIONS,
    stock.OPERATIONS,
    fulfilment.OPERATIONS,
    webhooks.OPERATIONS,
    catalog.OPERATIONS,
    search.OPERATIONS,
    rankings.OPERATIONS,
    settings.OPERATIONS,
    coupons.OPERATIONS,
)

__all__ = ["OPERATIONS", "accounts", "admin", "cart", "catalog", "coupons", "customer",
           "fulfilment", "health", "orders", "payments", "rankings", "reviews",
           "search", "seller", "settings", "shipments", "stock", "webhooks"]
