"""In-memory cart store with optimistic versions and the 30-day expiry."""

from __future__ import annotations

import copy
import threading

from commerce_core.cart.model import Cart
from commerce_core.clock import Clock, SystemClock
from commerce_core.errors import Conflict
from commerce_core.uow import UnitOfWork


class MemoryCartStore:
    def __init__(self, clock: Clock | None = None) -> None:
        self._clock = clock or SystemClock()
        self._lock = threading.Lock()
        self._carts: dict[int, Cart] = {}

    def _live(self, user_id: int) -> Cart | None:
        cart = self._carts.get(user_id)
        if cart is not None and cart.expires_at() <= self._clock.now():
            del self._carts[user_id]
            return None
        return cart

    def get(self, user_id: int) -> Cart | None:
        with self._lock:
            cart = self._live(user_id)
            return copy.deepcopy(cart)

    def save(self, cart: Cart) -> Cart:
        with self._lock:
            stored = self._live(cart.user_id)
            current = stored.version if stored is not None else 0
            if cart.version != current:
                raise Conflict("the cart was changed by another request",
                               {"cart_version": current})
            saved = copy.deepcopy(cart)
            saved.version = current + 1
            self._carts[cart.user_id] = saved
            return copy.deepcopy(saved)

    def discard(self, cart: Cart) -> None:
        with self._lock:
            stored = self._live(cart.user_id)
            if stored is None:
                return
            if stored.version != cart.version:
                raise Conflict("the cart was changed by another request",
                               {"cart_version": stored.version})
            del self._carts[cart.user_id]

    def delete(self, user_id: int) -> None:
        with self._lock:
            self._carts.pop(user_id, None)

    def joined(self, uow: UnitOfWork) -> None:
        return None  # the memory units of work keep no carts: nothing to share
