"""A typed client of the /api/v1 HTTP API, usable on its own (it needs httpx, not Falcon).

    with ApiClient("https://shop.example") as api:
        api.login("lamps@example.com", password)
        page = api.my_products(limit=50)

Methods take the SDK's own types (``VariantSpec``, ``Decimal``, ``date``) and return the API's
JSON shapes with amounts as exact ``Decimal``. A refused request raises the SDK's own error
class for its status (``NotFound``, ``ValidationError``, ``Forbidden``...) carrying the
server's code, message and details; a server that cannot be reached raises ``Unavailable``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, date
from decimal import Decimal
from typing import Any, cast

import httpx

from commerce_core import errors as e
from commerce_core.catalog.service import VariantSpec
from commerce_core.pagination import Page
from commerce_http import api
from commerce_http.api import common, seller
from commerce_http.contract import wire
from commerce_http.contract.client import Client, error_of, retry_after
from commerce_http.encoding import loads
from commerce_http.statuses import ERROR_OF

JSON = dict[str, Any]
API = "/api/v1"

# a request the server refused before reading it (too large) is bad input all the same
_ERRORS: dict[int, type[e.CommerceError]] = {**ERROR_OF, 413: e.ValidationError}


def _request_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)  # exact: the API takes amounts as strings or numbers
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot send {type(value).__name__} as JSON")


def _query(params: Mapping[str, Any]) -> dict[str, str]:
    out = {}
    for name, value in params.items():
        if value is None:
            continue
        out[name] = (str(value).lower() if isinstance(value, bool)
                     else value.isoformat() if isinstance(value, date) else str(value))
    return out


def _plain(value: Any) -> JSON:
    """A declared response as plain JSON values (ids and amounts as the wire's strings)."""
    plain: JSON = wire.to_builtins(value)
    return plain


def _moment(day: date) -> wire.Moment:
    return wire.Moment(day.year, day.month, day.day, tzinfo=UTC)


def _variant(spec: VariantSpec) -> seller.VariantIn:
    return seller.VariantIn(sku=spec.sku, price=wire.AmountIn(spec.price),
                            options=dict(spec.options), weight_grams=spec.weight_grams,
                            stock=spec.stock, reorder_level=spec.reorder_level)


def _product(*, name: str, category_id: int, variants: Sequence[VariantSpec],
             currency: str = "USD", description: str = "",
             attributes: Mapping[str, str] | None = None, images: Sequence[str] = (),
             tags: Sequence[str] = ()) -> seller.ProductIn:
    return seller.ProductIn(name=name, category_id=wire.Id(category_id), currency=currency,
                            description=description, attributes=dict(attributes or {}),
                            images=list(images), tags=list(tags),
                            variants=[_variant(v) for v in variants])


def _period(start: date, end: date) -> common.PeriodQuery:
    return common.PeriodQuery(from_=_moment(start), to=_moment(end))


class ApiClient(Client):
    """The contract's :class:`~commerce_http.contract.client.Client` (``call(operation,
    ...)``, typed) with the CLI's methods on top: each returns the API's JSON shapes as plain
    values (ids and amounts as the strings the wire carries). Methods of areas not yet
    declared in ``commerce_http.api`` go through :meth:`request` by path."""

    # Transport ------------------------------------------------------------------------------
    def request(self, method: str, path: str, *, params: Mapping[str, Any] | None = None,
             body: Any = None, headers: Mapping[str, str] | None = None) -> Any:
        """One request; the success envelope's ``data`` (or the whole body where the API
        sends no envelope, as /health does; None for 204)."""
        sent = dict(headers or {})
        if self.token:
            sent["Authorization"] = f"Bearer {self.token}"
        content = None
        if body is not None:
            content = json.dumps(body, default=_request_value).encode()
            sent["Content-Type"] = "application/json"
        for waited in range(self._waits + 1):
            try:
                response = self._http.request(method, path, params=_query(params or {}),
                                              content=content, headers=sent)
            except httpx.HTTPError as ex:
                raise e.Unavailable(f"cannot reach {self.base_url}: {ex}",
                                    {"url": self.base_url}) from None
            if response.status_code != 429 or waited == self._waits:
                break
            self._sleep(min(60.0, retry_after(response)))
        if response.status_code == 204:
            return None
        try:
            payload = loads(response.content)
        except ValueError:
            payload = None
        if response.status_code >= 400:
            raise error_of(response)
        if isinstance(payload, dict) and payload.get("status") == "success":
            return payload.get("data")
        return payload

    def _record(self, method: str, path: str, **request: Any) -> JSON:
        record: JSON = self.request(method, path, **request)
        return record

    def _page(self, key: str, path: str, params: Mapping[str, Any]) -> Page[JSON]:
        """A listing's page: ``key`` holds its items."""
        data = self.request("GET", path, params=params)
        return Page(data[key], data["total_count"], params["page"], params["limit"])

    def _rows(self, key: str, path: str, params: Mapping[str, Any] | None = None) -> list[JSON]:
        """A listing without pages: ``key`` holds its items."""
        rows: list[JSON] = self.request("GET", path, params=params)[key]
        return rows

    # Accounts -------------------------------------------------------------------------------
    def login(self, email: str, password: str) -> str:
        """Sign in; the access token (also kept for the following calls)."""
        data = self._record("POST", f"{API}/auth/login",
                            body={"email": email, "password": password})
        self.token = str(data["access_token"])
        return self.token

    def logout(self) -> None:
        """Revoke this client's token on the server."""
        self.request("POST", f"{API}/auth/logout")
        self.token = None

    def me(self) -> JSON:
        return self._record("GET", f"{API}/users/me")

    def health(self) -> JSON:
        return self._record("GET", "/health")

    # Admin: users ---------------------------------------------------------------------------
    def find_users(self, *, email: str | None = None, role: str | None = None,
                   is_active: bool | None = None, page: int = 1, limit: int = 20) -> Page[JSON]:
        found = self.call(api.admin.find_users, query=api.admin.UserQuery(
            email=email, role=cast(api.admin.RoleName | None, role), is_active=is_active,
            page=page, limit=limit))
        return Page(wire.to_builtins(found.users), found.total_count, page, limit)

    def user(self, user_id: int) -> JSON:
        return _plain(self.call(api.admin.get_user, user_id=user_id))

    def create_user(self, email: str, password: str, name: str, role: str = "customer"
                    ) -> JSON:
        # a role the API does not know goes as given: the server refuses it, naming it
        return _plain(self.call(api.admin.create_user, body=api.admin.NewUser(
            email=email, password=password, name=name, role=cast(api.admin.RoleName, role))))

    def set_active(self, user_id: int, active: bool) -> JSON:
        return _plain(self.call(api.admin.change_user, body=api.admin.UserChange(
            is_active=active), user_id=user_id))

    def change_role(self, user_id: int, role: str) -> JSON:
        return _plain(self.call(api.admin.change_user, body=api.admin.UserChange(
            role=cast(api.admin.RoleName, role)), user_id=user_id))

    # Admin: categories, fraud, figures ------------------------------------------------------
    def trending(self, limit: int = 10) -> list[JSON]:
        found = self.call(api.rankings.trending, query=api.rankings.RankingQuery(limit=limit))
        rows: list[JSON] = wire.to_builtins(found.products)
        return rows

    def top_sellers(self, limit: int = 10) -> list[JSON]:
        found = self.call(api.rankings.top_sellers,
                          query=api.rankings.RankingQuery(limit=limit))
        rows: list[JSON] = wire.to_builtins(found.sellers)
        return rows

    def category_tree(self) -> list[JSON]:
        rows: list[JSON] = wire.to_builtins(self.call(api.catalog.list_categories).categories)
        return rows

    def create_category(self, name: str, parent_id: int | None = None) -> JSON:
        return _plain(self.call(api.admin.create_category, body=api.admin.NewCategory(
            name=name, parent_id=None if parent_id is None else wire.Id(parent_id))))

    def rename_category(self, category_id: int, name: str) -> JSON:
        return _plain(self.call(api.admin.change_category,
                                body=api.admin.CategoryChange(name=name),
                                category_id=category_id))

    def move_category(self, category_id: int, parent_id: int | None) -> JSON:
        """``parent_id`` None: to the top."""
        return _plain(self.call(api.admin.change_category, body=api.admin.CategoryChange(
            parent_id=None if parent_id is None else wire.Id(parent_id)),
            category_id=category_id))

    def delete_category(self, category_id: int) -> None:
        self.call(api.admin.delete_category, category_id=category_id)

    def fraud_queue(self, status: str = "HELD", page: int = 1, limit: int = 20) -> Page[JSON]:
        found = self.call(api.admin.fraud_queue, query=api.admin.FraudQuery(
            status=cast(api.admin.FraudStatusName, status), page=page, limit=limit))
        return Page(wire.to_builtins(found.orders), found.total_count, page, limit)

    def approve_order(self, order_id: int, note: str = "") -> JSON:
        return _plain(self.call(api.admin.approve_order, body=api.admin.Decision(note=note),
                                order_id=order_id))

    def reject_order(self, order_id: int, note: str = "") -> JSON:
        return _plain(self.call(api.admin.reject_order, body=api.admin.Decision(note=note),
                                order_id=order_id))

    def dashboard(self, start: date, end: date) -> JSON:
        return _plain(self.call(api.admin.get_dashboard, query=common.PeriodQuery(
            from_=_moment(start), to=_moment(end))))

    # Seller: products -----------------------------------------------------------------------
    def my_products(self, page: int = 1, limit: int = 20) -> Page[JSON]:
        found = self.call(seller.list_my_products, query=common.PageQuery(page=page,
                                                                          limit=limit))
        return Page(wire.to_builtins(found.products), found.total_count, page, limit)

    def my_product(self, product_id: int) -> JSON:
        """One of my products, withdrawn or not, as ``my_products`` lists them."""
        return _plain(self.call(seller.get_my_product, product_id=product_id))

    def create_product(self, *, name: str, category_id: int, variants: Sequence[VariantSpec],
                       currency: str = "USD", description: str = "",
                       attributes: Mapping[str, str] | None = None, images: Sequence[str] = (),
                       tags: Sequence[str] = ()) -> JSON:
        return _plain(self.call(seller.create_product, body=_product(
            name=name, category_id=category_id, variants=variants, currency=currency,
            description=description, attributes=attributes, images=images, tags=tags)))

    def import_products(self, products: Sequence[Mapping[str, Any]]) -> JSON:
        """Create many products in one request (``create_product``'s keywords each, at most
        ``seller.MAX_IMPORT``): ``{"created": [{"row", "product_id"}], "refused": [{"row",
        "code", "message", "details"}]}``, rows counted from 0. A row the API cannot read
        refuses the whole request (ValidationError naming ``products.<row>.<field>``)."""
        return _plain(self.call(seller.import_products, body=seller.ProductsImport(
            products=[_product(**p) for p in products])))

    def update_product(self, product_id: int, **changes: Any) -> JSON:
        """Change name, description, category_id, attributes, images, tags or is_active."""
        unknown = sorted(set(changes) - set(seller.ProductChange.__struct_fields__))
        if unknown:
            raise e.ValidationError(f"cannot change {', '.join(unknown)}",
                                    {f: "not editable" for f in unknown})
        return _plain(self.call(seller.change_product, body=seller.ProductChange(**changes),
                               product_id=product_id))

    def add_variant(self, product_id: int, spec: VariantSpec) -> JSON:
        return _plain(self.call(seller.add_variant, body=_variant(spec), product_id=product_id))

    def set_price(self, variant_id: int, price: Decimal) -> JSON:
        return _plain(self.call(seller.set_price,
                               body=seller.PriceChange(price=wire.AmountIn(price)),
                               variant_id=variant_id))

    # Seller: stock --------------------------------------------------------------------------
    def inventory(self, low_only: bool = False) -> list[JSON]:
        rows: list[JSON] = wire.to_builtins(self.call(
            seller.list_my_stock, query=seller.InventoryQuery(low=low_only)).inventory)
        return rows

    def _change_stock(self, variant_id: int, change: seller.StockChange) -> JSON:
        return _plain(self.call(seller.change_stock, body=change, variant_id=variant_id))

    def restock(self, variant_id: int, quantity: int) -> JSON:
        return self._change_stock(variant_id, seller.StockChange(restock=quantity))

    def adjust_stock(self, variant_id: int, delta: int, reason: str) -> JSON:
        return self._change_stock(variant_id, seller.StockChange(adjust=delta, reason=reason))

    def set_reorder_level(self, variant_id: int, level: int) -> JSON:
        return self._change_stock(variant_id, seller.StockChange(reorder_level=level))

    # Seller: orders, refunds, reviews, figures ----------------------------------------------
    def seller_orders(self, status: str | None = None, page: int = 1, limit: int = 20
                      ) -> Page[JSON]:
        found = self.call(seller.list_my_orders, query=seller.SellerOrdersQuery(
            status=status, page=page, limit=limit))  # type: ignore[arg-type]  # the server checks
        return Page(wire.to_builtins(found.orders), found.total_count, page, limit)

    def refund_items(self, order_id: int, item_ids: Sequence[int], reason: str,
                     restock: bool = False, idempotency_key: str | None = None) -> JSON:
        return _plain(self.call(seller.refund_items, body=seller.ItemsRefundIn(
            order_item_ids=[wire.Id(i) for i in item_ids], reason=reason, restock=restock),
            idempotency_key=idempotency_key, order_id=order_id))

    def seller_refunds(self, start: date, end: date) -> list[JSON]:
        rows: list[JSON] = wire.to_builtins(self.call(
            seller.list_my_refunds, query=_period(start, end)).refunds)
        return rows

    def product_reviews(self, product_id: int, page: int = 1, limit: int = 20,
                        unanswered: bool = False) -> JSON:
        """A page of a product's visible reviews, newest first, with its rating figures."""
        return _plain(self.call(api.reviews.list_reviews, query=api.reviews.ReviewQuery(
            sort="recent", page=page, limit=limit, unanswered=unanswered),
            product_id=product_id))

    def respond_to_review(self, review_id: int, text: str) -> JSON:
        return _plain(self.call(api.reviews.answer_review,
                                body=api.reviews.Answer(comment=text), review_id=review_id))

    def seller_sales(self, start: date, end: date) -> JSON:
        return _plain(self.call(seller.get_my_sales, query=_period(start, end)))
