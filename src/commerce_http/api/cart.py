"""The caller's cart: the seed's GET, POST/PUT/DELETE items and apply-coupon."""

from __future__ import annotations

from typing import Annotated

import msgspec

from commerce_core.cart.model import MAX_LINE_QUANTITY
from commerce_core.cart.service import CartView
from commerce_http.contract.operation import Call, Operation
from commerce_http.contract.wire import (
    Amount,
    Body,
    Id,
    Model,
    Text40,
    Text100,
    Text200,
    Timestamp,
    money,
)

Quantity = Annotated[int, msgspec.Meta(ge=1, le=MAX_LINE_QUANTITY)]
# the options that pick a variant (``{"size": "L"}``): a product has a handful
Attributes = Annotated[dict[Text100, Text200], msgspec.Meta(max_length=50)]
# coupon codes are short words (``SAVE10``); 40 leaves room for generated ones
CouponCode = Text40


class CartItemOut(Model):
    cart_item_id: Id
    product_id: Id
    variant_id: Id
    sku: str
    product_name: str
    quantity: int
    unit_price: Amount
    total_price: Amount
    selected_attributes: dict[str, str]


class CartDiscountOut(Model):
    coupon_code: str
    discount_amount: Amount


class CartOut(Model):
    """The seed's cart. Its currency and amounts are null while the cart is empty."""

    cart_id: str
    items: list[CartItemOut]
    currency: str | None
    subtotal: Amount | None
    discount: Amount | None
    discounts: list[CartDiscountOut]
    tax: Amount | None
    shipping: Amount | None
    total: Amount | None
    last_updated: Timestamp


def cart_out(view: CartView) -> CartOut:
    cart, t = view.cart, view.totals
    if t is None:  # no lines: nothing to price, and no currency to price in
        return CartOut(cart_id=cart.id, items=[], currency=None, subtotal=None,
                       discount=None, discounts=[], tax=None, shipping=None, total=None,
                       last_updated=cart.updated_at)
    items = [CartItemOut(cart_item_id=Id(line.id), product_id=Id(line.product_id),
                         variant_id=Id(line.variant_id), sku=line.sku,
                         product_name=line.product_name, quantity=line.quantity,
                         unit_price=money(line.unit_price),
                         total_price=money(t.line(line.id).subtotal),
                         selected_attributes=dict(line.selected_attributes))
             for line in cart.lines]
    discounts = ([CartDiscountOut(coupon_code=t.coupon_code, discount_amount=money(t.discount))]
                 if t.coupon_code else [])
    return CartOut(cart_id=cart.id, items=items, currency=t.currency,
                   subtotal=money(t.subtotal), discount=money(t.discount), discounts=discounts,
                   tax=money(t.tax), shipping=money(t.shipping), total=money(t.total),
                   last_updated=cart.updated_at)


class NewCartItem(Body):
    product_id: Id
    quantity: Quantity = 1
    selected_attributes: Attributes = msgspec.field(default_factory=dict)


class QuantityChange(Body):
    quantity: Quantity


class CouponIn(Body):
    coupon_code: CouponCode


def _cart(call: Call[object, None]) -> CartOut:
    return cart_out(call.shop.cart.get(call.who()))


def _add_item(call: Call[object, NewCartItem]) -> CartOut:
    b = call.body
    return cart_out(call.shop.cart.add_item(call.who(), b.product_id, b.quantity,
                                            b.selected_attributes))


def _change_item(call: Call[object, QuantityChange]) -> CartOut:
    return cart_out(call.shop.cart.update_item(call.who(), call.path["item_id"],
                                               call.body.quantity))


def _remove_item(call: Call[object, None]) -> None:
    call.shop.cart.remove_item(call.who(), call.path["item_id"])


def _apply_coupon(call: Call[object, CouponIn]) -> CartOut:
    return cart_out(call.shop.cart.apply_coupon(call.who(), call.body.coupon_code))


API = "/api/v1"
get_cart = Operation("GET", f"{API}/cart", "get_cart", "My cart", _cart, response=CartOut,
                     tag="cart")
add_cart_item = Operation(
    "POST", f"{API}/cart/items", "add_cart_item",
    "Add to the cart (selected_attributes pick the variant)", _add_item, body=NewCartItem,
    response=CartOut, status=201, errors=(404, 409), tag="cart")
change_cart_item = Operation(
    "PUT", f"{API}/cart/items/{{item_id}}", "change_cart_item", "Change a line's quantity",
    _change_item, body=QuantityChange, response=CartOut, errors=(404, 409), tag="cart")
remove_cart_item = Operation(
    "DELETE", f"{API}/cart/items/{{item_id}}", "remove_cart_item", "Remove a line",
    _remove_item, status=204, errors=(404,), tag="cart")
apply_coupon = Operation(
    "POST", f"{API}/cart/apply-coupon", "apply_coupon",
    "Apply a coupon (a bad one changes nothing)", _apply_coupon, body=CouponIn,
    response=CartOut, errors=(404, 409), tag="cart")

OPERATIONS = (get_cart, add_cart_item, change_cart_item, remove_cart_item, apply_coupon)
