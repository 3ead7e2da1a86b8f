"""Cart storage: outside the database transaction (Redis in the seed), one cart per user."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from commerce_core.cart.model import Cart

if TYPE_CHECKING:
    from commerce_core.uow import UnitOfWork


class CartStore(Protocol):
    def get(self, user_id: int) -> Cart | None:
        """The user's cart, or None if there is none or it has not been touched for 30 days."""
        ...

    def save(self, cart: Cart) -> Cart:
        """Store the cart if nobody saved it since it was read (same ``version``), else Conflict.

        Returns the cart with its new version; the cart lives 30 days from ``updated_at``.
        """
        ...

    def discard(self, cart: Cart) -> None:
        """Remove the cart if nobody saved it since it was read (same ``version``), else
        Conflict; no-op if it is gone already."""
        ...

    def delete(self, user_id: int) -> None:
        """Remove the user's cart; no-op if there is none."""
        ...

    def joined(self, uow: UnitOfWork) -> CartStore | None:
        """This store inside ``uow``'s transaction, when both live in one database (a
        checkout then reads and empties the cart in its own transactions); None otherwise."""
        ...
