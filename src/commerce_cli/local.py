"""The library itself behind the CLI, with the same methods and the same JSON shapes as
:class:`commerce_http.client.ApiClient`, so every command has one code path for both modes.

Results go through the API's own JSON encoding (``plain``): a table or ``--json`` printed
in local mode is what remote mode prints for the same shop.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from commerce_core.accounts.policy import Actor
from commerce_core.catalog.service import ProductDetail, VariantSpec
from commerce_core.facade import Commerce
from commerce_core.pagination import Page
from commerce_http.client import JSON
from commerce_http.encoding import plain
from commerce_http.render.orders import order_body
from commerce_http.render.rankings import ranked_body


def _one(value: Any) -> JSON:
    data: JSON = plain(value)
    return data


def _page(page: Page[Any], render: Callable[[Any], Any] = lambda i: i.as_dict()
          ) -> Page[JSON]:
    return Page([_one(render(i)) for i in page.items], page.total_count, page.page,
                page.limit)


class LocalShop:
    """``shop`` acting as ``actor`` (the operator's admin, or the seller named by ``--as``)."""

    def __init__(self, shop: Commerce, actor: Actor) -> None:
        self.shop = shop
        self.actor = actor

    # Admin: users ---------------------------------------------------------------------------
    def find_users(self, *, email: str | None = None, role: str | None = None,
                   is_active: bool | None = None, page: int = 1, limit: int = 20) -> Page[JSON]:
        return _page(self.shop.accounts.find_users(self.actor, email=email, role=role,
                                                   is_active=is_active, page=page, limit=limit))

    def user(self, user_id: int) -> JSON:
        return _one(self.shop.accounts.profile(self.actor, user_id).as_dict())

    def create_user(self, email: str, password: str, name: str, role: str = "customer"
                    ) -> JSON:
        return _one(self.shop.accounts.create_user(self.actor, email, password, name,
                                                    role).as_dict())

    def set_active(self, user_id: int, active: bool) -> JSON:
        return _one(self.shop.accounts.set_active(self.actor, user_id, active).as_dict())

    def change_role(self, user_id: int, role: str) -> JSON:
        return _one(self.shop.accounts.change_role(self.actor, user_id, role).as_dict())

    # Rankings ---------------------------------------------------------------------------------
    def trending(self, limit: int = 10) -> list[JSON]:
        return [_one(r) for r in ranked_body("product_id", self.shop.rankings.trending(limit))]

    def top_sellers(self, limit: int = 10) -> list[JSON]:
        return [_one(r) for r in ranked_body("seller_id",
                                             self.shop.rankings.top_sellers(limit))]

    # Admin: categories, fraud, figures ------------------------------------------------------
    def category_tree(self) -> list[JSON]:
        tree: list[JSON] = plain(self.shop.catalog.category_tree())
        return tree

    def create_category(self, name: str, parent_id: int | None = None) -> JSON:
        return _one(self.shop.catalog.create_category(self.actor, name, parent_id).as_dict())

    def rename_category(self, category_id: int, name: str) -> JSON:
        return _one(self.shop.catalog.rename_category(self.actor, category_id, name).as_dict())

    def move_category(self, category_id: int, parent_id: int | None) -> JSON:
        return _one(self.shop.catalog.move_category(self.actor, category_id,
                                                     parent_id).as_dict())

    def delete_category(self, category_id: int) -> None:
        self.shop.catalog.delete_category(self.actor, category_id)

    def fraud_queue(self, status: str = "HELD", page: int = 1, limit: int = 20) -> Page[JSON]:
        return _page(self.shop.fraud.queue(self.actor, status, page, limit))

    def approve_order(self, order_id: int, note: str = "") -> JSON:
        return _one(self.shop.fraud.approve(self.actor, order_id, note).as_dict())

    def reject_order(self, order_id: int, note: str = "") -> JSON:
        return _one(self.shop.fraud.reject(self.actor, order_id, note).as_dict())

    def dashboard(self, start: date, end: date) -> JSON:
        return _one(self.shop.analytics.dashboard(self.actor, start, end).as_dict())

    # Seller: products -----------------------------------------------------------------------
    def my_products(self, page: int = 1, limit: int = 20) -> Page[JSON]:
        return _page(self.shop.catalog.seller_products(self.actor, page=page, limit=limit),
                     ProductDetail.as_seller_dict)

    def my_product(self, product_id: int) -> JSON:
        return _one(self.shop.catalog.seller_product(self.actor, product_id).as_seller_dict())

    def _detail(self, product_id: int) -> JSON:
        return _one(self.shop.catalog.product_detail(product_id, include_inactive=True)
                     .as_dict())

    def create_product(self, *, name: str, category_id: int, variants: Sequence[VariantSpec],
                       currency: str = "USD", description: str = "",
                       attributes: Mapping[str, str] | None = None, images: Sequence[str] = (),
                       tags: Sequence[str] = ()) -> JSON:
        product = self.shop.catalog.create_product(
            self.actor, name=name, category_id=category_id, variants=variants,
            currency=currency, description=description, attributes=attributes, images=images,
            tags=tags)
        return self._detail(product.id)

    def update_product(self, product_id: int, **changes: Any) -> JSON:
        self.shop.catalog.update_product(self.actor, product_id, **changes)
        return self._detail(product_id)

    def add_variant(self, product_id: int, spec: VariantSpec) -> JSON:
        self.shop.catalog.add_variant(self.actor, product_id, spec)
        return self._detail(product_id)

    def set_price(self, variant_id: int, price: Decimal) -> JSON:
        return _one(self.shop.catalog.set_price(self.actor, variant_id, price).as_dict())

    # Seller: stock --------------------------------------------------------------------------
    def inventory(self, low_only: bool = False) -> list[JSON]:
        rows: list[JSON] = plain([r.as_dict() for r in self.shop.sellers.inventory(
            self.actor, low_only=low_only)])
        return rows

    def restock(self, variant_id: int, quantity: int) -> JSON:
        return _one(self.shop.inventory.restock(self.actor, variant_id, quantity).as_dict())

    def adjust_stock(self, variant_id: int, delta: int, reason: str) -> JSON:
        return _one(self.shop.inventory.adjust(self.actor, variant_id, delta, reason)
                     .as_dict())

    def set_reorder_level(self, variant_id: int, level: int) -> JSON:
        return _one(self.shop.inventory.set_reorder_level(self.actor, variant_id, level)
                     .as_dict())

    # Seller: orders, refunds, reviews, figures ----------------------------------------------
    def seller_orders(self, status: str | None = None, page: int = 1, limit: int = 20
                      ) -> Page[JSON]:
        return _page(self.shop.sellers.orders(self.actor, status=status, page=page,
                                              limit=limit), order_body)

    def refund_items(self, order_id: int, item_ids: Sequence[int], reason: str,
                     restock: bool = False, idempotency_key: str | None = None) -> JSON:
        return _one(self.shop.sellers.refund_items(
            self.actor, order_id, item_ids, reason, restock=restock,
            idempotency_key=idempotency_key).as_dict())

    def seller_refunds(self, start: date, end: date) -> list[JSON]:
        rows: list[JSON] = plain([r.as_dict() for r in self.shop.analytics.seller_refunds(
            self.actor, start, end)])
        return rows

    def product_reviews(self, product_id: int, page: int = 1, limit: int = 20,
                        unanswered: bool = False) -> JSON:
        return _one(self.shop.reviews.list(product_id, sort="recent", page=page, limit=limit,
                                           unanswered=unanswered).as_dict())

    def respond_to_review(self, review_id: int, text: str) -> JSON:
        return _one(self.shop.reviews.respond(self.actor, review_id, text).as_dict())

    def seller_sales(self, start: date, end: date) -> JSON:
        return _one(self.shop.analytics.seller_sales(self.actor, start, end).as_dict())
