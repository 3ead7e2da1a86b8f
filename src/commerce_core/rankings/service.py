"""Trending products (views and units ordered) and top sellers (units sold), the seed's
rankings, fed by events: a signed-in customer's product view, and every confirmed order."""

from __future__ import annotations

import logging
from datetime import timedelta

import attrs

from commerce_core.clock import Clock
from commerce_core.errors import Unavailable
from commerce_core.events import DomainEvent, OrderConfirmed
from commerce_core.rankings.ports import Rankings
from commerce_core.uow import Transactions
from commerce_core.validation import whole_number

log = logging.getLogger(__name__)
TRENDING = "trending:products"
TOP_SELLERS = "top:sellers"
WINDOW = timedelta(hours=24)
VIEW_SCORE = 1.0
UNIT_SCORE = 5.0  # one unit bought counts as five views toward trending
EVENTS = (OrderConfirmed,)


@attrs.frozen
class Ranked:
    id: int
    score: float


class RankingService:
    def __init__(self, rankings: Rankings, tx: Transactions, clock: Clock,
                 window: timedelta = WINDOW) -> None:
        self._rankings = rankings
        self._tx = tx
        self._clock = clock
        self.window = window

    def viewed(self, product_id: int) -> None:
        """Count a view; a rankings store that is down loses it (never fails the read)."""
        try:
            self._rankings.add(TRENDING, product_id, VIEW_SCORE, self._clock.now())
        except Unavailable:
            log.warning("a product view was not counted: the rankings store is down")

    def consume(self, event: DomainEvent) -> None:
        """An event consumer: a confirmed order's units count for its products and sellers.
        (Delivery is at least once: a redelivered event counts again, which a ranking can
        bear.)"""
        if not isinstance(event, OrderConfirmed):
            return
        with self._tx.read() as uow:
            order = uow.orders.get(event.order_id)
        for item in order.items:
            self._rankings.add(TRENDING, item.product_id, UNIT_SCORE * item.quantity,
                               event.occurred_at)
            self._rankings.add(TOP_SELLERS, item.seller_id, float(item.quantity),
                               event.occurred_at)

    def trending(self, limit: int = 10) -> list[Ranked]:
        """Products by views and units ordered over the window, most first."""
        return self._top(TRENDING, limit)

    def top_sellers(self, limit: int = 10) -> list[Ranked]:
        """Sellers by units sold over the window, most first."""
        return self._top(TOP_SELLERS, limit)

    def _top(self, board: str, limit: int) -> list[Ranked]:
        whole_number("limit", limit, 1, 100)
        return [Ranked(member, score) for member, score in
                self._rankings.top(board, limit, self._clock.now(), self.window)]
