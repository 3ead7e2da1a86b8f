"""Cart storage: outside the database transaction (Redis in the seed), one cart per user."""

from __future__ import annotations

from typing import Protocol

from commerce_core.cart.model import Cart


class CartStore(Protocol):
    def get(self, user_id: int) -> Cart | None:
        """The user's cart, or None if there is none or it has not been touched for 30 days."""
        ...

    def save(self, cart: Cart) -> Cart:
        """Store the cart if nobody saved it since it was read (same ``version``), else Conflict.

        Returns the cart with its new version; the cart lives 30 days from ``updated_at``.
        """
        ...

    def delete(self, user_id: int) -> None:
        """Remove the user's cart; no-op if there is none."""
        ...
