"""Ranking bodies: each entry with its id under ``key``, its score and its rank from 1."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from commerce_core.rankings.service import Ranked


def ranked_body(key: str, ranked: Sequence[Ranked]) -> list[dict[str, Any]]:
    return [{key: r.id, "score": r.score, "rank": n} for n, r in enumerate(ranked, 1)]
