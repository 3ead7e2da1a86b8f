"""Cache-aside reads of the API: rendered JSON kept under the seed's keys (commerce_core.cache).

A hit is served as bytes, without touching the database or rendering anything. Product
detail is two keys read in one round trip: the product's catalog fields (24 h) and its
stock, variants and seller (5 min), spliced into one body; bodies are ``wire.encode`` of
the API's Models, so a hit is byte for byte what a miss sends. What a reader may see is still
checked on a hit (an order's owner travels with its body).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from commerce_core.accounts.policy import Action, Actor, authorize
from commerce_core.cache import keys as ttl
from commerce_core.facade import Commerce
from commerce_core.orders.service import OrderDetail
from commerce_http.contract import wire


def product_detail(shop: Commerce, product_id: int,
                   load: Callable[[], tuple[object, object]]) -> bytes:
    """The product's detail: ``load`` gives its catalog part and its live part (stock,
    seller) as two Models, each kept under its own key and lifetime; the body is the two
    spliced, so a hit is byte for byte what a miss sends."""
    keys = shop.cached.keys
    product, stock = keys.product(product_id), keys.availability(product_id)

    def fetch() -> Mapping[str, bytes]:
        facts, live = load()
        return {product: wire.encode(facts), stock: wire.encode(live)[1:-1]}  # a fragment

    found = shop.cached.fetch_many({product: ttl.PRODUCT_TTL, stock: ttl.AVAILABILITY_TTL},
                                   fetch)
    return splice(found[product], found[stock])


def splice(facts: bytes, fragment: bytes) -> bytes:
    """A JSON object with the members of another (without its braces) added at its end."""
    return facts[:-1] + b"," + fragment + b"}"


def category_tree(shop: Commerce, load: Callable[[], object]) -> bytes:
    return shop.cached.fetch(shop.cached.keys.category_tree(), ttl.CATEGORY_TREE_TTL,
                             lambda: wire.encode(load()))


def listing(shop: Commerce, query: Mapping[str, object], load: Callable[[], object]) -> bytes:
    """A listing or search page by its parsed query; ``load`` renders it from the truth."""
    namespace, key = shop.cached.keys.listing(query)
    lifetime = ttl.SEARCH_TTL if query.get("search") else ttl.LISTING_TTL
    return shop.cached.fetch_in(namespace, key, lifetime, lambda: wire.encode(load()))


def order_detail(shop: Commerce, order_id: int, actor: Actor,
                 render: Callable[[OrderDetail], object]) -> bytes:
    """The order's body (``render``'s Model, encoded as a miss sends it), cached with its
    owner's id so a hit is authorized as a miss is."""
    def load() -> bytes:
        detail = shop.orders.detail(order_id, actor)  # authorizes
        return b"%d|" % detail.order.user_id + wire.encode(render(detail))

    value = shop.cached.fetch(shop.cached.keys.order(order_id), ttl.ORDER_TTL, load)
    owner, _, body = value.partition(b"|")
    authorize(actor, Action.VIEW_ORDER, int(owner), f"order {order_id}")
    return body
