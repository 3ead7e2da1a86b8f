"""Query types several areas share."""

from __future__ import annotations

import msgspec

from commerce_http.contract.wire import Limit, Moment, Page, Query


class PageQuery(Query):
    page: Page = 1
    limit: Limit = 20


class PeriodQuery(Query):
    """Days (UTC), both included; left out: the 30 days up to ``to`` (or today)."""

    from_: Moment | None = msgspec.field(default=None, name="from")
    to: Moment | None = None
