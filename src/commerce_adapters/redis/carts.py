"""The cart store on Redis (the seed's primary cart store): one hash per user under
``<prefix>cart:{<user_id>}`` holding the cart as JSON, its version and its expiry.

Every change is one Lua script, so the version check and the write are atomic: of two
requests that read version 3, one saves version 4 and the other gets Conflict, and the cart
service retries it on the fresh cart (no line is lost). Each save sets the key's TTL to the
cart's 30 days from ``updated_at``, so a cart in use never expires; the expiry is also kept
in the hash and checked against the shop's clock, as the SQL store does.
"""

from __future__ import annotations

import json
import math
from datetime import datetime
from decimal import Decimal
from typing import Any

from commerce_adapters.redis.client import Client, client, reached
from commerce_core.cart.model import Cart, CartLine
from commerce_core.cart.ports import CartStore
from commerce_core.clock import Clock, SystemClock
from commerce_core.errors import Conflict
from commerce_core.money import Money
from commerce_core.uow import UnitOfWork

WHAT = "cart store"
# KEYS[1] the cart; ARGV: read version, cart JSON, now (ms), expiry (ms), TTL (ms).
# Returns the stored version before (0 if none or expired) and whether it was written.
_SAVE = """
local found = redis.call('HMGET', KEYS[1], 'v', 'exp')
local current = tonumber(found[1] or '0')
if found[2] and tonumber(found[2]) <= tonumber(ARGV[3]) then current = 0 end
if current ~= tonumber(ARGV[1]) then return {0, current} end
redis.call('HSET', KEYS[1], 'v', current + 1, 'data', ARGV[2], 'exp', ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return {1, current + 1}
"""
# KEYS[1] the cart; ARGV: read version, now (ms). Gone or expired counts as discarded.
_DISCARD = """
local found = redis.call('HMGET', KEYS[1], 'v', 'exp')
if not found[1] or (found[2] and tonumber(found[2]) <= tonumber(ARGV[2])) then return 1 end
if tonumber(found[1]) ~= tonumber(ARGV[1]) then return {0, tonumber(found[1])} end
redis.call('DEL', KEYS[1])
return 1
"""


class RedisCartStore:
    def __init__(self, redis_client: Client, clock: Clock | None = None,
                 prefix: str = "commerce:") -> None:
        self._redis = redis_client
        self._clock = clock or SystemClock()
        self._prefix = prefix
        self._save = redis_client.register_script(_SAVE)
        self._discard = redis_client.register_script(_DISCARD)

    def _key(self, user_id: int) -> str:
        return f"{self._prefix}cart:{{{user_id}}}"  # a hash tag: one slot per cart

    def _now_ms(self) -> int:
        return math.floor(self._clock.now().timestamp() * 1000)

    def get(self, user_id: int) -> Cart | None:
        with reached(WHAT):
            version, data, expires = self._redis.hmget(self._key(user_id), "v", "data", "exp")
        if version is None or data is None:
            return None
        if expires is not None and int(expires) <= self._now_ms():
            return None  # expired by the shop's clock; the key's own TTL removes it
        return _decode(data, int(version))

    def save(self, cart: Cart) -> Cart:
        now = self._now_ms()
        expires = math.floor(cart.expires_at().timestamp() * 1000)
        with reached(WHAT):
            written, version = self._save(
                keys=[self._key(cart.user_id)],
                args=[cart.version, _encode(cart), now, expires, max(1, expires - now)])
        if not written:
            raise Conflict("the cart was changed by another request", {"cart_version": version})
        return _decode(_encode(cart), int(version))  # a copy: the caller's stays as read

    def discard(self, cart: Cart) -> None:
        with reached(WHAT):
            done = self._discard(keys=[self._key(cart.user_id)],
                                 args=[cart.version, self._now_ms()])
        if done != 1:
            raise Conflict("the cart was changed by another request",
                           {"cart_version": int(done[1])})

    def delete(self, user_id: int) -> None:
        with reached(WHAT):
            self._redis.delete(self._key(user_id))

    def joined(self, uow: UnitOfWork) -> CartStore | None:
        return None  # not in the database: the checkout empties it after its commit

    def ping(self) -> None:
        with reached(WHAT):
            self._redis.ping()

    def close(self) -> None:
        self._redis.close()  # the client it was given: its connection pool


def open_carts(url: str, clock: Clock, prefix: str = "commerce:") -> RedisCartStore:
    """The cart part's factory (``COMMERCE_CART_URL=redis://...``)."""
    return RedisCartStore(client(url), clock, prefix)


def _encode(cart: Cart) -> str:
    return json.dumps({
        "id": cart.id, "user_id": cart.user_id, "created_at": cart.created_at.isoformat(),
        "updated_at": cart.updated_at.isoformat(), "coupon_code": cart.coupon_code,
        "lines": [[ln.id, ln.product_id, ln.variant_id, ln.sku, ln.product_name, ln.quantity,
                   str(ln.unit_price.amount), ln.unit_price.currency, ln.seller_id,
                   ln.category_id, ln.weight_grams, ln.selected_attributes]
                  for ln in cart.lines]}, separators=(",", ":"))


def _decode(data: bytes | str, version: int) -> Cart:
    raw: dict[str, Any] = json.loads(data)
    lines = [CartLine(ln[0], ln[1], ln[2], ln[3], ln[4], ln[5], Money(Decimal(ln[6]), ln[7]),
                      ln[8], ln[9], ln[10], dict(ln[11])) for ln in raw["lines"]]
    return Cart(raw["id"], raw["user_id"], datetime.fromisoformat(raw["created_at"]),
                datetime.fromisoformat(raw["updated_at"]), lines, raw["coupon_code"], version)
