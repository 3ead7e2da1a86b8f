"""Fraud check storage."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

import attrs

from commerce_core.fraud.model import FraudCheck, FraudStatus
from commerce_core.pagination import Page, PageRequest


@attrs.frozen
class BuyerHistory:
    """What screening needs to know of a buyer, read in one go and without locks."""

    orders_since: int               # orders placed since the velocity window opened
    account_created_at: datetime | None  # None: no account known here
    failures_since: int             # failed payments since the failure window opened


class FraudRepository(Protocol):
    def history(self, user_id: int, orders_since: datetime,
                failures_since: datetime) -> BuyerHistory:
        """The buyer's recent orders and failed payments, and when the account was made.
        Read without locking anything: screening must not queue one buyer's checkouts."""
        ...

    def add(self, check: FraudCheck) -> None:
        """Store the check of a new order; Conflict if the order has one."""
        ...

    def find(self, order_id: int) -> FraudCheck | None:
        """The order's check, or None (orders placed before screening existed)."""
        ...

    def update(self, check: FraudCheck) -> None:
        """Replace a check; NotFound if absent."""
        ...

    def queue(self, status: FraudStatus, page: PageRequest) -> Page[FraudCheck]:
        """Checks in ``status``, highest score first, then oldest."""
        ...
