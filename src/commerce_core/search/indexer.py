"""Keeping the search index in step with the catalog: a plain handler of domain events.

:meth:`SearchIndexer.handle` takes one event and re-reads what it names (a product, the
product of a variant, the products under a category) from the catalog and the stock, then
writes those documents (or removes the products no longer on sale). Because it writes
state it has just read, never a delta carried by the event, a replayed or late event
changes nothing: delivering at least once is enough, whatever carries the events (the
in-process bus fed by the outbox today, a broker's consumer later).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from decimal import Decimal

import attrs

from commerce_core.catalog.model import Category, Product
from commerce_core.catalog.ports import ProductQuery
from commerce_core.clock import Clock
from commerce_core.events import (
    CategoryMoved,
    DomainEvent,
    InventoryUpdated,
    ProductCreated,
    ProductRated,
    ProductUpdated,
)
from commerce_core.inventory.model import StockItem
from commerce_core.pagination import MAX_LIMIT, PageRequest
from commerce_core.search.ports import ProductDocument, Reindexable, SearchIndex
from commerce_core.uow import Transactions

# the events that change what the index holds
EVENTS: tuple[type[DomainEvent], ...] = (ProductCreated, ProductUpdated, ProductRated,
                                         InventoryUpdated, CategoryMoved)
REFRESH_BATCH = 500  # products read and written to the index together


def ancestry(categories: Sequence[Category], category_id: int) -> frozenset[int]:
    """The category and every ancestor of it (a sub-tree filter on any of them finds it)."""
    parent = {c.id: c.parent_id for c in categories}
    found: set[int] = set()
    at: int | None = category_id
    while at is not None and at not in found:
        found.add(at)
        at = parent.get(at)
    return frozenset(found)


def document(product: Product, categories: Sequence[Category],
             stock: Mapping[int, StockItem], now: datetime) -> ProductDocument:
    """What the index holds of a product on sale."""
    active = product.active_variants
    return ProductDocument(
        product_id=product.id, name=product.name, description=product.description,
        category_ids=ancestry(categories, product.category_id), seller_id=product.seller_id,
        min_price=product.min_price.amount, currency=product.currency,
        rating=product.rating or Decimal(0), review_count=product.review_count,
        in_stock=any(stock[v.id].available > 0 for v in active if v.id in stock),
        created_at=product.created_at or now, tags=tuple(product.tags),
        attributes=dict(product.attributes), image=product.images[0] if product.images else None)


@attrs.define
class IndexingStats:
    """What ``/metrics`` shows: events handled, and how far behind the last one was."""

    events: int = 0
    documents: int = 0
    last_lag_seconds: float = 0.0
    last_event_at: datetime | None = None


class SearchIndexer:
    """Writes the catalog's current state of what each event names into the index."""

    def __init__(self, index: SearchIndex, tx: Transactions, clock: Clock) -> None:
        self._index = index
        self._tx = tx
        self._clock = clock
        self._lock = threading.Lock()
        self.stats = IndexingStats()
        self.listeners: list[Callable[[Sequence[ProductDocument]], None]] = []

    def handle(self, event: DomainEvent) -> None:
        """Bring the index in step with what ``event`` names; other events are ignored."""
        self.handle_many([event])

    __call__ = handle  # a BatchHandler: the in-process bus hands it a commit's events at once

    def handle_many(self, events: Sequence[DomainEvent]) -> None:
        """``handle`` for many events: the products they name refreshed together, a
        catalog read and an index write per :data:`REFRESH_BATCH` products."""
        product_ids: list[int] = []
        variant_ids: list[int] = []
        handled = [e for e in events if isinstance(e, EVENTS)]
        for event in handled:
            if isinstance(event, ProductCreated | ProductUpdated | ProductRated):
                product_ids.append(event.product_id)
            elif isinstance(event, InventoryUpdated) and event.may_flip_in_stock():
                variant_ids.append(event.variant_id)
            elif isinstance(event, CategoryMoved):
                product_ids += self._products_under(event.category_id)
        if not handled:
            return
        if variant_ids:
            with self._tx.catalog_read() as catalog:
                variants = catalog.products.get_variants(variant_ids)
            product_ids += [v.product_id for v in variants.values()]
        unique = sorted(set(product_ids))
        written = sum(self.refresh_products(unique[n:n + REFRESH_BATCH])
                      for n in range(0, len(unique), REFRESH_BATCH))
        now, last = self._clock.now(), handled[-1].occurred_at
        with self._lock:
            self.stats.events += len(handled)
            self.stats.documents += written
            self.stats.last_lag_seconds = max(0.0, (now - last).total_seconds())
            self.stats.last_event_at = last

    def _products_under(self, category_id: int) -> list[int]:
        with self._tx.catalog_read() as catalog:
            cats = catalog.categories.all()
        under = {c.id for c in cats if category_id in ancestry(cats, c.id)}
        query = ProductQuery(category_ids=frozenset(under), include_inactive=True)
        return [p.id for p in self._pages(query)]

    def refresh_products(self, product_ids: Iterable[int]) -> int:
        """Index these products as the catalog has them now (removing any not on sale);
        how many documents were written."""
        ids = sorted(set(product_ids))
        if not ids:
            return 0
        with self._tx.catalog_read() as catalog:
            products = catalog.products.get_many(ids)
            categories = catalog.categories.all()
        on_sale = [p for p in products.values() if p.is_active and p.active_variants]
        docs = self._documents(on_sale, categories)
        gone = [i for i in ids if i not in {d.product_id for d in docs}]
        if docs:
            self._index.index(docs)
            for listener in self.listeners:
                listener(docs)
        if gone:
            self._index.remove(gone)
        return len(docs)

    def _documents(self, products: Sequence[Product], categories: Sequence[Category]
                   ) -> list[ProductDocument]:
        variant_ids = [v.id for p in products for v in p.active_variants]
        stock: dict[int, StockItem] = {}
        if variant_ids:
            with self._tx.read() as uow:
                stock = dict(uow.inventory.get_many(variant_ids))
        now = self._clock.now()
        return [document(p, categories, stock, now) for p in products]

    def _pages(self, query: ProductQuery) -> Iterator[Product]:
        page = 1
        while True:
            with self._tx.catalog_read() as catalog:
                found = catalog.products.find(query, PageRequest(page, MAX_LIMIT))
            yield from found.items
            if page * MAX_LIMIT >= found.total_count or not found.items:
                return
            page += 1

    def all_documents(self) -> Iterator[ProductDocument]:
        """Every product on sale, as documents, a page at a time."""
        with self._tx.catalog_read() as catalog:
            categories = catalog.categories.all()
        batch: list[Product] = []
        for product in self._pages(ProductQuery()):
            if product.active_variants:
                batch.append(product)
            if len(batch) == MAX_LIMIT:
                yield from self._documents(batch, categories)
                batch = []
        yield from self._documents(batch, categories)

    def reindex(self, total: Callable[[int], None] | None = None,
                progress: Callable[[int], None] | None = None) -> int:
        """Rebuild the whole index from the catalog; how many documents it holds. An index
        that can rebuild beside the live one (``Reindexable``) is swapped in at the end;
        any other is cleared first. ``total`` gets the product count, ``progress`` the
        number of documents written since its last call."""
        if total is not None:
            with self._tx.catalog_read() as catalog:
                total(catalog.products.find(ProductQuery(), PageRequest(1, 1)).total_count)

        def counted(docs: Iterator[ProductDocument]) -> Iterator[ProductDocument]:
            for doc in docs:
                yield doc
                if progress is not None:
                    progress(1)
        if isinstance(self._index, Reindexable):
            count = self._index.rebuild(counted(self.all_documents()))
        else:
            self._index.clear()
            count = 0
            batch: list[ProductDocument] = []
            for doc in counted(self.all_documents()):
                batch.append(doc)
                if len(batch) == 500:
                    self._index.index(batch)
                    count, batch = count + len(batch), []
            self._index.index(batch)
            count += len(batch)
        self._index.refresh()
        return count
