"""Recording and reading a customer's recent views and searches."""

from __future__ import annotations

import attrs

from commerce_core.accounts.policy import Action, Actor, authorize
from commerce_core.activity.ports import MAX_ENTRIES, ActivityStore, Searched, Viewed
from commerce_core.clock import Clock
from commerce_core.errors import ValidationError


@attrs.frozen
class RecentActivity:
    viewed: list[Viewed]
    searched: list[Searched]


class ActivityService:
    def __init__(self, store: ActivityStore, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    def viewed(self, actor: Actor, product_id: int) -> None:
        self._store.record_view(actor.user_id, product_id, self._clock.now())

    def searched(self, actor: Actor, query: str) -> None:
        """Remember a search (trimmed, case and spacing folded); blank ones are ignored."""
        text = " ".join((query or "").split())[:200].lower()
        if text:
            self._store.record_search(actor.user_id, text, self._clock.now())

    def recent(self, actor: Actor, limit: int = 20, user_id: int | None = None
               ) -> RecentActivity:
        user_id = actor.user_id if user_id is None else user_id
        authorize(actor, Action.VIEW_ACTIVITY, user_id)
        if not 1 <= limit <= MAX_ENTRIES:
            raise ValidationError(f"limit must be 1 to {MAX_ENTRIES}", {"limit": "out of range"})
        return RecentActivity(list(self._store.recent_views(user_id, limit)),
                              list(self._store.recent_searches(user_id, limit)))

    def forget(self, actor: Actor) -> None:
        self._store.forget(actor.user_id)
