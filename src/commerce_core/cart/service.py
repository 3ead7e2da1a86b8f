"""Cart use cases and the cart response of the seed (items, subtotal, tax, shipping, total)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from datetime import datetime
from typing import TypeVar

import attrs

from commerce_core.accounts.policy import Action, Actor, authorize
from commerce_core.address import Address
from commerce_core.cart.model import Cart, CartLine, check_line_quantity
from commerce_core.cart.ports import CartStore
from commerce_core.clock import Clock
from commerce_core.errors import Conflict, InsufficientStock, NotFound, ValidationError
from commerce_core.ids import IdGenerator
from commerce_core.pricing.coupons import Coupon, normalize_code
from commerce_core.pricing.rates import PricingRules
from commerce_core.pricing.totals import LineInput, Totals, price_lines
from commerce_core.settings.service import SettingsService
from commerce_core.uow import Transactions

T = TypeVar("T")
_SAVE_ATTEMPTS = 5


@attrs.frozen
class CartView:
    cart: Cart
    totals: Totals | None


def coupon_ancestors(tx: Transactions, coupon: Coupon | None) -> dict[int, set[int]]:
    """Every category id mapped to the ids above it, read only when ``coupon`` is scoped to
    categories: every other cart prices without touching the category table."""
    if coupon is None or not coupon.category_ids:
        return {}
    with tx.catalog_read() as catalog:
        parents = {c.id: c.parent_id for c in catalog.categories.all()}
    result: dict[int, set[int]] = {}
    for cid in parents:
        seen: set[int] = set()
        p = parents.get(cid)
        while p is not None and p not in seen:
            seen.add(p)
            p = parents.get(p)
        result[cid] = seen
    return result


def _owner(actor: Actor) -> int:
    authorize(actor, Action.USE_CART, actor.user_id)
    return actor.user_id


def line_inputs(cart: Cart) -> list[LineInput]:
    return [LineInput(line.id, line.unit_price, line.quantity, line.seller_id,
                      line.category_id, line.weight_grams) for line in cart.lines]


def price_cart(cart: Cart, rules: PricingRules, coupon: Coupon | None,
               ancestors: Mapping[int, Collection[int]], destination: Address | None) -> Totals:
    currency = cart.currency
    if currency is None:
        raise ValidationError("the cart is empty", {"items": "empty"})
    return price_lines(line_inputs(cart), currency, rules,
                       country=destination.country if destination else None,
                       region=destination.region if destination else None,
                       coupon=coupon, ancestors=ancestors)


class CartService:
    def __init__(self, store: CartStore, tx: Transactions, ids: IdGenerator, clock: Clock,
                 settings: SettingsService) -> None:
        self._store = store
        self._tx = tx
        self._ids = ids
        self._clock = clock
        self._settings = settings  # tax and shipping as stored: read per view

    def get(self, actor: Actor, destination: Address | None = None) -> CartView:
        """The actor's own cart (a cart is only ever reached through its owner)."""
        user_id = _owner(actor)
        cart = self._store.get(user_id) or Cart.new(user_id, self._clock.now())
        return self._view(cart, destination)

    def add_item(self, actor: Actor, product_id: int, quantity: int = 1,
                 selected_attributes: Mapping[str, str] | None = None) -> CartView:
        """Add ``quantity`` of the variant that ``selected_attributes`` pick."""
        check_line_quantity(quantity)
        # one read for the product, its stock and the pricing rules the view shows (the
        # catalog joins it when it lives in the same database); no snapshot around them:
        # none depends on another's exact state, and checkout reserves the stock anyway
        with self._tx.read(snapshot=False) as uow:
            with self._tx.catalog_read(within=uow) as catalog:
                product = catalog.products.get(product_id)
            if not product.is_active:
                raise NotFound(f"product {product_id} is not available",
                               {"product_id": product_id})
            variant = product.pick_variant(dict(selected_attributes or {}))
            available = uow.inventory.get(variant.id).available
            rules = self._settings.current(uow).pricing

        def change(cart: Cart, now: datetime) -> None:
            held = cart.line_for_variant(variant.id)
            wanted = quantity + (held.quantity if held else 0)
            if wanted > available:
                raise InsufficientStock([{"variant_id": variant.id, "sku": variant.sku,
                                          "requested": wanted, "available": available}])
            line = CartLine(self._ids.next_id(), product.id, variant.id, variant.sku,
                            product.name, quantity, variant.price, product.seller_id,
                            product.category_id, variant.weight_grams, dict(variant.options))
            cart.add(line, now)
        return self._view(self._modify(_owner(actor), change), rules=rules)

    def update_item(self, actor: Actor, cart_item_id: int, quantity: int) -> CartView:
        check_line_quantity(quantity)
        return self._view(self._modify(
            _owner(actor), lambda cart, now: cart.set_quantity(cart_item_id, quantity, now),
            must_exist=True))

    def remove_item(self, actor: Actor, cart_item_id: int) -> CartView:
        return self._view(self._modify(
            _owner(actor), lambda cart, now: cart.remove(cart_item_id, now), must_exist=True))

    def apply_coupon(self, actor: Actor, code: str) -> CartView:
        """Attach a coupon after checking it fits this cart now; a bad one changes nothing."""
        code = normalize_code(code)
        with self._tx.read() as uow:
            coupon = uow.coupons.get(code)
            coupon.check_usable(self._clock.now(), uow.coupons.uses_by(code, actor.user_id))
            ancestors = coupon_ancestors(self._tx, coupon)
            rules = self._settings.current(uow).pricing

        def change(cart: Cart, now: datetime) -> None:
            if not cart.lines:
                raise ValidationError("the cart is empty", {"items": "empty"})
            price_cart(cart, rules, coupon, ancestors, None)  # raises if it does not fit
            cart.coupon_code = code
            cart.updated_at = now
        return self._view(self._modify(_owner(actor), change, must_exist=True))

    def remove_coupon(self, actor: Actor) -> CartView:
        def change(cart: Cart, now: datetime) -> None:
            cart.coupon_code = None
            cart.updated_at = now
        return self._view(self._modify(_owner(actor), change, must_exist=True))

    def refresh_prices(self, actor: Actor) -> CartView:
        """Take today's catalog prices into the cart (after a ``price_changed`` checkout)."""
        def change(cart: Cart, now: datetime) -> None:
            with self._tx.catalog_read() as catalog:
                variants = catalog.products.get_variants([line.variant_id
                                                          for line in cart.lines])
            for line in cart.lines:
                if line.variant_id in variants:
                    line.unit_price = variants[line.variant_id].price
            cart.updated_at = now
        return self._view(self._modify(_owner(actor), change, must_exist=True))

    def clear(self, actor: Actor) -> None:
        self._store.delete(_owner(actor))

    # -------------------------------------------------------------------------------------
    def _modify(self, user_id: int, change: Callable[[Cart, datetime], object],
                must_exist: bool = False) -> Cart:
        """Read, change and save the cart, re-reading when a concurrent save got there first."""
        for _ in range(_SAVE_ATTEMPTS):
            now = self._clock.now()
            cart = self._store.get(user_id)
            if cart is None:
                if must_exist:
                    raise NotFound("the cart is empty", {"cart": "empty"})
                cart = Cart.new(user_id, now)
            change(cart, now)
            try:
                return self._store.save(cart)
            except Conflict:
                continue
        raise Conflict("the cart is being changed by another request; try again")

    def _view(self, cart: Cart, destination: Address | None = None,
              rules: PricingRules | None = None) -> CartView:
        """The cart priced as a checkout now charges it; ``rules``: the pricing rules the
        caller has just read, which spares a read when the cart has no coupon."""
        if not cart.lines:
            return CartView(cart, None)
        coupon, ancestors = None, {}
        if rules is None or cart.coupon_code:
            with self._tx.read() as uow:
                if rules is None:
                    rules = self._settings.current(uow).pricing
                if cart.coupon_code:
                    try:
                        coupon = uow.coupons.get(cart.coupon_code)
                    except NotFound:
                        coupon = None
                    ancestors = coupon_ancestors(self._tx, coupon)
        try:
            totals = price_cart(cart, rules, coupon, ancestors, destination)
        except ValidationError:  # the coupon no longer fits (lines removed): show it without
            totals = price_cart(cart, rules, None, ancestors, destination)
        return CartView(cart, totals)
