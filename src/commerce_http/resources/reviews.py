"""Reviews: the seed's POST (201) and GET, votes, seller responses, moderation."""

from __future__ import annotations

import falcon

from commerce_core.errors import ValidationError
from commerce_core.facade import Commerce
from commerce_http import params
from commerce_http.media import ok
from commerce_http.middleware import actor


class ProductReviews:
    def __init__(self, shop: Commerce) -> None:
        self._shop = shop

    def on_post(self, req: falcon.Request, resp: falcon.Response, product_id: int) -> None:
        data = params.body(req)
        images = data.get("images") or []
        if not isinstance(images, list):  # how many and which URLs: the review's own rules
            raise ValidationError("images must be a list of URLs", {"images": "a list"})
        review = self._shop.reviews.write(
            actor(req), product_id, params.integer(data, "rating", low=1, high=5),
            params.text(data, "title", limit=200), params.text(data, "comment", "", limit=5000),
            [params.text({"image": i}, "image", limit=500) for i in images])
        ok(resp, review.as_dict(), falcon.HTTP_201)

    def on_get(self, req: falcon.Request, resp: falcon.Response, product_id: int) -> None:
        q = req.params
        listing = self._shop.reviews.list(
            product_id, rating=None if q.get("rating") is None
            else params.integer(q, "rating", low=1, high=5),
            sort=params.text(q, "sort", "helpful", limit=20),
            page=params.page(q),
            limit=params.limit(q, 10),
            unanswered=bool(params.boolean(q, "unanswered")))
        ok(resp, listing.as_dict())


class ReviewVote:
    def __init__(self, shop: Commerce) -> None:
        self._shop = shop

    def on_post(self, req: falcon.Request, resp: falcon.Response, review_id: int) -> None:
        helpful = params.boolean(params.body(req), "helpful")
        if helpful is None:
            helpful = True
        ok(resp, self._shop.reviews.vote(actor(req), review_id, helpful).as_dict())


class ReviewResponse:
    def __init__(self, shop: Commerce) -> None:
        self._shop = shop

    def on_post(self, req: falcon.Request, resp: falcon.Response, review_id: int) -> None:
        text = params.text(params.body(req), "comment", limit=2000)
        ok(resp, self._shop.reviews.respond(actor(req), review_id, text).as_dict())
