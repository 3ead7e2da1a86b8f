"""In-memory products and categories."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal

from commerce_adapters.memory.state import Journal, MemoryState, fresh
from commerce_core.catalog.model import Category, Product, ProductSort, Variant
from commerce_core.catalog.ports import Offer, ProductQuery
from commerce_core.catalog.views import COUNT_BOUND, After, ProductSummary, SummaryPage
from commerce_core.errors import Conflict, NotFound
from commerce_core.pagination import Page, PageRequest


class MemoryProducts:
    def __init__(self, state: MemoryState, journal: Journal) -> None:
        self._rows: dict[int, Product] = state.table("products")
        self._variants = state.table("variant_product")   # variant id -> product id
        self._skus = state.table("sku_variant")            # sku -> variant id
        self._stock = state.table("stock")
        self._j = journal

    def add(self, product: Product) -> None:
        if product.id in self._rows:
            raise Conflict(f"product {product.id} exists")
        self._index(product, None)
        self._j.put(self._rows, product.id, product)

    def add_many(self, products: Sequence[Product]) -> None:
        skus = [v.sku for p in products for v in p.variants]
        ids = [p.id for p in products]
        if len(set(skus)) != len(skus) or len(set(ids)) != len(ids):
            raise Conflict("a SKU or product id repeats among the products")
        clash = next((s for s in skus if s in self._skus), None)
        if clash is not None or any(i in self._rows for i in ids):
            raise Conflict(f"SKU {clash} is already used" if clash else "a product exists",
                           {"sku": clash} if clash else None)
        for product in products:
            self.add(product)

    def get(self, product_id: int) -> Product:
        try:
            return fresh(self._rows[product_id])
        except KeyError:
            raise NotFound(f"product {product_id} not found", {"product_id": product_id}) from None

    def get_many(self, product_ids: Iterable[int]) -> dict[int, Product]:
        return {pid: fresh(self._rows[pid]) for pid in product_ids if pid in self._rows}

    def update(self, product: Product) -> None:
        old = self._rows.get(product.id)
        if old is None:
            raise NotFound(f"product {product.id} not found", {"product_id": product.id})
        self._index(product, old)
        self._j.put(self._rows, product.id, product)

    def _index(self, product: Product, old: Product | None) -> None:
        """Point SKUs and variant ids at ``product``, checking every SKU before writing any:
        a refused product leaves the indexes as they were."""
        own = {v.id for v in old.variants} if old else set()
        for v in product.variants:
            owner = self._skus.get(v.sku)
            if owner is not None and owner != v.id and owner not in own:
                raise Conflict(f"SKU {v.sku} is already used", {"sku": v.sku})
        for v in old.variants if old else ():
            if v.id not in {n.id for n in product.variants}:
                self._j.delete(self._variants, v.id)
            if self._skus.get(v.sku) == v.id:
                self._j.delete(self._skus, v.sku)
        for v in product.variants:
            self._j.put(self._variants, v.id, product.id)
            self._j.put(self._skus, v.sku, v.id)

    def get_variants(self, variant_ids: Iterable[int]) -> dict[int, Variant]:
        found: dict[int, Variant] = {}
        for vid in variant_ids:
            pid = self._variants.get(vid)
            if pid is not None:
                found[vid] = fresh(next(v for v in self._rows[pid].variants if v.id == vid))
        return found

    def offers(self, variant_ids: Iterable[int]) -> dict[int, Offer]:
        found: dict[int, Offer] = {}
        for vid in variant_ids:
            pid = self._variants.get(vid)
            if pid is not None:
                product = self._rows[pid]
                v = next(v for v in product.variants if v.id == vid)
                found[vid] = Offer(vid, pid, v.price, v.is_active and product.is_active)
        return found

    def find(self, query: ProductQuery, page: PageRequest) -> Page[Product]:
        hits = self._sorted(query)
        chunk = hits[page.offset:page.offset + page.limit]
        return Page([fresh(p) for p in chunk], len(hits), page.page, page.limit)

    def _sorted(self, query: ProductQuery) -> list[Product]:
        hits = [p for p in self._rows.values() if self._matches(p, query)]
        return sorted(hits, key=lambda p: _position(query.sort, p))

    def summaries(self, query: ProductQuery, page: PageRequest, after: After | None = None,
                  count_up_to: int = COUNT_BOUND) -> SummaryPage:
        hits = self._sorted(query)
        if after is not None:
            start = _position(query.sort, after)
            hits_after = [p for p in hits if _position(query.sort, p) > start]
            chunk = hits_after[:page.limit + 1]
        else:
            chunk = hits[page.offset:page.offset + page.limit + 1]
        shown = chunk[:page.limit]
        following = None
        if len(chunk) > page.limit:
            last = shown[-1]
            following = After(_key_value(query.sort, last), last.id)
        # memory counts exactly at no cost; past the bound it still says "estimated"
        return SummaryPage([self._summary(p) for p in shown], len(hits),
                           len(hits) <= count_up_to, following)

    def _in_stock(self, p: Product) -> bool:
        return any(self._stock[v.id].available > 0 for v in p.active_variants
                   if v.id in self._stock)

    def _summary(self, p: Product) -> ProductSummary:
        return ProductSummary(p.id, p.name, p.min_price, p.rating, p.review_count,
                              p.images[0] if p.images else None, p.seller_id, p.category_id,
                              self._in_stock(p), p.created_at)

    def _matches(self, p: Product, q: ProductQuery) -> bool:
        price = p.min_price.amount
        checks = (
            q.include_inactive or p.is_active,
            q.category_ids is None or p.category_id in q.category_ids,
            q.seller_id is None or p.seller_id == q.seller_id,
            q.min_price is None or price >= q.min_price,
            q.max_price is None or price <= q.max_price,
            q.rating_min is None or (p.rating is not None and p.rating >= q.rating_min),
            not q.search or _text_match(p, q.search),
        )
        if not all(checks):
            return False
        return q.in_stock is None or self._in_stock(p) == q.in_stock


def _key_value(sort: ProductSort, p: Product) -> Decimal | None:
    if sort is ProductSort.NEWEST:
        return None
    if sort is ProductSort.RATING:
        return p.rating if p.rating is not None else Decimal(-1)
    return p.min_price.amount


def _position(sort: ProductSort, p: Product | After) -> tuple[Decimal, int]:
    """Where ``p`` sorts (ascending): the sort value, then newest id first."""
    value = (_key_value(sort, p) if isinstance(p, Product) else p.value) or Decimal(0)
    if sort is ProductSort.NEWEST:
        value = Decimal(0)
    ascending = sort is ProductSort.PRICE_ASC
    return (value if ascending else -value, -p.id)


def _text_match(p: Product, search: str) -> bool:
    haystack = " ".join([p.name, p.description, *p.tags]).lower()
    return all(word in haystack for word in search.lower().split())


class MemoryCategories:
    def __init__(self, state: MemoryState, journal: Journal) -> None:
        self._rows: dict[int, Category] = state.table("categories")
        self._j = journal

    def _name_taken(self, category: Category) -> bool:
        return any(c.name.lower() == category.name.lower() and c.id != category.id
                   for c in self._rows.values())

    def add(self, category: Category) -> None:
        if category.id in self._rows or self._name_taken(category):
            raise Conflict(f"category {category.name!r} exists", {"name": category.name})
        self._j.put(self._rows, category.id, category)

    def get(self, category_id: int) -> Category:
        try:
            return fresh(self._rows[category_id])
        except KeyError:
            raise NotFound(f"category {category_id} not found",
                           {"category_id": category_id}) from None

    def update(self, category: Category) -> None:
        self.get(category.id)
        if self._name_taken(category):
            raise Conflict(f"category {category.name!r} exists", {"name": category.name})
        self._j.put(self._rows, category.id, category)

    def delete(self, category_id: int) -> None:
        self.get(category_id)
        if any(c.parent_id == category_id for c in self._rows.values()):
            raise Conflict(f"category {category_id} has sub-categories")
        self._j.delete(self._rows, category_id)

    def all(self) -> Sequence[Category]:
        return [fresh(c) for c in self._rows.values()]
