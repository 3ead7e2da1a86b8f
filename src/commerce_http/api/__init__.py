"""Every operation of the HTTP API, declared once (``commerce_http.contract``), by area."""

from __future__ import annotations

from commerce_http.api import accounts, catalog, health, rankings, search, stock, webhooks
from commerce_http.contract.operation import table

OPERATIONS = table(health.OPERATIONS, accounts.OPERATIONS, webhooks.OPERATIONS,
                   stock.OPERATIONS, catalog.OPERATIONS, search.OPERATIONS,
                   rankings.OPERATIONS)

__all__ = ["OPERATIONS", "accounts", "catalog", "health", "rankings", "search", "stock",
           "webhooks"]
