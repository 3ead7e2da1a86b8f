"""``--from`` / ``--to`` for the figures commands: days, both included; the core's default
period (the last 30 days) when not given."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

import typer

from commerce_cli.errors import Usage
from commerce_core.analytics.service import period as core_period

Since = Annotated[datetime | None, typer.Option("--from", formats=["%Y-%m-%d"],
                                                help="First day (default: 29 days before --to).")]
Until = Annotated[datetime | None, typer.Option("--to", formats=["%Y-%m-%d"],
                                                help="Last day (default: today).")]


def period(since: datetime | None, until: datetime | None) -> tuple[date, date]:
    # reports count UTC days (the core's windows): today is the UTC date, not the local one
    start, end = core_period(since and since.date(), until and until.date(),
                             datetime.now(UTC).date())
    if start > end:
        raise Usage(f"--from {start} is after --to {end}")
    return start, end
