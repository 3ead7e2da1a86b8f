"""Contract of the ReviewRepository port (reviews/ports.py), held by the catalog session."""

from __future__ import annotations

from datetime import timedelta

import pytest

from commerce_core.errors import Conflict, NotFound
from commerce_core.pagination import PageRequest
from commerce_core.reviews.model import RatingStats, Review, ReviewSort
from commerce_core.reviews.ports import ReviewQuery
from tests.contract.conftest import Backend


def _review(backend: Backend, user: int, stars: int, minutes: int, helpful: int = 0,
            product: int = 1) -> Review:
    at = backend.clock.now() + timedelta(minutes=minutes)
    return Review(backend.ids.next_id(), product, 9, user, stars, f"{stars}*", "", at, at,
                  helpful_count=helpful)


def test_reviews_one_per_author_sorted_filtered_and_counted(backend: Backend) -> None:
    a, b, c = (_review(backend, 1, 5, 0, helpful=1), _review(backend, 2, 3, 1, helpful=4),
               _review(backend, 3, 5, 2))
    with backend.catalog() as session:
        for r in (a, b, c, _review(backend, 1, 2, 3, product=2)):
            session.reviews.add(r)
        with pytest.raises(Conflict):
            session.reviews.add(_review(backend, 1, 4, 5))
        c.is_hidden = True
        session.reviews.update(c)
        b.respond("Thanks", backend.clock.now())
        session.reviews.update(b)
        session.commit()
    with backend.catalog() as session:
        def find(**kw: object) -> list[int]:
            return [r.id for r in session.reviews.find(
                ReviewQuery(1, **kw), PageRequest()).items]  # type: ignore[arg-type]
        assert find() == [b.id, a.id]
        assert find(sort=ReviewSort.RECENT, include_hidden=True) == [c.id, b.id, a.id]
        assert find(rating=5) == [a.id]
        assert find(unanswered=True) == [a.id]
        assert find(unanswered=True, include_hidden=True, sort=ReviewSort.RECENT) \
            == [c.id, a.id]
        assert session.reviews.stats(1) == RatingStats((0, 0, 1, 0, 1))
        assert session.reviews.stats(3) == RatingStats()
        session.reviews.set_vote(a.id, 7, True)
        session.reviews.set_vote(a.id, 7, False)
        assert session.reviews.vote(a.id, 7) is False and session.reviews.vote(a.id, 8) is None
        session.reviews.delete(a.id)
        assert session.reviews.vote(a.id, 7) is None
        session.reviews.add(_review(backend, 1, 4, 6))  # the author may review again
        with pytest.raises(NotFound):
            session.reviews.get(a.id)


def test_leaving_the_session_uncommitted_undoes_reviews_and_votes(backend: Backend) -> None:
    now = backend.clock.now()
    kept = Review(2, 4, 5, 2, 4, "t", "", now, now)
    with backend.catalog() as session:
        session.reviews.add(kept)
        session.commit()
    with backend.catalog() as session:
        session.reviews.add(Review(3, 4, 5, 1, 5, "t", "", now, now))
        session.reviews.set_vote(3, 6, True)
        session.reviews.set_vote(2, 6, True)
    with backend.catalog(read_only=True) as session:
        assert session.reviews.stats(4).count == 1 and session.reviews.vote(3, 6) is None
        assert session.reviews.vote(2, 6) is None
        with pytest.raises(NotFound):
            session.reviews.get(3)
