"""The catalog store: its repositories and the session that holds them."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from types import TracebackType
from typing import TYPE_CHECKING, Protocol, Self

import attrs

from commerce_core.catalog.model import Category, Product, ProductSort, Variant
from commerce_core.catalog.views import COUNT_BOUND, After, SummaryPage
from commerce_core.money import Money
from commerce_core.pagination import Page, PageRequest

if TYPE_CHECKING:
    from commerce_core.reviews.ports import ReviewRepository


@attrs.frozen
class ProductQuery:
    """Listing filters; ``category_ids`` already includes sub-categories."""

    category_ids: frozenset[int] | None = None
    search: str | None = None
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    rating_min: Decimal | None = None
    in_stock: bool | None = None
    seller_id: int | None = None
    include_inactive: bool = False
    sort: ProductSort = ProductSort.NEWEST


@attrs.frozen
class Offer:
    """What a checkout needs of a variant: its price, and whether it is still sold (the
    variant and its product both active)."""

    variant_id: int
    product_id: int
    price: Money
    on_sale: bool


class ProductRepository(Protocol):
    def add(self, product: Product) -> None:
        """Store a new product with its variants; Conflict if its id or a SKU exists."""
        ...

    def add_many(self, products: Sequence[Product]) -> None:
        """Store new products at once (a bulk import) in as few writes as the store allows;
        Conflict if an id or a SKU exists or repeats among them, and then none is stored."""
        ...

    def get(self, product_id: int) -> Product:
        """The product with its variants; NotFound if absent. In a writing unit of work the
        product stays locked against other writers until the unit of work ends."""
        ...

    def get_many(self, product_ids: Iterable[int]) -> dict[int, Product]:
        """The products found among ``product_ids``, read without locking (a snapshot for
        checks and listings); missing ones are left out."""
        ...

    def update(self, product: Product) -> None:
        """Replace the stored product and variants; NotFound if absent, Conflict on a SKU clash."""
        ...

    def get_variants(self, variant_ids: Iterable[int]) -> dict[int, Variant]:
        """The variants found among ``variant_ids`` (missing ones are left out)."""
        ...

    def offers(self, variant_ids: Iterable[int]) -> dict[int, Offer]:
        """The offers of the variants found among ``variant_ids`` (missing ones are left
        out), in one read: the checkout's price check."""
        ...

    def find(self, query: ProductQuery, page: PageRequest) -> Page[Product]:
        """Products matching ``query`` in its sort order (ties by newest id), one page of them.

        Price filters apply to the lowest active variant price; ``in_stock`` means some
        variant has available stock.
        """
        ...

    def summaries(self, query: ProductQuery, page: PageRequest, after: After | None = None,
                  count_up_to: int = COUNT_BOUND) -> SummaryPage:
        """One page of listing summaries of ``query``, in one purpose-built read: in its sort
        order with ties by newest id, starting after ``after`` when given (keyset: the
        page's offset is then ignored), else at the page's offset. Matches are counted
        exactly up to ``count_up_to``; past it ``total_count`` is an estimate of at least
        ``count_up_to + 1`` and ``total_exact`` is False. ``next`` is the position after the
        last entry when more follow."""
        ...


class CategoryRepository(Protocol):
    def add(self, category: Category) -> None:
        """Store a new category; Conflict if the name is taken."""
        ...

    def get(self, category_id: int) -> Category:
        """NotFound if absent."""
        ...

    def update(self, category: Category) -> None:
        """Replace a category; Conflict if the new name is taken."""
        ...

    def delete(self, category_id: int) -> None:
        """Remove a category; NotFound if absent, Conflict while it has sub-categories."""
        ...

    def all(self) -> Sequence[Category]:
        """Every category (the tree is small enough to hold)."""
        ...


class CatalogSession(Protocol):
    """One transaction on the catalog store (products, categories, reviews).

    The catalog is a part of its own, eventually consistent with the transactional store:
    it may live in another database (MongoDB in the seed), so nothing commits with both.
    """

    @property
    def products(self) -> ProductRepository: ...

    @property
    def categories(self) -> CategoryRepository: ...

    @property
    def reviews(self) -> ReviewRepository: ...

    def __enter__(self) -> Self:
        """Begin the transaction."""
        ...

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        """Roll back whatever was not committed, and end the transaction."""
        ...

    def commit(self) -> None:
        """Make every change durable at once."""
        ...


# ``(read_only=False, replica=False)``: a session, as UnitOfWorkFactory opens units of work
CatalogSessions = Callable[..., CatalogSession]
