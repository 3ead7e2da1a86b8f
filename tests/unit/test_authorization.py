"""The authorization matrix: every use case that acts for somebody, tried by every role.

Five actors: the customer who owns the order, another customer, the seller whose product was
bought, another seller, and an admin. A use case either works for an actor or raises
Forbidden (or NotFound, for records whose existence is private) and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Set as AbstractSet
from datetime import date
from decimal import Decimal
from typing import Any

import attrs
import pytest

from commerce_adapters.fake.payments import FakeGateway
from commerce_core.accounts.policy import RULES, Action, Actor, Role, allowed
from commerce_core.catalog.service import VariantSpec
from commerce_core.clock import ManualClock
from commerce_core.errors import Forbidden, NotFound
from commerce_core.facade import Commerce
from commerce_core.money import Money
from commerce_core.pricing.coupons import Coupon, CouponKind
from tests.conftest import add_product, buy, make_shop, register

BUYER, STRANGER, SELLER_, RIVAL, ADMIN_ = "buyer", "stranger", "seller", "rival", "admin"
EVERYONE = frozenset({BUYER, STRANGER, SELLER_, RIVAL, ADMIN_})


@attrs.frozen
class World:
    shop: Commerce
    gateway: FakeGateway
    actors: dict[str, Actor]
    product_id: int
    variant_id: int
    order_id: int
    unpaid_id: int
    review_id: int

    @property
    def buyer(self) -> Actor:
        return self.actors[BUYER]

    @property
    def seller(self) -> Actor:
        return self.actors[SELLER_]


def build_world() -> World:
    gateway = FakeGateway()
    shop = make_shop(ManualClock(), gateway)
    shop.accounts.create_admin("admin@example.com", "root-horse-42", "Ada")
    admin = shop.accounts.authenticate(
        shop.accounts.login("admin@example.com", "root-horse-42").token)
    actors = {BUYER: register(shop, "buyer@example.com"),
              STRANGER: register(shop, "stranger@example.com"),
              SELLER_: register(shop, "seller@example.com", role="seller"),
              RIVAL: register(shop, "rival@example.com", role="seller"),
              ADMIN_: admin}
    category = shop.catalog.create_category(admin, "Things").id
    product = add_product(shop, category, "Lamp", stock=10, seller=actors[SELLER_])
    order_id = buy(shop, product.id, 2, actors[BUYER])
    unpaid_id = buy(shop, product.id, 1, actors[BUYER], token=None)
    review = shop.reviews.write(actors[BUYER], product.id, 4, "Nice lamp")
    return World(shop, gateway, actors, product.id, product.variants[0].id, order_id, unpaid_id,
                 review.id)


def _item(w: World) -> int:
    return w.shop.orders.get(w.order_id, w.buyer).items[0].id


def _payment(w: World) -> int:
    return w.shop.payments.for_order(w.order_id, w.buyer)[0].id


TODAY = date(2026, 1, 15)
UseCase = Callable[[World, Actor], Any]
CASES: dict[str, tuple[UseCase, AbstractSet[str]]] = {
    # customers, on what they own
    "view cart": (lambda w, a: w.shop.cart.get(a), EVERYONE),
    "view order": (lambda w, a: w.shop.orders.get(w.order_id, a), {BUYER, ADMIN_}),
    "order history of the buyer": (
        lambda w, a: w.shop.orders.history(a, user_id=w.buyer.user_id), {BUYER, ADMIN_}),
    "cancel order": (lambda w, a: w.shop.orders.cancel(w.order_id, a), {BUYER, ADMIN_}),
    "view payment": (lambda w, a: w.shop.payments.get(_payment(w), a), {BUYER, ADMIN_}),
    "pay for an unpaid order": (lambda w, a: w.shop.checkout.pay(a, w.unpaid_id, "tok_visa"),
                                {BUYER, ADMIN_}),
    "view profile": (lambda w, a: w.shop.accounts.profile(a, w.buyer.user_id), {BUYER, ADMIN_}),
    "view addresses": (lambda w, a: w.shop.accounts.addresses(a, w.buyer.user_id),
                       {BUYER, ADMIN_}),
    "view recent activity": (lambda w, a: w.shop.activity.recent(a, user_id=w.buyer.user_id),
                             {BUYER, ADMIN_}),
    "view notification log": (
        lambda w, a: w.shop.notifications.history(a, user_id=w.buyer.user_id), {BUYER, ADMIN_}),
    "edit review": (lambda w, a: w.shop.reviews.edit(a, w.review_id, rating=1), {BUYER, ADMIN_}),
    "delete review": (lambda w, a: w.shop.reviews.delete(a, w.review_id), {BUYER, ADMIN_}),
    # sellers, on what they sell
    "create product for the seller": (
        lambda w, a: w.shop.catalog.create_product(
            a, seller_id=w.seller.user_id, name="Shade", category_id=w.shop.catalog
            .get_product(w.product_id).category_id, variants=[VariantSpec("SHADE-1", "5")]),
        {SELLER_, ADMIN_}),
    "rename product": (lambda w, a: w.shop.catalog.update_product(a, w.product_id, name="X"),
                       {SELLER_, ADMIN_}),
    "set price": (lambda w, a: w.shop.catalog.set_price(a, w.variant_id, "9.99"),
                  {SELLER_, ADMIN_}),
    "add variant": (lambda w, a: w.shop.catalog.add_variant(
        a, w.product_id, VariantSpec("LAMP-XL", "20", {"size": "XL"})), {SELLER_, ADMIN_}),
    "the seller's own products": (
        lambda w, a: w.shop.catalog.seller_products(a, seller_id=w.seller.user_id),
        {SELLER_, ADMIN_}),
    "one of the seller's own products": (
        lambda w, a: w.shop.catalog.seller_product(a, w.product_id), {SELLER_, ADMIN_}),
    "deactivate product": (lambda w, a: w.shop.catalog.deactivate_product(a, w.product_id),
                           {SELLER_, ADMIN_}),
    "restock": (lambda w, a: w.shop.inventory.restock(a, w.variant_id, 5), {SELLER_, ADMIN_}),
    "adjust stock": (lambda w, a: w.shop.inventory.adjust(a, w.variant_id, -1, "broken"),
                     {SELLER_, ADMIN_}),
    "stock movements": (lambda w, a: w.shop.inventory.movements(a, w.variant_id),
                        {SELLER_, ADMIN_}),
    "low stock of the seller": (
        lambda w, a: w.shop.inventory.low_stock(a, w.seller.user_id), {SELLER_, ADMIN_}),
    "seller inventory view": (lambda w, a: w.shop.sellers.inventory(a, w.seller.user_id),
                              {SELLER_, ADMIN_}),
    "seller order items": (lambda w, a: w.shop.sellers.orders(a, w.seller.user_id),
                           {SELLER_, ADMIN_}),
    "seller sales analytics": (
        lambda w, a: w.shop.analytics.seller_sales(a, TODAY, TODAY, w.seller.user_id),
        {SELLER_, ADMIN_}),
    "seller refunds report": (
        lambda w, a: w.shop.analytics.seller_refunds(a, TODAY, TODAY, w.seller.user_id),
        {SELLER_, ADMIN_}),
    "open the seller's store": (
        lambda w, a: w.shop.sellers.create_profile(a, "Lamp Co", seller_id=w.seller.user_id),
        {SELLER_, ADMIN_}),
    "refund order items": (lambda w, a: w.shop.sellers.refund_items(
        a, w.order_id, [_item(w)], "broken"), {SELLER_, ADMIN_}),
    "ship order items": (lambda w, a: w.shop.shipping.create_shipment(
        a, w.order_id, [_item(w)]), {SELLER_, ADMIN_}),
    "respond to review": (lambda w, a: w.shop.reviews.respond(a, w.review_id, "Thanks!"),
                          {SELLER_, ADMIN_}),
    "coupon for the seller's products": (lambda w, a: w.shop.add_coupon(a, Coupon(
        "LAMP10", CouponKind.PERCENT, Decimal(10), seller_id=w.seller.user_id)),
        {SELLER_, ADMIN_}),
    # admins only
    "refund a payment": (lambda w, a: w.shop.payments.refund(a, _payment(w), Money("1", "USD")),
                         {ADMIN_}),
    "shop-wide coupon": (lambda w, a: w.shop.add_coupon(a, Coupon(
        "ALL10", CouponKind.PERCENT, Decimal(10))), {ADMIN_}),
    "create category": (lambda w, a: w.shop.catalog.create_category(a, "Garden"), {ADMIN_}),
    "find users": (lambda w, a: w.shop.accounts.find_users(a), {ADMIN_}),
    "act as another account": (
        lambda w, a: w.shop.accounts.act_as(a, "seller@example.com"), {ADMIN_}),
    "create a user of any role": (lambda w, a: w.shop.accounts.create_user(
        a, "sam@example.com", "cobalt-horse-42", "Sam", "admin"), {ADMIN_}),
    "deactivate a user": (lambda w, a: w.shop.accounts.deactivate(a, w.buyer.user_id),
                          {ADMIN_}),
    "hide review": (lambda w, a: w.shop.reviews.hide(a, w.review_id, "spam"), {ADMIN_}),
    "fraud queue": (lambda w, a: w.shop.fraud.queue(a), {ADMIN_}),
    "dashboard": (lambda w, a: w.shop.analytics.dashboard(a, TODAY, TODAY), {ADMIN_}),
}


@pytest.mark.parametrize("who", sorted(EVERYONE))
@pytest.mark.parametrize("case", sorted(CASES))
def test_matrix(case: str, who: str) -> None:
    world = build_world()
    use_case, allowed_for = CASES[case]
    actor = world.actors[who]
    before = attrs.asdict(world.shop.orders.get(world.order_id, world.buyer))
    if who in allowed_for:
        use_case(world, actor)
        return
    with pytest.raises((Forbidden, NotFound)):
        use_case(world, actor)
    assert attrs.asdict(world.shop.orders.get(world.order_id, world.buyer)) == before
    assert world.shop.catalog.get_product(world.product_id).name == "Lamp"
    assert world.gateway.charge_count() == 1


def test_customers_are_refused_quietly_and_roles_loudly() -> None:
    world = build_world()
    stranger, rival = world.actors[STRANGER], world.actors[RIVAL]
    with pytest.raises(NotFound):  # whether the order exists is private
        world.shop.orders.get(world.order_id, stranger)
    with pytest.raises(Forbidden) as err:
        world.shop.catalog.update_product(rival, world.product_id, name="Mine")
    assert err.value.details == {"action": "manage_products", "role": "seller"}
    with pytest.raises(Forbidden):
        world.shop.catalog.create_category(stranger, "Mine")


def test_every_action_has_a_rule_and_admins_pass_each() -> None:
    assert set(RULES) == set(Action)
    for action in Action:
        assert allowed(Actor(1, Role.ADMIN), action, owner_id=None)
        if not RULES[action].roles:  # admin-only: nobody else, even on their own things
            assert not allowed(Actor(2, Role.SELLER), action, owner_id=2)
            assert not allowed(Actor(3, Role.CUSTOMER), action, owner_id=3)
