"""Fraud check storage."""

from __future__ import annotations

from typing import Protocol

from commerce_core.fraud.model import FraudCheck, FraudStatus
from commerce_core.pagination import Page, PageRequest


class FraudRepository(Protocol):
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
