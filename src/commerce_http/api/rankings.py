"""The seed's rankings: trending products and top sellers (at most 15 minutes stale)."""

from __future__ import annotations

from commerce_http.contract.operation import Call, Operation
from commerce_http.contract.wire import Id, Limit, Model, Query

API = "/api/v1"


class RankingQuery(Query):
    limit: Limit = 10


class RankedProductOut(Model):
    product_id: Id
    score: float
    rank: int  # from 1


class RankedSellerOut(Model):
    seller_id: Id
    score: float
    rank: int


class TrendingOut(Model):
    products: list[RankedProductOut]
    window_hours: float


class TopSellersOut(Model):
    sellers: list[RankedSellerOut]
    window_hours: float


def _hours(call: Call[RankingQuery, None]) -> float:
    return call.shop.rankings.window.total_seconds() / 3600


def _trending(call: Call[RankingQuery, None]) -> TrendingOut:
    ranked = call.shop.rankings.trending(call.query.limit)
    return TrendingOut(window_hours=_hours(call), products=[
        RankedProductOut(product_id=Id(r.id), score=r.score, rank=n)
        for n, r in enumerate(ranked, 1)])


def _top_sellers(call: Call[RankingQuery, None]) -> TopSellersOut:
    ranked = call.shop.rankings.top_sellers(call.query.limit)
    return TopSellersOut(window_hours=_hours(call), sellers=[
        RankedSellerOut(seller_id=Id(r.id), score=r.score, rank=n)
        for n, r in enumerate(ranked, 1)])


trending = Operation(
    "GET", f"{API}/rankings/trending", "list_trending_products",
    "Trending products: views and units ordered, last 24 h", _trending, query=RankingQuery,
    response=TrendingOut, auth=False, tag="rankings")
top_sellers = Operation(
    "GET", f"{API}/rankings/top-sellers", "list_top_sellers",
    "Top sellers: units sold, last 24 h", _top_sellers, query=RankingQuery,
    response=TopSellersOut, auth=False, tag="rankings")

OPERATIONS = (trending, top_sellers)
