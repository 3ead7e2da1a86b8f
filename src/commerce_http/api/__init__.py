"""Every operation of the HTTP API, declared once (``commerce_http.contract``), by area."""

from __future__ import annotations

from commerce_http.api import accounts, cart, health, orders, payments, stock, webhooks
from commerce_http.contract.operation import table

OPERATIONS = table(health.OPERATIONS, accounts.OPERATIONS, webhooks.OPERATIONS,
                   stock.OPERATIONS, cart.OPERATIONS, orders.OPERATIONS, payments.OPERATIONS)

__all__ = ["OPERATIONS", "accounts", "cart", "health", "orders", "payments", "stock",
           "webhooks"]
