"""The seller area: their products and prices, stock, orders, refunds, store profile, figures.

Everything acts for the signed-in seller; the core's policy refuses other sellers' records
(and customers, an admin may look at any seller's)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

import msgspec

from commerce_core.accounts.policy import Role
from commerce_core.address import Address
from commerce_core.analytics.service import SalesReport, period
from commerce_core.catalog.imports import NewProduct
from commerce_core.catalog.model import MAX_DESCRIPTION, Variant
from commerce_core.catalog.service import ProductDetail, VariantSpec
from commerce_core.errors import CommerceError, ValidationError
from commerce_core.facade import Commerce
from commerce_core.inventory.model import StockItem
from commerce_core.orders.model import Order
from commerce_core.sellers.model import SellerProfile
from commerce_core.sellers.service import StockRow
from commerce_http.api import catalog
from commerce_http.api.catalog import (
    ProductOut,
    VariantOut,
    product_out,
    sellers_of,
    variant_outs,
)
from commerce_http.api.common import PageQuery, PeriodQuery
from commerce_http.api.orders import OrderItemOut, TimelineEntryOut
from commerce_http.api.payments import RefundOut, refund_out
from commerce_http.contract.operation import Call, Operation
from commerce_http.contract.wire import (
    Amount,
    AmountIn,
    Body,
    Day,
    Id,
    Limit,
    Model,
    Page,
    Query,
    Text100,
    Text200,
    Text255,
    Text500,
    Text10000,
    Timestamp,
    money,
)

API = "/api/v1"
SELLERS = frozenset({Role.SELLER, Role.ADMIN})  # an admin may look at any seller's
MAX_UNITS = 10**9
MAX_IMPORT = 1000  # products in one import request (and the body stays under its size limit)

Entries = Annotated[list[Text500], msgspec.Meta(max_length=50)]
Pairs = Annotated[dict[Text500, Text500], msgspec.Meta(max_length=50)]
Options = Annotated[dict[Text100, Text100], msgspec.Meta(max_length=50)]
Description = Annotated[str, msgspec.Meta(max_length=MAX_DESCRIPTION)]  # newlines allowed
Units = Annotated[int, msgspec.Meta(ge=0, le=MAX_UNITS)]
Currency = Annotated[str, msgspec.Meta(pattern="^[A-Za-z]{3}$")]
OrderStatus = Literal["PENDING", "CONFIRMED", "SHIPPED", "DELIVERED", "CANCELLED"]
PaymentStatus = Literal["PENDING", "COMPLETED", "FAILED", "PARTIALLY_REFUNDED", "REFUNDED"]


# Products ---------------------------------------------------------------------------------
class VariantIn(Body):
    sku: Text100
    price: AmountIn
    options: Options = msgspec.field(default_factory=dict)
    weight_grams: Annotated[int, msgspec.Meta(ge=0, le=10**7)] = 0
    stock: Units = 0  # opening stock
    reorder_level: Units = 0


class ProductIn(Body):
    """``variants``, or the seed's single-price product: ``price`` (and ``sku``, ``stock``)."""

    name: Text255
    category_id: Id
    variants: Annotated[list[VariantIn], msgspec.Meta(min_length=1, max_length=100)] | None = None
    price: AmountIn | None = None
    sku: Text100 | None = None
    stock: Units = 0
    currency: Currency = "USD"
    description: Description = ""
    attributes: Pairs = msgspec.field(default_factory=dict)
    images: Entries = msgspec.field(default_factory=list)
    tags: Entries = msgspec.field(default_factory=list)


class ProductChange(Body):
    """A field left out (or null) is unchanged."""

    name: Text255 | None = None
    description: Description | None = None
    category_id: Id | None = None
    attributes: Pairs | None = None
    images: Entries | None = None
    tags: Entries | None = None
    is_active: bool | None = None


class SellerVariantOut(VariantOut):
    reorder_level: int


class SellerProductOut(ProductOut):
    """The detail as its seller's tools see it (and export it): also the product's own
    attributes apart from its variants' options, and each variant's reorder level."""

    variants: list[SellerVariantOut]  # type: ignore[assignment]  # the same, with more
    own_attributes: dict[str, str]


class SellerProductsOut(Model):
    products: list[SellerProductOut]
    total_count: int


class ProductsImport(Body):
    products: Annotated[list[ProductIn], msgspec.Meta(min_length=1, max_length=MAX_IMPORT)]


class ImportedOut(Model):
    row: int  # its index in ``products``, from 0
    product_id: Id


class RowRefusedOut(Model):
    row: int
    code: str
    message: str
    details: dict[str, Any]


class ImportOut(Model):
    created: list[ImportedOut]
    refused: list[RowRefusedOut]


class PricedVariantOut(Model):
    variant_id: Id
    product_id: Id
    sku: str
    price: Amount
    currency: str
    options: dict[str, str]
    weight_grams: int


class PriceChange(Body):
    price: AmountIn


def _spec(v: VariantIn) -> VariantSpec:
    return VariantSpec(v.sku, v.price, dict(v.options), v.weight_grams, v.stock,
                       v.reorder_level)


def _variants(b: ProductIn) -> list[VariantSpec]:
    if b.variants is not None:
        return [_spec(v) for v in b.variants]
    if b.price is None:
        raise ValidationError("variants (or a price) are required", {"variants": "required"})
    return [VariantSpec(b.sku, b.price, stock=b.stock)]  # type: ignore[arg-type]  # the core names a missing SKU


def seller_product_out(shop: Commerce, detail: ProductDetail,
                       seller: catalog.SellerOut | None = None) -> SellerProductOut:
    base = product_out(shop, detail, seller)
    variants = [SellerVariantOut(
        **{f: getattr(v, f) for f in v.__struct_fields__},
        reorder_level=detail.stock[v.variant_id].reorder_level
        if v.variant_id in detail.stock else 0) for v in variant_outs(detail)]
    fields = {f: getattr(base, f) for f in base.__struct_fields__ if f != "variants"}
    return SellerProductOut(**fields, variants=variants,
                            own_attributes=dict(detail.product.attributes))


def priced_variant_out(v: Variant) -> PricedVariantOut:
    return PricedVariantOut(variant_id=Id(v.id), product_id=Id(v.product_id), sku=v.sku,
                            price=money(v.price), currency=v.price.currency,
                            options=dict(v.options), weight_grams=v.weight_grams)


def _detail(shop: Commerce, product_id: int) -> ProductOut:
    return product_out(shop, shop.catalog.product_detail(product_id, include_inactive=True))


def _create_product(call: Call[object, ProductIn]) -> ProductOut:
    b = call.body
    product = call.shop.catalog.create_product(
        call.who(), name=b.name, category_id=int(b.category_id), variants=_variants(b),
        currency=b.currency, description=b.description, attributes=dict(b.attributes),
        images=list(b.images), tags=list(b.tags))
    return _detail(call.shop, product.id)


def _import_products(call: Call[object, ProductsImport]) -> ImportOut:
    """The core's bulk import over the request's rows; a row without variants (or a price)
    is refused here, with its own index, as the core would refuse it."""
    rows: list[NewProduct] = []
    index: list[int] = []  # request row of each row given to the core
    refused: list[RowRefusedOut] = []
    for n, b in enumerate(call.body.products):
        try:
            variants = _variants(b)
        except ValidationError as ex:
            refused.append(_refused(n, ex))
            continue
        rows.append(NewProduct(b.name, int(b.category_id), variants, b.currency, b.description,
                               dict(b.attributes), list(b.images), list(b.tags)))
        index.append(n)
    done = call.shop.catalog.import_products(call.who(), rows)
    refused += [_refused(index[r.row], r.error) for r in done.refused]
    return ImportOut(created=[ImportedOut(row=index[row], product_id=Id(product_id))
                              for row, product_id in done.created],
                     refused=sorted(refused, key=lambda r: r.row))


def _refused(row: int, error: CommerceError) -> RowRefusedOut:
    return RowRefusedOut(row=row, code=error.code, message=error.message,
                         details=dict(error.details))


def _change_product(call: Call[object, ProductChange]) -> ProductOut:
    b = call.body
    changes = {f: getattr(b, f) for f in b.__struct_fields__ if getattr(b, f) is not None}
    if "category_id" in changes:
        changes["category_id"] = int(changes["category_id"])
    product_id = call.path["product_id"]
    call.shop.catalog.update_product(call.who(), product_id, **changes)
    return _detail(call.shop, product_id)


def _add_variant(call: Call[object, VariantIn]) -> ProductOut:
    product_id = call.path["product_id"]
    call.shop.catalog.add_variant(call.who(), product_id, _spec(call.body))
    return _detail(call.shop, product_id)


def _my_products(call: Call[PageQuery, None]) -> SellerProductsOut:
    q = call.query
    who = call.who()
    found = call.shop.catalog.seller_products(who, page=q.page, limit=q.limit)
    faces = sellers_of(call.shop, (d.product.seller_id for d in found.items))  # one read
    return SellerProductsOut(products=[seller_product_out(call.shop, d,
                                                          faces[d.product.seller_id])
                                       for d in found.items],
                             total_count=found.total_count)


def _my_product(call: Call[object, None]) -> SellerProductOut:
    return seller_product_out(call.shop, call.shop.catalog.seller_product(
        call.who(), call.path["product_id"]))


def _set_price(call: Call[object, PriceChange]) -> PricedVariantOut:
    return priced_variant_out(call.shop.catalog.set_price(
        call.who(), call.path["variant_id"], call.body.price))


# Stock ------------------------------------------------------------------------------------
class StockOut(Model):
    """The seed's inventory record."""

    variant_id: Id
    product_id: Id
    quantity_available: int
    quantity_reserved: int
    quantity_sold: int
    reorder_level: int
    low_stock: bool


class StockChange(Body):
    """Each change given is made, in this order: restock, adjust (with its reason), the
    reorder level."""

    restock: Annotated[int, msgspec.Meta(ge=1, le=MAX_UNITS)] | None = None
    adjust: Annotated[int, msgspec.Meta(ge=-MAX_UNITS, le=MAX_UNITS)] | None = None
    reason: Text255 | None = None  # why an adjustment (kept with its movement)
    reorder_level: Units | None = None


class StockRowOut(Model):
    variant_id: Id
    product_id: Id
    sku: str
    product_name: str
    available: int
    reserved: int
    sold: int
    reorder_level: int
    low_stock: bool


class InventoryOut(Model):
    inventory: list[StockRowOut]


class InventoryQuery(Query):
    low: bool = False  # only what is at or below its reorder level


def stock_out(s: StockItem) -> StockOut:
    return StockOut(variant_id=Id(s.variant_id), product_id=Id(s.product_id),
                    quantity_available=s.available, quantity_reserved=s.reserved,
                    quantity_sold=s.sold, reorder_level=s.reorder_level, low_stock=s.is_low)


def stock_row_out(r: StockRow) -> StockRowOut:
    s = r.stock
    return StockRowOut(variant_id=Id(s.variant_id), product_id=Id(s.product_id), sku=r.sku,
                       product_name=r.product_name, available=s.available,
                       reserved=s.reserved, sold=s.sold, reorder_level=s.reorder_level,
                       low_stock=s.is_low)


def _stock(call: Call[object, None]) -> StockOut:
    return stock_out(call.shop.inventory.stock(call.who(), call.path["variant_id"]))


def _change_stock(call: Call[object, StockChange]) -> StockOut:
    b, who, variant_id = call.body, call.who(), call.path["variant_id"]
    if b.adjust is not None and not (b.reason or "").strip():
        raise ValidationError("an adjustment needs a reason", {"reason": "required"})
    item = call.shop.inventory.stock(who, variant_id)
    if b.restock is not None:
        item = call.shop.inventory.restock(who, variant_id, b.restock)
    if b.adjust is not None:
        item = call.shop.inventory.adjust(who, variant_id, b.adjust, b.reason or "")
    if b.reorder_level is not None:
        item = call.shop.inventory.set_reorder_level(who, variant_id, b.reorder_level)
    return stock_out(item)


def _inventory(call: Call[InventoryQuery, None]) -> InventoryOut:
    rows = call.shop.sellers.inventory(call.who(), low_only=call.query.low)
    return InventoryOut(inventory=[stock_row_out(r) for r in rows])


# Orders and refunds -----------------------------------------------------------------------
class AddressOut(Model):
    line1: str
    city: str
    postal_code: str
    country: str
    region: str
    line2: str
    name: str


class SellerOrderOut(Model):
    """An order as its seller sees it: only their items."""

    order_id: Id
    order_number: str
    user_id: Id
    status: OrderStatus
    payment_status: PaymentStatus
    currency: str
    subtotal: Amount
    discount: Amount
    shipping_cost: Amount
    tax: Amount
    total_amount: Amount
    coupon_code: str | None
    items: list[OrderItemOut]
    shipping_address: AddressOut
    billing_address: AddressOut
    timeline: list[TimelineEntryOut]
    created_at: Timestamp
    updated_at: Timestamp


class SellerOrdersOut(Model):
    orders: list[SellerOrderOut]
    total_count: int


class SellerOrdersQuery(Query):
    status: OrderStatus | None = None
    page: Page = 1
    limit: Limit = 20


def _address(a: Address) -> AddressOut:
    return AddressOut(line1=a.line1, city=a.city, postal_code=a.postal_code, country=a.country,
                      region=a.region, line2=a.line2, name=a.name)


def seller_order_out(o: Order) -> SellerOrderOut:
    return SellerOrderOut(
        order_id=Id(o.id), order_number=o.number, user_id=Id(o.user_id),
        status=o.status.value, payment_status=o.payment_status.value, currency=o.currency,
        subtotal=money(o.subtotal), discount=money(o.discount), shipping_cost=money(o.shipping),
        tax=money(o.tax), total_amount=money(o.total), coupon_code=o.coupon_code,
        items=[OrderItemOut(
            order_item_id=Id(i.id), product_id=Id(i.product_id), variant_id=Id(i.variant_id),
            sku=i.sku, product_name=i.product_name, seller_id=Id(i.seller_id),
            quantity=i.quantity, unit_price=money(i.unit_price), total_price=money(i.total),
            status=i.status.value) for i in o.items],
        shipping_address=_address(o.shipping_address),
        billing_address=_address(o.billing_address),
        timeline=[TimelineEntryOut(event=e.event, timestamp=e.timestamp, note=e.note)
                  for e in o.timeline],
        created_at=o.created_at, updated_at=o.updated_at)


def _orders(call: Call[SellerOrdersQuery, None]) -> SellerOrdersOut:
    q = call.query
    found = call.shop.sellers.orders(call.who(), status=q.status, page=q.page, limit=q.limit)
    return SellerOrdersOut(orders=[seller_order_out(o) for o in found.items],
                           total_count=found.total_count)


class ItemsRefundIn(Body):
    order_item_ids: Annotated[list[Id], msgspec.Meta(min_length=1, max_length=500)]
    reason: Text500  # told to the customer
    restock: bool = False  # put the items back on the shelf


class RefundsOut(Model):
    refunds: list[RefundOut]


def _refund(call: Call[object, ItemsRefundIn]) -> RefundOut:
    b = call.body
    return refund_out(call.shop.sellers.refund_items(
        call.who(), call.path["order_id"], [int(i) for i in b.order_item_ids], b.reason,
        restock=b.restock, idempotency_key=call.idempotency_key))


def _period(call: Call[PeriodQuery, None]) -> tuple[date, date]:
    q = call.query
    return period(q.from_ and q.from_.date(), q.to and q.to.date(),
                  call.shop.clock.now().date())


def _refunds(call: Call[PeriodQuery, None]) -> RefundsOut:
    start, end = _period(call)
    return RefundsOut(refunds=[refund_out(r) for r in
                               call.shop.analytics.seller_refunds(call.who(), start, end)])


# Figures ----------------------------------------------------------------------------------
Amounts = dict[str, Amount]  # per currency


class DayOut(Model):
    date: Day
    orders: int
    units: int
    revenue: Amounts


class TopProductOut(Model):
    product_id: Id
    name: str
    units: int
    revenue: Amounts


class SalesOut(Model):
    """Revenue is the items' subtotal net of discounts, before tax and shipping; only paid
    orders count."""

    seller_id: Id
    start: Day
    end: Day
    revenue: Amounts
    units: int
    orders: int
    refunds: Amounts
    average_rating: float | None
    per_day: list[DayOut]
    top_products: list[TopProductOut]


def _amounts(by_currency: dict[str, Decimal]) -> Amounts:
    return {currency: money(amount, currency) for currency, amount in by_currency.items()}


def sales_out(r: SalesReport) -> SalesOut:
    return SalesOut(
        seller_id=Id(r.seller_id), start=r.start, end=r.end, revenue=_amounts(r.revenue),
        units=r.units, orders=r.orders, refunds=_amounts(r.refunds),
        average_rating=None if r.average_rating is None else float(r.average_rating),
        per_day=[DayOut(date=date.fromisoformat(d["date"]), orders=d["orders"],
                        units=d["units"], revenue=_amounts(d["revenue"])) for d in r.per_day],
        top_products=[TopProductOut(product_id=Id(t["product_id"]), name=t["name"],
                                    units=t["units"], revenue=_amounts(t["revenue"]))
                      for t in r.top_products])


def _sales(call: Call[PeriodQuery, None]) -> SalesOut:
    start, end = _period(call)
    return sales_out(call.shop.analytics.seller_sales(call.who(), start, end))


# Store profile ----------------------------------------------------------------------------
StoreName = Text200  # the core allows 120 and says so
StoreText = Text10000  # the core allows 5000 and says so


class ProfileIn(Body):
    store_name: StoreName
    description: StoreText = ""


class StoreChange(Body):
    """A field left out (or null) is unchanged."""

    store_name: StoreName | None = None
    description: StoreText | None = None


class SellerProfileOut(Model):
    seller_id: Id
    store_name: str
    description: str
    rating: float | None
    review_count: int
    since: Timestamp


def profile_out(p: SellerProfile) -> SellerProfileOut:
    return SellerProfileOut(seller_id=Id(p.user_id), store_name=p.store_name,
                            description=p.description,
                            rating=None if p.rating is None else float(p.rating),
                            review_count=p.rating_count, since=p.created_at)


def _open_store(call: Call[object, ProfileIn]) -> SellerProfileOut:
    b = call.body
    return profile_out(call.shop.sellers.create_profile(call.who(), b.store_name,
                                                        b.description))


def _change_store(call: Call[object, StoreChange]) -> SellerProfileOut:
    b = call.body
    return profile_out(call.shop.sellers.update_profile(call.who(), store_name=b.store_name,
                                                        description=b.description))


# Declarations -----------------------------------------------------------------------------
create_product = Operation(
    "POST", f"{API}/products", "create_product",
    "List a product: its variants (or the seed's single price) with their opening stock",
    _create_product, body=ProductIn, response=ProductOut, status=201, errors=(404, 409),
    tag="seller")
import_products = Operation(
    "POST", f"{API}/seller/products/import", "import_products",
    f"List many products in one request (at most {MAX_IMPORT}): each made whole or refused "
    "with its row and reason", _import_products, body=ProductsImport, response=ImportOut,
    roles=SELLERS, tag="seller")
change_product = Operation(
    "PUT", f"{API}/products/{{product_id}}", "change_product",
    "Change my product (left out or null: unchanged; is_active false withdraws it)",
    _change_product, body=ProductChange, response=ProductOut, errors=(404,), tag="seller")
add_variant = Operation(
    "POST", f"{API}/products/{{product_id}}/variants", "add_variant",
    "One more variant of my product, with its opening stock", _add_variant, body=VariantIn,
    response=ProductOut, status=201, errors=(404, 409), tag="seller")
get_stock = Operation(
    "GET", f"{API}/inventory/{{variant_id}}", "get_stock", "Stock of a variant (its seller)",
    _stock, response=StockOut, errors=(404,), tag="seller")
change_stock = Operation(
    "PUT", f"{API}/inventory/{{variant_id}}", "change_stock",
    "Restock, adjust with a reason, or set the reorder level", _change_stock,
    body=StockChange, response=StockOut, errors=(404, 409), tag="seller")
open_store = Operation(
    "POST", f"{API}/seller/profile", "open_store", "Open my store", _open_store,
    body=ProfileIn, response=SellerProfileOut, status=201, roles=SELLERS, errors=(409,),
    tag="seller")
change_store = Operation(
    "PUT", f"{API}/seller/profile", "change_store",
    "Change my store (left out or null: unchanged)", _change_store, body=StoreChange,
    response=SellerProfileOut, roles=SELLERS, errors=(404,), tag="seller")
list_my_products = Operation(
    "GET", f"{API}/seller/products", "list_my_products",
    "My products, withdrawn ones included, with variants, stock and reorder levels",
    _my_products, query=PageQuery, response=SellerProductsOut, roles=SELLERS, tag="seller")
get_my_product = Operation(
    "GET", f"{API}/seller/products/{{product_id}}", "get_my_product",
    "One of my products, withdrawn or not", _my_product, response=SellerProductOut,
    roles=SELLERS, errors=(404,), tag="seller")
set_price = Operation(
    "PUT", f"{API}/seller/variants/{{variant_id}}/price", "set_price",
    "Price a variant of mine", _set_price, body=PriceChange, response=PricedVariantOut,
    roles=SELLERS, errors=(404,), tag="seller")
list_my_stock = Operation(
    "GET", f"{API}/seller/inventory", "list_my_stock", "My stock", _inventory,
    query=InventoryQuery, response=InventoryOut, roles=SELLERS, tag="seller")
list_my_orders = Operation(
    "GET", f"{API}/seller/orders", "list_my_orders",
    "Orders with my items, newest first (only my items shown)", _orders,
    query=SellerOrdersQuery, response=SellerOrdersOut, roles=SELLERS, tag="seller")
refund_items = Operation(
    "POST", f"{API}/seller/orders/{{order_id}}/refunds", "refund_items",
    "Refund whole items of mine from the order's payment", _refund, body=ItemsRefundIn,
    response=RefundOut, status=201, roles=SELLERS, errors=(404, 409), idempotent=True,
    tag="seller")
list_my_refunds = Operation(
    "GET", f"{API}/seller/refunds", "list_my_refunds",
    "Refunds of my items made from..to, newest first", _refunds, query=PeriodQuery,
    response=RefundsOut, roles=SELLERS, tag="seller")
get_my_sales = Operation(
    "GET", f"{API}/seller/analytics", "get_my_sales",
    "My sales from..to: totals, per day, top products", _sales, query=PeriodQuery,
    response=SalesOut, roles=SELLERS, tag="seller")

OPERATIONS = (create_product, import_products, change_product, add_variant, get_stock, change_stock,
              open_store, change_store, list_my_products, get_my_product, set_price,
              list_my_stock, list_my_orders, refund_items, list_my_refunds, get_my_sales)

