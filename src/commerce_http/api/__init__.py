"""Every operation of the HTTP API, declared once (``commerce_http.contract``), by area."""

from __future__ import annotations

from commerce_http.api import accounts, health, settings, stock, webhooks
from commerce_http.contract.operation import table

OPERATIONS = table(health.OPERATIONS, accounts.OPERATIONS, webhooks.OPERATIONS,
                   stock.OPERATIONS, settings.OPERATIONS)

__all__ = ["OPERATIONS", "accounts", "health", "settings", "stock", "webhooks"]
