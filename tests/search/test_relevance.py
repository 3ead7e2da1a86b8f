"""The relevance set: a fixed catalog (catalog.json) and queries (queries.json) with the
products each must return in its top 5 (an empty list: must return nothing), including
misspellings, plurals, partial words and synonyms. Every index must pass at least
``FLOOR`` of them; each run prints the rate per index and the queries it missed.

The queries go through what the search service does (:func:`plan` against the index's own
vocabulary, with the set's synonyms), so this measures the index and the shared analysis
together, as a shopper meets them."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from commerce_core.catalog.model import Category
from commerce_core.search.indexer import ancestry
from commerce_core.search.ports import ProductDocument, SearchIndex, SearchQuery
from commerce_core.search.text import Synonyms, Vocabulary, plan

HERE = Path(__file__).parent
FLOOR = 0.9
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def catalog() -> list[ProductDocument]:
    data = json.loads((HERE / "catalog.json").read_text())
    parents = {int(k): v for k, v in data["parents"].items()}
    cats = [Category(int(k), f"category {k}", parents.get(int(k))) for k in data["categories"]]
    return [ProductDocument(
        product_id=pid, name=name, description=description,
        category_ids=ancestry(cats, category), seller_id=1, min_price=Decimal(price),
        currency="USD", rating=Decimal(rating), review_count=pid % 7, in_stock=True,
        created_at=T0 + timedelta(hours=pid), tags=tuple(tags))
        for pid, name, description, tags, category, price, rating in data["products"]]


def queries() -> tuple[list[dict[str, Any]], Synonyms]:
    data = json.loads((HERE / "queries.json").read_text())
    return data["queries"], Synonyms(g.split(",") for g in data["synonyms"])


def passes(index: SearchIndex, case: dict[str, Any], vocabulary: Vocabulary,
           synonyms: Synonyms) -> bool:
    terms = plan(case["q"], vocabulary, synonyms)
    top = [h.product_id for h in index.search(SearchQuery(text=case["q"], terms=terms,
                                                          limit=5)).hits]
    return set(case["top5"]) <= set(top) if case["top5"] else top == []


def test_relevance_set_is_big_enough() -> None:
    cases, _ = queries()
    kinds = {c["kind"] for c in cases}
    assert len(cases) >= 30 and {"typo", "plural", "partial"} <= kinds


def test_every_index_passes_the_relevance_set(index: SearchIndex,
                                              request: pytest.FixtureRequest) -> None:
    index.index(catalog())
    index.refresh()
    cases, synonyms = queries()
    vocabulary = Vocabulary(index.terms())
    missed = [c["q"] for c in cases if not passes(index, c, vocabulary, synonyms)]
    rate = 1 - len(missed) / len(cases)
    name = request.node.callspec.id
    print(f"\nrelevance[{name}]: {len(cases) - len(missed)}/{len(cases)} = {rate:.0%}; "
          f"missed: {missed}")
    assert rate >= FLOOR, missed
