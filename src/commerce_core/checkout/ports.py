"""Checkout saga storage."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Protocol

from commerce_core.checkout.model import Checkout, CheckoutState


class CheckoutRepository(Protocol):
    def add(self, checkout: Checkout) -> None:
        """Conflict if the id exists."""
        ...

    def get(self, checkout_id: int) -> Checkout:
        """NotFound if absent."""
        ...

    def for_order(self, order_id: int) -> Checkout:
        """The checkout that created the order; NotFound if none."""
        ...

    def move(self, checkout: Checkout, expected: CheckoutState) -> bool:
        """Store the checkout's state, payment id, failure and ``updated_at`` if the stored
        state is still ``expected``; False, writing nothing, if it has moved meanwhile."""
        ...

    def created_between(self, since: datetime, until: datetime) -> Sequence[Checkout]:
        """Checkouts started in [since, until); for conversion figures."""
        ...

    def stuck(self, states: Collection[CheckoutState], updated_before: datetime,
              limit: int) -> Sequence[Checkout]:
        """Checkouts in ``states`` untouched since ``updated_before``, oldest first."""
        ...
