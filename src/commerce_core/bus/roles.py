"""The consumer groups a shop can run, by role (``commerce worker --role NAME``).

A role is a consumer group's name and the handlers it runs, built from a shop: any
``Callable[[DomainEvent], None]`` subscribed to event types. Register one with
:meth:`Roles.register`; each role consumes every topic in a group of its own, so each sees
every event once (at least once delivered, once in effect: see :class:`Dispatcher`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import attrs

from commerce_core.bus.ports import Handler
from commerce_core.events import DomainEvent
from commerce_core.notifications.service import EVENTS as NOTIFIED_EVENTS
from commerce_core.rankings.service import EVENTS as RANKED_EVENTS
from commerce_core.search.indexer import EVENTS as INDEXED_EVENTS

if TYPE_CHECKING:
    from commerce_core.facade import Commerce

Subscriptions = Sequence[tuple[type[DomainEvent], Handler]]


@attrs.frozen
class Role:
    name: str
    group: str  # the consumer group, unique per role
    handlers: Callable[[Commerce], Subscriptions]
    doc: str = ""


class Roles:
    def __init__(self) -> None:
        self._roles: dict[str, Role] = {}

    def register(self, name: str, handlers: Callable[[Commerce], Subscriptions],
                 group: str | None = None, doc: str = "") -> Role:
        """Add (or replace) the role ``name``; its group defaults to ``name``."""
        role = Role(name, group or name, handlers, doc)
        self._roles[name] = role
        return role

    def get(self, name: str) -> Role:
        """ValueError naming the known roles if there is none of that name."""
        try:
            return self._roles[name]
        except KeyError:
            raise ValueError(f"unknown role {name!r}; known: {', '.join(self.names())}"
                             ) from None

    def names(self) -> list[str]:
        return sorted(self._roles)


def _notifications(shop: Commerce) -> Subscriptions:
    return [(t, shop.notifications.consume) for t in NOTIFIED_EVENTS]


def _webhooks(shop: Commerce) -> Subscriptions:
    return [(DomainEvent, shop.webhooks)]


def _search_indexing(shop: Commerce) -> Subscriptions:
    return [(t, shop.search.indexer) for t in INDEXED_EVENTS]


def _rankings(shop: Commerce) -> Subscriptions:
    return [(t, shop.rankings.consume) for t in RANKED_EVENTS]


ROLES = Roles()
ROLES.register("notifications", _notifications, "notification-service",
               "e-mail, SMS, push and in-app messages for order and payment events")
ROLES.register("webhooks", _webhooks, "webhooks",
               "deliveries queued for the endpoints integrators registered (sent by the "
               "maintenance pass)")
ROLES.register("search-indexing", _search_indexing, "search-indexer",
               "the product index: each event re-reads the product, so a replay changes "
               "nothing")
ROLES.register("rankings", _rankings, "analytics",
               "trending products and top sellers (sorted sets; a replay after a crash may "
               "count an event twice, within the rankings' 15-minute freshness)")
