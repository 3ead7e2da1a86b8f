"""``--from`` / ``--to`` for the figures commands: days, both included, the last 30 by
default."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated

import typer

from commerce_cli.errors import Usage

Since = Annotated[datetime | None, typer.Option("--from", formats=["%Y-%m-%d"],
                                                help="First day (default: 29 days before --to).")]
Until = Annotated[datetime | None, typer.Option("--to", formats=["%Y-%m-%d"],
                                                help="Last day (default: today).")]


def period(since: datetime | None, until: datetime | None) -> tuple[date, date]:
    end = until.date() if until else date.today()
    start = since.date() if since else end - timedelta(days=29)
    if start > end:
        raise Usage(f"--from {start} is after --to {end}")
    return start, end
