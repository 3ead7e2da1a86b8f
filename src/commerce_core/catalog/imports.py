"""Bulk import of products (``CatalogService.import_products``, whose helpers it calls):
many products in a few writes per batch.

Each batch is written as ``create_product`` writes one product, in the same crash-safe
order (docs/parts.md): the batch's stock rows and its ProductCreated notices in one unit of
work, then its products in one catalog session. A row that cannot be a product (a bad
field, an unknown category, a SKU repeated in the file) is refused on its own beforehand;
if the store still refuses the batch (a SKU taken meanwhile), the batch's stock rows are
taken back and its rows are created one at a time, so each refusal names its own row."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from itertools import islice
from typing import TYPE_CHECKING, Any

import attrs

from commerce_core.accounts.policy import Action, Actor, authorize
from commerce_core.catalog.model import Product
from commerce_core.errors import CommerceError, Conflict, NotFound, ValidationError
from commerce_core.events import ProductCreated
from commerce_core.inventory.model import StockItem
from commerce_core.validation import whole_number

if TYPE_CHECKING:
    from commerce_core.catalog.service import CatalogService, VariantSpec

MAX_BATCH = 5000


@attrs.frozen
class NewProduct:
    """One row of a bulk import: what ``create_product`` takes."""

    name: str
    category_id: int
    variants: Sequence[VariantSpec]
    currency: str = "USD"
    description: str = ""
    attributes: Mapping[str, str] = attrs.field(factory=dict)
    images: Sequence[str] = ()
    tags: Sequence[str] = ()
    seller_id: int | None = None


@attrs.frozen
class Refusal:
    row: int  # its index among the rows given, from 0
    error: CommerceError


@attrs.define
class ImportResult:
    """``created``: (row index, product id) of each product made, in row order;
    ``refused``: the rows not made, each with its reason."""

    created: list[tuple[int, int]] = attrs.field(factory=list)
    refused: list[Refusal] = attrs.field(factory=list)


# progress(rows handled so far, products created so far), after every batch
Progress = Callable[[int, int], None]


def import_products(service: CatalogService, actor: Actor,
                    rows: Iterable[NewProduct | Mapping[str, Any]], batch_size: int,
                    progress: Progress | None) -> ImportResult:
    whole_number("batch_size", batch_size, 1, MAX_BATCH)
    result = ImportResult()
    categories = {c.id for c in service.categories()}
    seen_skus: set[str] = set()
    handled = 0
    for batch in _batches(enumerate(rows), batch_size):
        built: list[tuple[int, NewProduct, Product]] = []
        for index, raw in batch:
            try:
                row = raw if isinstance(raw, NewProduct) else NewProduct(**raw)
                product = _built(service, actor, row, categories, seen_skus)
            except CommerceError as ex:
                result.refused.append(Refusal(index, ex))
                continue
            except TypeError as ex:  # a mapping with a field NewProduct does not have
                result.refused.append(Refusal(index, ValidationError(str(ex), {"row": "shape"})))
                continue
            built.append((index, row, product))
        _write(service, built, result)
        handled += len(batch)
        if progress is not None:
            progress(handled, len(result.created))
    result.refused.sort(key=lambda r: r.row)
    return result


def _batches(rows: Iterable[tuple[int, Any]], size: int) -> Iterator[list[tuple[int, Any]]]:
    it = iter(rows)
    while batch := list(islice(it, size)):
        yield batch


def _built(service: CatalogService, actor: Actor, row: NewProduct, categories: set[int],
           seen_skus: set[str]) -> Product:
    """The product ``row`` becomes (checked as ``create_product`` checks it), not stored."""
    seller_id = actor.user_id if row.seller_id is None else row.seller_id
    authorize(actor, Action.MANAGE_PRODUCTS, seller_id)
    if row.category_id not in categories:
        raise NotFound(f"category {row.category_id} not found",
                       {"category_id": row.category_id})
    product = service._new_product(seller_id, row)
    skus = [v.sku.strip() for v in product.variants]
    repeated = next((s for s in skus if s in seen_skus), None)
    if repeated is not None:
        raise Conflict(f"SKU {repeated} is already used", {"sku": repeated})
    seen_skus.update(skus)
    return product


def _write(service: CatalogService, built: list[tuple[int, NewProduct, Product]],
           result: ImportResult) -> None:
    if not built:
        return
    now = service._clock.now()
    stock = [StockItem(v.id, p.id, p.seller_id, available=spec.stock,
                       reorder_level=spec.reorder_level,
                       last_restocked=now if spec.stock else None, updated_at=now)
             for _, row, p in built
             for spec, v in zip(row.variants, p.variants, strict=True)]
    notices = [ProductCreated(occurred_at=now, product_id=p.id, seller_id=p.seller_id)
               for _, _, p in built]
    try:
        with service._tx.catalog_change(*notices, prepare=lambda uow: (
                uow.inventory.open_many(stock, "opening stock", now))) as catalog:
            catalog.products.add_many([p for _, _, p in built])
    except Conflict:
        service._drop_unlisted_variants({p.id: [v.id for v in p.variants]
                                         for _, _, p in built})
        _one_by_one(service, built, result)
        return
    result.created += [(index, p.id) for index, _, p in built]


def _one_by_one(service: CatalogService, built: list[tuple[int, NewProduct, Product]],
                result: ImportResult) -> None:
    """A batch the store refused, row by row: each refusal then names its own row."""
    for index, row, product in built:
        try:
            made = service._store_new(product, row.variants)
        except CommerceError as ex:
            result.refused.append(Refusal(index, ex))
            continue
        result.created.append((index, made.id))
