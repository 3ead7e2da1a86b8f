"""Wishlist use cases."""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from commerce_core.accounts.policy import Action, Actor, authorize
from commerce_core.cart.service import CartService, CartView
from commerce_core.catalog.model import Product
from commerce_core.clock import Clock
from commerce_core.errors import NotFound, ValidationError
from commerce_core.pagination import Page, PageRequest
from commerce_core.uow import Transactions
from commerce_core.wishlist.model import MAX_ITEMS, WishlistItem


@attrs.frozen
class WishlistEntry:
    item: WishlistItem
    product: Product | None  # None once the product has been withdrawn


class WishlistService:
    def __init__(self, tx: Transactions, cart: CartService, clock: Clock) -> None:
        self._tx = tx
        self._cart = cart
        self._clock = clock

    def add(self, actor: Actor, product_id: int) -> bool:
        """Keep an active product for later; False if it was already on the list."""
        authorize(actor, Action.USE_WISHLIST, actor.user_id)
        with self._tx.catalog_read() as catalog:
            product = catalog.products.get(product_id)
        if not product.is_active:
            raise NotFound(f"product {product_id} not found", {"product_id": product_id})
        with self._tx() as uow:
            if uow.wishlists.count(actor.user_id) >= MAX_ITEMS:
                raise ValidationError(f"a wishlist holds at most {MAX_ITEMS} products",
                                      {"wishlist": "full"})
            return uow.wishlists.add(WishlistItem(actor.user_id, product_id,
                                                  self._clock.now()))

    def remove(self, actor: Actor, product_id: int) -> bool:
        authorize(actor, Action.USE_WISHLIST, actor.user_id)
        with self._tx() as uow:
            return uow.wishlists.remove(actor.user_id, product_id)

    def items(self, actor: Actor, page: int = 1, limit: int = 20) -> Page[WishlistEntry]:
        authorize(actor, Action.USE_WISHLIST, actor.user_id)
        with self._tx.read() as uow:
            found = uow.wishlists.list(actor.user_id, PageRequest(page, limit))
        with self._tx.catalog_read() as catalog:
            products = catalog.products.get_many({i.product_id for i in found.items})
        return found.map(lambda i: WishlistEntry(i, products.get(i.product_id)))

    def move_to_cart(self, actor: Actor, product_id: int, quantity: int = 1,
                     selected_attributes: Mapping[str, str] | None = None) -> CartView:
        """Put the product in the cart, then take it off the list (kept if the cart refuses)."""
        authorize(actor, Action.USE_WISHLIST, actor.user_id)
        view = self._cart.add_item(actor, product_id, quantity, selected_attributes)
        self.remove(actor, product_id)
        return view
