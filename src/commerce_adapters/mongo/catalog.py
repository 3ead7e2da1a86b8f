"""Products (one document each, its variants inside) and categories on MongoDB.

A product document carries its variants' descriptive data (SKU, price, options, weight),
its free-form attributes, images and tags, the lowest active price the listing filters and
sorts on, and a ``version`` that every update checks and moves (optimistic concurrency).
Stock stays in the transactional store: the ``in_stock`` filter asks it (``StockLookup``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal
from itertools import islice
from typing import TYPE_CHECKING, Any

from bson.decimal128 import Decimal128

from commerce_adapters.mongo.store import Doc, MongoStore
from commerce_core.catalog.model import Category, Product, ProductSort, Variant
from commerce_core.catalog.ports import Offer, ProductQuery
from commerce_core.catalog.views import COUNT_BOUND, After, ProductSummary, SummaryPage
from commerce_core.errors import Conflict, NotFound
from commerce_core.money import Money
from commerce_core.pagination import Page, PageRequest

if TYPE_CHECKING:
    from commerce_adapters.mongo.session import MongoCatalogSession, StockLookup

_CENT = Decimal("0.01")
# written by the review path with $inc (session.py), never by a product update
COUNTERS = ("rating", "review_count", "stars_total")
_SORTS: dict[ProductSort, list[tuple[str, int]]] = {
    ProductSort.NEWEST: [("_id", -1)],
    ProductSort.PRICE_ASC: [("min_price", 1), ("_id", -1)],
    ProductSort.PRICE_DESC: [("min_price", -1), ("_id", -1)],
    ProductSort.RATING: [("rating", -1), ("_id", -1)],  # null sorts lowest: unrated last
}
_STOCK_BATCH = 1000
_SUMMARY_FIELDS = {"name": 1, "min_price": 1, "currency": 1, "rating": 1, "review_count": 1,
                   "seller_id": 1, "category_id": 1, "created_at": 1, "images": 1,
                   "is_active": 1, "variants.id": 1, "variants.is_active": 1}


def dec(value: Decimal) -> Decimal128:
    return Decimal128(value)


def _variant_doc(v: Variant) -> Doc:
    return {"id": v.id, "sku": v.sku, "price": dec(v.price.amount), "options": dict(v.options),
            "weight_grams": v.weight_grams, "is_active": v.is_active}


def product_doc(p: Product) -> Doc:
    """Every field a product update writes (not the review counters)."""
    return {"seller_id": p.seller_id, "name": p.name, "description": p.description,
            "category_id": p.category_id, "currency": p.currency,
            "min_price": dec(p.min_price.amount),
            "variants": [_variant_doc(v) for v in p.variants],
            "attributes": dict(p.attributes), "images": list(p.images), "tags": list(p.tags),
            "search_text": " ".join([p.name, p.description, *p.tags]).lower(),
            "is_active": p.is_active, "created_at": p.created_at, "updated_at": p.updated_at}


def _counters(p: Product) -> Doc:
    """The review counters of a product whose rating is given, not counted (new, imported)."""
    return {"rating": None if p.rating is None else dec(p.rating),
            "review_count": p.review_count,
            "stars_total": int((p.rating or 0) * p.review_count)}


def _variant(d: Doc, product_id: int, currency: str) -> Variant:
    return Variant(d["id"], product_id, d["sku"], Money(d["price"].to_decimal(), currency),
                   dict(d["options"]), d["weight_grams"], d["is_active"])


def _product(d: Doc) -> Product:
    rating = d.get("rating")
    return Product(d["_id"], d["seller_id"], d["name"], d["category_id"], d["currency"],
                   [_variant(v, d["_id"], d["currency"]) for v in d["variants"]],
                   description=d["description"], attributes=dict(d["attributes"]),
                   images=list(d["images"]), tags=list(d["tags"]), is_active=d["is_active"],
                   rating=None if rating is None else rating.to_decimal().quantize(_CENT),
                   review_count=d.get("review_count", 0), created_at=d.get("created_at"),
                   updated_at=d.get("updated_at"))


def _chunks(docs: Iterable[Doc], size: int) -> Iterator[list[Doc]]:
    it = iter(docs)
    while chunk := list(islice(it, size)):
        yield chunk


class MongoProducts:
    def __init__(self, session: MongoCatalogSession, stocked: StockLookup) -> None:
        self._s = session
        self._stocked = stocked

    @property
    def _c(self) -> Any:
        return self._s.collection("products")

    def _check_skus(self, product: Product) -> None:
        """Refuse a SKU another product holds before staging the write (the unique index
        is the last guard, against a concurrent session)."""
        skus = {v.sku for v in product.variants}
        clash = self._s.query(
            "products", {"variants.sku": {"$in": sorted(skus)}, "_id": {"$ne": product.id}},
            lambda d: d["_id"] != product.id and any(v["sku"] in skus for v in d["variants"]),
            {"variants.sku": 1})
        if clash:
            sku = next(v["sku"] for v in clash[0]["variants"] if v["sku"] in skus)
            raise Conflict(f"SKU {sku} is already used", {"sku": sku})

    def add(self, product: Product) -> None:
        if self._s.doc("products", product.id) is not None:
            raise Conflict(f"product {product.id} exists")
        self._check_skus(product)
        doc = {"_id": product.id, **product_doc(product), "version": 1, **_counters(product)}
        self._s.stage("products", product.id, doc,
                      lambda store: store.db["products"].insert_one(doc))

    def add_many(self, products: Sequence[Product]) -> None:
        """One query for taken ids and SKUs, then one ``insert_many`` on commit."""
        ids = [p.id for p in products]
        skus = [v.sku for p in products for v in p.variants]
        if len(set(skus)) != len(skus) or len(set(ids)) != len(ids):
            raise Conflict("a SKU or product id repeats among the products")
        if not products:
            return
        wanted = set(skus)
        taken = self._s.query(
            "products", {"$or": [{"_id": {"$in": ids}}, {"variants.sku": {"$in": skus}}]},
            lambda d: d["_id"] in ids or any(v["sku"] in wanted for v in d["variants"]),
            {"_id": 1, "variants.sku": 1})
        if taken:
            raise Conflict("a product or one of its SKUs exists",
                           {"product_id": taken[0]["_id"]})
        docs = [{"_id": p.id, **product_doc(p), "version": 1, **_counters(p)}
                for p in products]
        for n, doc in enumerate(docs):  # each seen by this session; the first write sends all
            self._s.stage("products", doc["_id"], doc, (
                lambda store: store.db["products"].insert_many(docs, ordered=True))
                if n == 0 else (lambda store: None))

    def get(self, product_id: int) -> Product:
        doc = self._s.doc("products", product_id)
        if doc is None:
            raise NotFound(f"product {product_id} not found", {"product_id": product_id})
        return _product(doc)

    def get_many(self, product_ids: Iterable[int]) -> dict[int, Product]:
        ids = set(product_ids)
        if not ids:
            return {}
        docs = self._s.query("products", {"_id": {"$in": sorted(ids)}},
                             lambda d: d["_id"] in ids)
        return {d["_id"]: _product(d) for d in docs}

    def update(self, product: Product) -> None:
        """Write the fields that changed, if the product is still at the version this
        session read when it commits (Conflict if another writer moved it meanwhile)."""
        old = self._s.doc("products", product.id)
        if old is None:
            raise NotFound(f"product {product.id} not found", {"product_id": product.id})
        self._check_skus(product)
        changed = {k: v for k, v in product_doc(product).items() if old.get(k) != v}
        if not self._s.increments_pending("products", product.id):
            # a rating set by hand (an import, a correction): kept like a new product's.
            # A review's change of it is left to the counters, which move on commit
            changed |= {k: v for k, v in _counters(product).items() if old.get(k) != v}
        if not changed:
            return
        version = int(old.get("version", 0))

        def write(store: MongoStore) -> None:
            done = store.db["products"].update_one({"_id": product.id, "version": version},
                                                   {"$set": changed, "$inc": {"version": 1}})
            if not done.matched_count:
                raise Conflict(f"product {product.id} was changed by another writer; read "
                               "it again", {"product_id": product.id})
        self._s.stage("products", product.id, {**old, **changed, "version": version + 1},
                      write)

    def _with_variants(self, variant_ids: set[int]) -> list[Doc]:
        if not variant_ids:
            return []
        return self._s.query("products", {"variants.id": {"$in": sorted(variant_ids)}},
                             lambda d: any(v["id"] in variant_ids for v in d["variants"]),
                             {"currency": 1, "is_active": 1, "variants": 1})

    def get_variants(self, variant_ids: Iterable[int]) -> dict[int, Variant]:
        wanted = set(variant_ids)
        return {v["id"]: _variant(v, d["_id"], d["currency"])
                for d in self._with_variants(wanted) for v in d["variants"]
                if v["id"] in wanted}

    def offers(self, variant_ids: Iterable[int]) -> dict[int, Offer]:
        wanted = set(variant_ids)
        return {v["id"]: Offer(v["id"], d["_id"], Money(v["price"].to_decimal(), d["currency"]),
                               bool(v["is_active"] and d["is_active"]))
                for d in self._with_variants(wanted) for v in d["variants"]
                if v["id"] in wanted}

    def find(self, query: ProductQuery, page: PageRequest) -> Page[Product]:
        where, sort = _filter(query), _SORTS[query.sort]
        if self._s.staged_in("products"):  # this session's writes are seen: sort here
            docs = sorted(self._s.query("products", where, lambda d: _matches(d, query)),
                          key=_sort_key(query.sort))
            if query.in_stock is not None:
                docs = self._stock_kept(docs, query.in_stock)
            shown = docs[page.offset:page.offset + page.limit]
            return Page([_product(d) for d in shown], len(docs), page.page, page.limit)
        if query.in_stock is None:
            def work() -> tuple[int, list[Doc]]:
                total = self._c.count_documents(where)
                docs = list(self._c.find(where, sort=sort, skip=page.offset, limit=page.limit))
                return total, docs
            total, found = self._s.run(work)
            return Page([_product(d) for d in found], total, page.page, page.limit)
        ids = self._stock_filtered(where, sort, query.in_stock)
        chunk = ids[page.offset:page.offset + page.limit]
        by_id = self.get_many(chunk)
        return Page([by_id[i] for i in chunk if i in by_id], len(ids), page.page, page.limit)

    def summaries(self, query: ProductQuery, page: PageRequest, after: After | None = None,
                  count_up_to: int = COUNT_BOUND) -> SummaryPage:
        """One find for the page (keyset or offset) and a bounded count; stock lives in
        the transactional store, so ``in_stock`` is asked of it for the page's variants
        (and, as a filter, batch by batch along the sorted matches)."""
        where = _filter(query)
        if self._s.staged_in("products"):  # this session's writes are seen: sort here
            docs = sorted(self._s.query("products", where, lambda d: _matches(d, query)),
                          key=_sort_key(query.sort))
            if query.in_stock is not None:
                docs = self._stock_kept(docs, query.in_stock)
            total = len(docs)
            if after is not None:
                start = _after_key(query.sort, after)
                docs = [d for d in docs if _sort_key(query.sort)(d) > start]
            else:
                docs = docs[page.offset:]
            return self._summary_page(docs[:page.limit + 1], page.limit, query.sort,
                                      total, total <= count_up_to)

        skip = 0 if after is not None else page.offset

        def work() -> tuple[list[Doc], int]:
            found = self._c.find(where if after is None else
                                 {"$and": [where, _after_filter(query.sort, after)]},
                                 _SUMMARY_FIELDS, sort=_SORTS[query.sort])
            if query.in_stock is None:
                shown = list(found.skip(skip).limit(page.limit + 1))
                return shown, self._c.count_documents(where, limit=count_up_to + 1)
            # the offset counts matches in the stock state asked, so it is skipped after
            # the stock filter, not by the server
            shown = list(islice(self._stock_stream(found, query.in_stock), skip,
                                skip + page.limit + 1))
            counted = self._c.find(where, {"variants.id": 1, "variants.is_active": 1},
                                   sort=[("_id", -1)])
            return shown, sum(1 for _ in islice(
                self._stock_stream(counted, query.in_stock), count_up_to + 1))
        docs, total = self._s.run(work)
        return self._summary_page(docs, page.limit, query.sort, total, total <= count_up_to)

    def _summary_page(self, docs: list[Doc], limit: int, sort: ProductSort, total: int,
                      exact: bool) -> SummaryPage:
        shown = docs[:limit]
        stocked = self._stocked([v["id"] for d in shown for v in d["variants"]
                                 if v["is_active"]])
        items = [_summary(d, any(v["is_active"] and v["id"] in stocked
                                 for v in d["variants"])) for d in shown]
        following = None
        if len(docs) > limit:
            following = After(_key_value(sort, shown[-1]), shown[-1]["_id"])
        return SummaryPage(items, total, exact, following)

    def _stock_stream(self, docs: Iterable[Doc], wanted: bool) -> Iterator[Doc]:
        """``docs`` (in order) whose stock state is ``wanted``, asked a batch at a time."""
        for batch in _chunks(docs, _STOCK_BATCH):
            yield from self._stock_kept(batch, wanted)

    def _stock_kept(self, docs: list[Doc], wanted: bool) -> list[Doc]:
        """Those of ``docs`` (in order) whose stock state is ``wanted``: stock lives in the
        transactional store, so their active variant ids go there, a batch at a time."""
        kept: list[Doc] = []
        for batch in _chunks(docs, _STOCK_BATCH):
            stocked = self._stocked([v["id"] for d in batch for v in d["variants"]
                                     if v["is_active"]])
            kept += [d for d in batch
                     if any(v["is_active"] and v["id"] in stocked for v in d["variants"])
                     == wanted]
        return kept

    def _stock_filtered(self, where: Doc, sort: list[tuple[str, int]], wanted: bool
                        ) -> list[int]:
        """The ids matching ``where`` in order, kept by :meth:`_stock_kept`; only ids and
        variants come from the server."""
        def work() -> list[int]:
            cursor = self._c.find(where, {"variants.id": 1, "variants.is_active": 1},
                                  sort=sort)
            return [d["_id"] for d in self._stock_kept(list(cursor), wanted)]
        return self._s.run(work)  # type: ignore[no-any-return]


def _summary(d: Doc, in_stock: bool) -> ProductSummary:
    rating = d.get("rating")
    return ProductSummary(d["_id"], d["name"], Money(d["min_price"].to_decimal(), d["currency"]),
                          None if rating is None else rating.to_decimal().quantize(_CENT),
                          d.get("review_count", 0), d["images"][0] if d["images"] else None,
                          d["seller_id"], d["category_id"], in_stock, d.get("created_at"))


def _key_value(sort: ProductSort, d: Doc) -> Decimal | None:
    """The keyset value of ``d`` under ``sort`` (unrated: -1)."""
    if sort is ProductSort.NEWEST:
        return None
    if sort is ProductSort.RATING:
        return Decimal(-1) if d.get("rating") is None else d["rating"].to_decimal()
    return d["min_price"].to_decimal()  # type: ignore[no-any-return]


def _after_key(sort: ProductSort, after: After) -> tuple[Decimal, int]:
    """``_sort_key`` of the position ``after``."""
    value = after.value if after.value is not None else Decimal(0)
    if sort is ProductSort.NEWEST:
        return (Decimal(0), -after.id)
    return (value if sort is ProductSort.PRICE_ASC else -value, -after.id)


def _after_filter(sort: ProductSort, after: After) -> Doc:
    """Documents past ``after`` in ``_SORTS[sort]`` (ties by newest id; unrated last)."""
    earlier = {"_id": {"$lt": after.id}}
    if sort is ProductSort.NEWEST or after.value is None:
        return earlier
    if sort is ProductSort.RATING:
        if after.value < 0:  # among the unrated
            return {"rating": None, **earlier}
        value = dec(after.value)
        return {"$or": [{"rating": {"$lt": value}}, {"rating": value, **earlier},
                        {"rating": None}]}
    up = sort is ProductSort.PRICE_ASC
    value = dec(after.value)  # a range first, so the min_price index serves the page
    return {"min_price": {"$gte" if up else "$lte": value},
            "$or": [{"min_price": {"$gt" if up else "$lt": value}}, earlier]}


def _matches(d: Doc, q: ProductQuery) -> bool:
    """``_filter(q)`` for a document staged in this session."""
    price, rating = d["min_price"].to_decimal(), d.get("rating")
    checks = (
        q.include_inactive or d["is_active"],
        q.category_ids is None or d["category_id"] in q.category_ids,
        q.seller_id is None or d["seller_id"] == q.seller_id,
        q.min_price is None or price >= q.min_price,
        q.max_price is None or price <= q.max_price,
        q.rating_min is None or (rating is not None and rating.to_decimal() >= q.rating_min),
        all(w in d["search_text"] for w in (q.search or "").lower().split()),
    )
    return all(checks)


def _sort_key(sort: ProductSort) -> Callable[[Doc], tuple[Decimal, int]]:
    """``_SORTS[sort]`` in Python: ties by newest id."""
    def price(d: Doc) -> Decimal:
        return d["min_price"].to_decimal()  # type: ignore[no-any-return]

    def rating(d: Doc) -> Decimal:
        return d["rating"].to_decimal() if d.get("rating") is not None else Decimal(-1)
    return {
        ProductSort.NEWEST: lambda d: (Decimal(0), -d["_id"]),
        ProductSort.PRICE_ASC: lambda d: (price(d), -d["_id"]),
        ProductSort.PRICE_DESC: lambda d: (-price(d), -d["_id"]),
        ProductSort.RATING: lambda d: (-rating(d), -d["_id"]),
    }[sort]


def _filter(q: ProductQuery) -> Doc:
    where: Doc = {}
    if not q.include_inactive:
        where["is_active"] = True
    if q.category_ids is not None:
        where["category_id"] = {"$in": sorted(q.category_ids)}
    if q.seller_id is not None:
        where["seller_id"] = q.seller_id
    price: Doc = {}
    if q.min_price is not None:
        price["$gte"] = dec(q.min_price)
    if q.max_price is not None:
        price["$lte"] = dec(q.max_price)
    if price:
        where["min_price"] = price
    if q.rating_min is not None:
        where["rating"] = {"$gte": dec(q.rating_min)}
    words = (q.search or "").lower().split()
    if words:
        where["$and"] = [{"search_text": {"$regex": re.escape(w)}} for w in words]
    return where


def _category(d: Doc) -> Category:
    return Category(d["_id"], d["name"], d.get("parent_id"), d.get("description", ""),
                    d.get("created_at"))


class MongoCategories:
    def __init__(self, session: MongoCatalogSession) -> None:
        self._s = session

    def _check_name(self, category: Category) -> None:
        key = category.name.lower()
        if self._s.query("categories", {"name_key": key, "_id": {"$ne": category.id}},
                         lambda d: d["name_key"] == key and d["_id"] != category.id,
                         {"_id": 1}):
            raise Conflict(f"category {category.name!r} exists", {"name": category.name})

    @staticmethod
    def _doc(c: Category) -> Doc:
        return {"_id": c.id, "name": c.name, "name_key": c.name.lower(),
                "description": c.description, "parent_id": c.parent_id,
                "created_at": c.created_at}

    def add(self, category: Category) -> None:
        if self._s.doc("categories", category.id) is not None:
            raise Conflict(f"category {category.id} exists", {"name": category.name})
        self._check_name(category)
        doc = self._doc(category)
        self._s.stage("categories", category.id, doc,
                      lambda store: store.db["categories"].insert_one(doc))

    def get(self, category_id: int) -> Category:
        doc = self._s.doc("categories", category_id)
        if doc is None:
            raise NotFound(f"category {category_id} not found", {"category_id": category_id})
        return _category(doc)

    def update(self, category: Category) -> None:
        self.get(category.id)
        self._check_name(category)
        doc = self._doc(category)
        self._s.stage("categories", category.id, doc, lambda store: store.db[
            "categories"].replace_one({"_id": category.id}, doc))

    def delete(self, category_id: int) -> None:
        self.get(category_id)
        if self._s.query("categories", {"parent_id": category_id},
                         lambda d: d["parent_id"] == category_id, {"_id": 1}):
            raise Conflict(f"category {category_id} has sub-categories")
        self._s.stage("categories", category_id, None,
                      lambda store: store.db["categories"].delete_one({"_id": category_id}))

    def all(self) -> Sequence[Category]:
        docs = self._s.query("categories", {}, lambda d: True)
        return [_category(d) for d in sorted(docs, key=lambda d: d["_id"])]
