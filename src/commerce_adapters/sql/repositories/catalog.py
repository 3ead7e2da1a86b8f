"""Products with their variants, images and attributes; categories."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from commerce_adapters.sql import schema as t
from commerce_adapters.sql.repositories.base import ReadAhead, SqlRepository
from commerce_core.catalog.model import Category, Product, ProductSort, Variant
from commerce_core.catalog.ports import Offer, ProductQuery
from commerce_core.catalog.views import COUNT_BOUND, After, ProductSummary, SummaryPage
from commerce_core.errors import Conflict, NotFound
from commerce_core.money import Money
from commerce_core.pagination import Page, PageRequest

_CENT = Decimal("0.01")
_VARIANTS_WITH_CURRENCY = sa.select(t.variants, t.products.c.currency).join(
    t.products, t.products.c.id == t.variants.c.product_id).where(
    t.variants.c.id.in_(sa.bindparam("ids", expanding=True)))


_OFFERS = sa.select(t.variants.c.id, t.variants.c.product_id, t.variants.c.price,
                    t.products.c.currency,
                    sa.and_(t.variants.c.is_active, t.products.c.is_active).label("on_sale")
                    ).join(t.products, t.products.c.id == t.variants.c.product_id).where(
    t.variants.c.id.in_(sa.bindparam("ids", expanding=True)))


# whether some active variant of product :pid has available stock: the products.in_stock flag
_STOCKED = sa.exists().where(
    t.variants.c.product_id == t.products.c.id, t.variants.c.is_active.is_(True),
    t.inventory.c.variant_id == t.variants.c.id, t.inventory.c.quantity_available > 0)
_REFRESH_IN_STOCK = t.products.update().where(
    t.products.c.id.in_(sa.bindparam("pids", expanding=True))).values(in_stock=_STOCKED)


def refresh_in_stock(conn: sa.Connection, product_ids: Iterable[int]) -> None:
    """Set ``products.in_stock`` of these products from their stock rows, in the caller's
    transaction (a product kept in another store has no row here: nothing changes)."""
    ids = sorted(set(product_ids))
    if ids:
        conn.execute(_REFRESH_IN_STOCK, {"pids": ids})


_p = t.products
_SUMMARY_COLUMNS = (_p.c.id, _p.c.name, _p.c.min_price, _p.c.currency, _p.c.rating,
                    _p.c.review_count, _p.c.seller_id, _p.c.category_id, _p.c.in_stock,
                    _p.c.created_at, t.product_images.c.image_url)
_SUMMARY_FROM = _p.outerjoin(t.product_images, sa.and_(
    t.product_images.c.product_id == _p.c.id, t.product_images.c.display_order == 0))
# per sort: the column (or the rating's indexed key) compared by keyset (None: the id
# alone) and whether it ascends
_SORT_KEYS: dict[ProductSort, tuple[Any, bool]] = {
    ProductSort.NEWEST: (None, False),
    ProductSort.PRICE_ASC: (_p.c.min_price, True),
    ProductSort.PRICE_DESC: (_p.c.min_price, False),
    ProductSort.RATING: (t.RATING_KEY, False),
}


def _order(sort: ProductSort) -> list[Any]:
    column, ascending = _SORT_KEYS[sort]
    if column is None:
        return [_p.c.id.desc()]
    return [column.asc() if ascending else column.desc(), _p.c.id.desc()]


def _after(sort: ProductSort, by_value: bool) -> Any:
    """Rows that come after the keyset position ``:after_value``, ``:after_id`` in the sort
    order (ties by newest id); ``by_value`` False: after the id alone."""
    column, ascending = _SORT_KEYS[sort]
    after_id = _p.c.id < sa.bindparam("after_id")
    if column is None or not by_value:
        return after_id
    value = sa.bindparam("after_value", type_=column.type)
    # a range on the column first, so its index serves the page; then past the tie
    if ascending:
        return sa.and_(column >= value, sa.or_(column > value, after_id))
    return sa.and_(column <= value, sa.or_(column < value, after_id))


# The listing's filters: which a query sets (with the literal parts of its shape: whether
# withdrawn products count, the in-stock wanted, how many search words) and their values
_Shape = tuple[bool, bool, bool, bool, bool, bool, int, bool | None]
_SHAPES = 512  # statements kept per builder: the word count is the client's to choose


def _product_filters(q: ProductQuery) -> tuple[_Shape, dict[str, Any]]:
    values: dict[str, Any] = {}
    if q.category_ids is not None:
        values["f_categories"] = sorted(q.category_ids)
    for name in ("seller_id", "min_price", "max_price", "rating_min"):
        if getattr(q, name) is not None:
            values[f"f_{name}"] = getattr(q, name)
    words = (q.search or "").lower().split()
    for n, word in enumerate(words):
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        values[f"f_word{n}"] = f"%{escaped}%"
    shape: _Shape = (q.include_inactive, q.category_ids is not None, q.seller_id is not None,
                     q.min_price is not None, q.max_price is not None,
                     q.rating_min is not None, len(words), q.in_stock)
    return shape, values


@functools.lru_cache(maxsize=_SHAPES)
def _where(shape: _Shape) -> tuple[Any, ...]:
    """The WHERE clauses of a shape, built once (building them per call cost about as much
    CPU as running the page on SQLite)."""
    include_inactive, categories, seller, min_price, max_price, rating_min, words, in_stock \
        = shape
    where: list[Any] = []
    if not include_inactive:
        where.append(_p.c.is_active == sa.true())  # "=", not "IS": PostgreSQL's
        # indexes serve only the operator
    if categories:
        where.append(_p.c.category_id.in_(sa.bindparam("f_categories", expanding=True)))
    if seller:
        where.append(_p.c.seller_id == sa.bindparam("f_seller_id"))
    if min_price:
        where.append(_p.c.min_price >= sa.bindparam("f_min_price"))
    if max_price:
        where.append(_p.c.min_price <= sa.bindparam("f_max_price"))
    if rating_min:
        where.append(_p.c.rating >= sa.bindparam("f_rating_min"))
    where += [_p.c.search_text.like(sa.bindparam(f"f_word{n}"), escape="\\")
              for n in range(words)]
    if in_stock is not None:  # a literal: partial indexes can only serve a known value
        where.append(_p.c.in_stock == (sa.true() if in_stock else sa.false()))
    return tuple(where)


@functools.lru_cache(maxsize=_SHAPES)
def _summaries_stmt(shape: _Shape, sort: ProductSort, after: bool | None) -> sa.Select[Any]:
    """A page of summaries (``:limit`` rows): by ``:offset``, or past the keyset position
    (``after``: True with a sort value, False by the id alone)."""
    stmt = sa.select(*_SUMMARY_COLUMNS).select_from(_SUMMARY_FROM).where(*_where(shape))
    paged = (stmt.offset(sa.bindparam("offset")) if after is None
             else stmt.where(_after(sort, after)))
    return paged.order_by(*_order(sort)).limit(sa.bindparam("limit"))


@functools.lru_cache(maxsize=_SHAPES)
def _matching(shape: _Shape) -> sa.Select[Any]:
    return sa.select(sa.literal(1)).select_from(_p).where(*_where(shape))


@functools.lru_cache(maxsize=_SHAPES)
def _count_stmt(shape: _Shape) -> sa.Select[Any]:
    """The matches counted up to ``:bound`` rows."""
    return sa.select(sa.func.count()).select_from(
        _matching(shape).limit(sa.bindparam("bound")).subquery())


def _key_value(sort: ProductSort, row: Any) -> Decimal | None:
    """The keyset value of ``row`` under ``sort``, as ``_SORT_KEYS`` compares it."""
    if sort is ProductSort.NEWEST:
        return None
    if sort is ProductSort.RATING:
        return Decimal(-1) if row.rating is None else Decimal(row.rating)
    return Decimal(row.min_price)


def _summary(r: Any) -> ProductSummary:
    return ProductSummary(r.id, r.name, Money(r.min_price, r.currency),
                          None if r.rating is None else r.rating.quantize(_CENT),
                          r.review_count, r.image_url, r.seller_id, r.category_id,
                          bool(r.in_stock), r.created_at)


def _search_text(p: Product) -> str:
    return " ".join([p.name, p.description, *p.tags]).lower()


def _product_row(p: Product) -> dict[str, Any]:
    return {"id": p.id, "seller_id": p.seller_id, "name": p.name, "description": p.description,
            "category_id": p.category_id, "currency": p.currency,
            "min_price": p.min_price.amount, "tags": list(p.tags),
            "search_text": _search_text(p), "is_active": p.is_active, "rating": p.rating,
            "review_count": p.review_count, "created_at": p.created_at,
            "updated_at": p.updated_at}


def _variant_rows(p: Product) -> list[dict[str, Any]]:
    return [{"id": v.id, "product_id": p.id, "sku": v.sku, "price": v.price.amount,
             "options": dict(v.options), "weight_grams": v.weight_grams,
             "is_active": v.is_active, "position": i} for i, v in enumerate(p.variants)]


def _variant(row: Any, currency: str) -> Variant:
    return Variant(row.id, row.product_id, row.sku, Money(row.price, currency),
                   dict(row.options), row.weight_grams, row.is_active)


def _json_rows(dialect: str, belongs: Any, *columns: Any) -> Any:
    """The rows that ``belongs`` (a condition on the enclosing statement's product) picks, as
    one JSON array of arrays of ``columns`` (NULL or ``[]`` when there are none): a product
    and its children in one statement, so one snapshot and one round trip. Each element
    carries its own order key, sorted when read: SQLite before 3.44 has no ORDER BY inside
    an aggregate."""
    if dialect == "postgresql":
        rows = sa.func.json_agg(sa.func.json_build_array(*columns))
    else:
        rows = sa.func.json_group_array(sa.func.json_array(*columns))
    return sa.type_coerce(sa.select(rows).where(belongs).scalar_subquery(), sa.JSON())


@functools.cache
def _product_columns(dialect: str) -> tuple[Any, ...]:
    """A product row's columns with its variants, images and attributes. Prices travel as
    text, so they stay exact (no float in between)."""
    v, i, a = t.variants.c, t.product_images.c, t.product_attributes.c
    options = v.options if dialect == "postgresql" else sa.func.json(v.options)
    return (*_p.c,
            _json_rows(dialect, v.product_id == _p.c.id, v.position, v.id, v.sku,
                       sa.cast(v.price, sa.Text), options, v.weight_grams,
                       v.is_active).label("variant_rows"),
            _json_rows(dialect, i.product_id == _p.c.id, i.display_order,
                       i.image_url).label("image_rows"),
            _json_rows(dialect, a.product_id == _p.c.id, a.attribute_name,
                       a.attribute_value).label("attribute_rows"))


@functools.cache
def _product_by_id(dialect: str, lock: bool, ahead: bool) -> sa.Select[Any]:
    """One product by ``key``; ``ahead``: with its variants' stock rows and its seller's
    profile, each row as the JSON array of all its table's columns."""
    columns = _product_columns(dialect)
    if ahead:
        stock, sellers = t.inventory.c, t.sellers.c
        columns += (
            _json_rows(dialect, stock.variant_id.in_(
                sa.select(t.variants.c.id).where(t.variants.c.product_id == _p.c.id)),
                *stock).label("stock_rows"),
            _json_rows(dialect, sellers.user_id == _p.c.seller_id, *sellers
                       ).label("seller_rows"))
    stmt = sa.select(*columns).where(_p.c.id == sa.bindparam("key"))
    return stmt.with_for_update(of=_p) if lock else stmt


@functools.cache
def _products_by_ids(dialect: str) -> sa.Select[Any]:
    return sa.select(*_product_columns(dialect)).where(
        _p.c.id.in_(sa.bindparam("keys", expanding=True)))


def _product(r: Any) -> Product:
    """A product from a row of ``_product_columns``; its children in their stored order
    (variants by position, images by display order, attributes by name, as the tables'
    keys kept them before the children were read with their product)."""
    variants = [Variant(vid, r.id, sku, Money(Decimal(price), r.currency), dict(options),
                        weight, bool(active))
                for _, vid, sku, price, options, weight, active in sorted(r.variant_rows or ())]
    return Product(r.id, r.seller_id, r.name, r.category_id, r.currency, variants,
                   description=r.description,
                   attributes=dict(sorted(tuple(a) for a in r.attribute_rows or ())),
                   images=[url for _, url in sorted(tuple(i) for i in r.image_rows or ())],
                   tags=list(r.tags), is_active=r.is_active,
                   rating=None if r.rating is None else r.rating.quantize(_CENT),
                   review_count=r.review_count, created_at=r.created_at,
                   updated_at=r.updated_at)


class SqlProducts(SqlRepository):
    def _check_skus(self, product: Product) -> None:
        own = [v.id for v in product.variants]
        skus = [v.sku for v in product.variants]
        clash = self.execute(sa.select(t.variants.c.sku).where(
            t.variants.c.sku.in_(skus), t.variants.c.id.not_in(own))).first()
        if clash is not None:
            raise Conflict(f"SKU {clash.sku} is already used", {"sku": clash.sku})

    def add(self, product: Product) -> None:
        if self.execute(sa.select(t.products.c.id).where(
                t.products.c.id == product.id)).first() is not None:
            raise Conflict(f"product {product.id} exists")
        self._check_skus(product)
        self.execute(t.products.insert(), _product_row(product))
        self._write_children(product, None)
        refresh_in_stock(self.c, [product.id])  # its stock rows are written first

    def add_many(self, products: Sequence[Product]) -> None:
        """One check of ids and SKUs, then one multi-row insert per table."""
        if not products:
            return
        ids = [p.id for p in products]
        skus = [v.sku for p in products for v in p.variants]
        if len(set(skus)) != len(skus) or len(set(ids)) != len(ids):
            raise Conflict("a SKU or product id repeats among the products")
        if self.execute(sa.select(t.products.c.id).where(
                t.products.c.id.in_(ids)).limit(1)).first() is not None:
            raise Conflict("a product exists")
        clash = self.execute(sa.select(t.variants.c.sku).where(
            t.variants.c.sku.in_(skus)).limit(1)).first()
        if clash is not None:
            raise Conflict(f"SKU {clash.sku} is already used", {"sku": clash.sku})
        self.insert(t.products, [_product_row(p) for p in products])
        self.insert(t.variants, [row for p in products for row in _variant_rows(p)])
        images = [{"product_id": p.id, "display_order": i, "image_url": url}
                  for p in products for i, url in enumerate(p.images)]
        if images:
            self.insert(t.product_images, images)
        attributes = [{"product_id": p.id, "attribute_name": k, "attribute_value": v}
                      for p in products for k, v in p.attributes.items()]
        if attributes:
            self.insert(t.product_attributes, attributes)
        refresh_in_stock(self.c, ids)  # their stock rows are written first

    def _write_children(self, p: Product, old: Product | None) -> None:
        if old is None or old.variants != p.variants:
            if old is not None:
                self.execute(t.variants.delete().where(t.variants.c.product_id == p.id))
            self.execute(t.variants.insert(), _variant_rows(p))
        if old is None or old.images != p.images:
            if old is not None:
                self.execute(t.product_images.delete().where(
                    t.product_images.c.product_id == p.id))
            if p.images:
                self.execute(t.product_images.insert(), [
                    {"product_id": p.id, "display_order": i, "image_url": url}
                    for i, url in enumerate(p.images)])
        if old is None or old.attributes != p.attributes:
            if old is not None:
                self.execute(t.product_attributes.delete().where(
                    t.product_attributes.c.product_id == p.id))
            if p.attributes:
                self.execute(t.product_attributes.insert(), [
                    {"product_id": p.id, "attribute_name": k, "attribute_value": v}
                    for k, v in p.attributes.items()])

    def get(self, product_id: int) -> Product:
        """One statement: the product row with its children (locked when the session
        may write it); joined to a read-only unit of work, also the stock and seller rows
        that unit of work reads next (a product page), left to it (uow.ReadAhead)."""
        reader = self._uow.reads_ahead_for
        stmt = _product_by_id(self.dialect, not self._uow.read_only, reader is not None)
        row = self.execute(stmt, {"key": product_id}).first()
        if row is None:
            raise NotFound(f"product {product_id} not found", {"product_id": product_id})
        product = _product(row)
        if reader is not None:
            reader.ahead = ReadAhead(frozenset(v.id for v in product.variants),
                                     list(row.stock_rows or ()), product.seller_id,
                                     list(row.seller_rows or ()))
        return product

    def get_many(self, product_ids: Iterable[int]) -> dict[int, Product]:
        ids = sorted(set(product_ids))
        if not ids:
            return {}
        rows = self.execute(_products_by_ids(self.dialect), {"keys": ids})
        return {p.id: p for p in map(_product, rows)}

    def update(self, product: Product) -> None:
        old = self.get(product.id)
        self._check_skus(product)
        row = _product_row(product)
        self.execute(t.products.update().where(t.products.c.id == product.id).values(row))
        self._write_children(product, old)
        if old.variants != product.variants:  # a variant (de)activated, added or dropped
            refresh_in_stock(self.c, [product.id])

    def get_variants(self, variant_ids: Iterable[int]) -> dict[int, Variant]:
        ids = list(variant_ids)
        if not ids:
            return {}
        rows = self.execute(_VARIANTS_WITH_CURRENCY, {"ids": ids}).all()
        return {r.id: _variant(r, r.currency) for r in rows}

    def offers(self, variant_ids: Iterable[int]) -> dict[int, Offer]:
        ids = list(variant_ids)
        if not ids:
            return {}
        rows = self._uow.read_ahead().offer_rows(ids)  # read with the cart (checkout)
        if rows is None:
            rows = [tuple(r) for r in self.execute(_OFFERS, {"ids": ids})]
        return {vid: Offer(vid, product_id, Money(price, currency), bool(on_sale))
                for vid, product_id, price, currency, on_sale in rows}

    def find(self, query: ProductQuery, page: PageRequest) -> Page[Product]:
        shape, values = _product_filters(query)
        stmt = sa.select(*_product_columns(self.dialect)).where(*_where(shape)).params(values)
        return self.page(stmt.order_by(*_order(query.sort)), page,
                         lambda rows: [_product(r) for r in rows])

    def summaries(self, query: ProductQuery, page: PageRequest, after: After | None = None,
                  count_up_to: int = COUNT_BOUND) -> SummaryPage:
        shape, values = _product_filters(query)
        keyset: bool | None = None
        if after is None:
            values["offset"] = page.offset
        else:
            keyset = after.value is not None and _SORT_KEYS[query.sort][0] is not None
            values.update(after_id=after.id, after_value=after.value)
        rows = self.execute(_summaries_stmt(shape, query.sort, keyset),
                            {**values, "limit": page.limit + 1}).all()
        shown = rows[:page.limit]
        total, exact = self._count(shape, values, count_up_to)
        following = None
        if len(rows) > page.limit:
            following = After(_key_value(query.sort, shown[-1]), shown[-1].id)
        return SummaryPage([_summary(r) for r in shown], total, exact, following)

    def _count(self, shape: _Shape, values: dict[str, Any], bound: int) -> tuple[int, bool]:
        """The matches counted up to ``bound`` + 1 rows; past the bound, PostgreSQL's
        planner estimate (SQLite has none to give: the bound + 1 then)."""
        seen = self.execute(_count_stmt(shape), {**values, "bound": bound + 1}).scalar_one()
        if seen <= bound:
            return seen, True
        return max(seen, self._estimate(_matching(shape).params(values))), False

    def _estimate(self, stmt: sa.Select[Any]) -> int:
        if self.dialect != "postgresql":
            return 0
        compiled = stmt.compile(self.c.engine, compile_kwargs={"literal_binds": True})
        plan = self.c.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {compiled}").scalar_one()
        return int(plan[0]["Plan"]["Plan Rows"])


def _category(r: Any) -> Category:
    return Category(r.id, r.name, r.parent_id, r.description, r.created_at)


class SqlCategories(SqlRepository):
    def _check_name(self, category: Category) -> None:
        taken = self.execute(sa.select(t.categories.c.id).where(
            t.categories.c.name_key == category.name.lower(),
            t.categories.c.id != category.id)).first()
        if taken is not None:
            raise Conflict(f"category {category.name!r} exists", {"name": category.name})

    def _row(self, c: Category) -> dict[str, Any]:
        return {"id": c.id, "name": c.name, "name_key": c.name.lower(),
                "description": c.description, "parent_id": c.parent_id,
                "created_at": c.created_at}

    def add(self, category: Category) -> None:
        if self.execute(sa.select(t.categories.c.id).where(
                t.categories.c.id == category.id)).first() is not None:
            raise Conflict(f"category {category.id} exists", {"name": category.name})
        self._check_name(category)
        self.execute(t.categories.insert(), self._row(category))

    def get(self, category_id: int) -> Category:
        row = self.one(sa.select(t.categories).where(t.categories.c.id == category_id))
        if row is None:
            raise NotFound(f"category {category_id} not found", {"category_id": category_id})
        return _category(row)

    def update(self, category: Category) -> None:
        self.get(category.id)
        self._check_name(category)
        self.execute(t.categories.update().where(t.categories.c.id == category.id)
                     .values(self._row(category)))

    def delete(self, category_id: int) -> None:
        self.get(category_id)
        if self.execute(sa.select(t.categories.c.id).where(
                t.categories.c.parent_id == category_id).limit(1)).first() is not None:
            raise Conflict(f"category {category_id} has sub-categories")
        self.execute(t.categories.delete().where(t.categories.c.id == category_id))

    def all(self) -> Sequence[Category]:
        return [_category(r) for r in self.rows(sa.select(t.categories))]
