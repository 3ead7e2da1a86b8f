"""The seed's cache keys and time-to-live table, under a configurable prefix.

    product:{product_id}                 product detail (its catalog fields)      24 h
    availability:{product_id}            its stock and variants                    5 min
    categories:tree                      the category tree                          1 h
    products:page:{gen}:{digest}         a page of the product listing              1 h
    search:{gen}:{query}:{page}:{digest} a page of search results                   1 h
    products:page:generation, search:generation   each namespace's generation     24 h

A listing or search page lives in a versioned namespace: its key embeds the namespace's
current generation, and a change replaces the generation (one write) instead of finding
and deleting the pages; the old ones are never read again and die by their TTL.
    order:{order_id}                     an order's detail                          1 h
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

import attrs

PRODUCT_TTL = 24 * 3600.0
AVAILABILITY_TTL = 5 * 60.0
CATEGORY_TREE_TTL = 3600.0
LISTING_TTL = 3600.0
SEARCH_TTL = 3600.0
ORDER_TTL = 3600.0
GENERATION_TTL = 24 * 3600.0  # outlives every page under it; if it goes, so do they


@attrs.frozen
class CacheKeys:
    prefix: str = "commerce:"

    def product(self, product_id: int) -> str:
        return f"{self.prefix}product:{product_id}"

    def availability(self, product_id: int) -> str:
        return f"{self.prefix}availability:{product_id}"

    def category_tree(self) -> str:
        return f"{self.prefix}categories:tree"

    def listing(self, query: Mapping[str, object]) -> tuple[str, str]:
        """A listing page, by its parsed filters (so equal queries share one key), as its
        namespace and its key within it; one with a search text is a search page."""
        digest = _digest(query)
        search = query.get("search")
        if search:
            return f"{self.prefix}search:", f"{search}:{query.get('page', 1)}:{digest}"
        return f"{self.prefix}products:page:", digest

    @property
    def listings(self) -> tuple[str, str]:
        """The namespaces of every listing and search page."""
        return f"{self.prefix}products:page:", f"{self.prefix}search:"

    @property
    def every_prefix(self) -> tuple[str, ...]:
        """Prefixes covering every key of this table (never the carts or sessions)."""
        return tuple(f"{self.prefix}{kind}:" for kind in (
            "product", "availability", "categories", "products", "search", "order"))

    def order(self, order_id: int) -> str:
        return f"{self.prefix}order:{order_id}"


def _digest(query: Mapping[str, object]) -> str:
    canonical = "&".join(f"{k}={query[k]}" for k in sorted(query) if query[k] is not None)
    return hashlib.blake2b(canonical.encode(), digest_size=10).hexdigest()
