"""Every operation of the HTTP API, declared once (``commerce_http.contract``), by area."""

from __future__ import annotations

from commerce_http.api import (
    accounts,
    fulfilment,
    health,
    products,
    seller,
    shipments,
    stock,
    webhooks,
)
from commerce_http.contract.operation import table

OPERATIONS = table(health.OPERATIONS, accounts.OPERATIONS, webhooks.OPERATIONS,
                   stock.OPERATIONS, fulfilment.OPERATIONS, seller.OPERATIONS,
                   shipments.OPERATIONS)

__all__ = ["OPERATIONS", "accounts", "fulfilment", "health", "products", "seller",
           "shipments", "stock", "webhooks"]
