"""Reviews: the seed's POST (201) and GET, helpful votes, the seller's response, and their
moderation (``admin.hide_review``, which renders with :func:`review_out`)."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from commerce_core.reviews.model import MAX_IMAGES, Review
from commerce_core.reviews.service import ReviewPage
from commerce_http.contract.operation import Call, Operation
from commerce_http.contract.wire import (
    Body,
    Id,
    Limit,
    Model,
    Page,
    Query,
    Text200,
    Text500,
    Text2000,
    Text5000,
    Timestamp,
)

API = "/api/v1"
Stars = Annotated[int, msgspec.Meta(ge=1, le=5)]


class ReviewerOut(Model):
    user_id: Id
    name: str


class SellerResponseOut(Model):
    comment: str
    responded_at: Timestamp


class ReviewOut(Model):
    review_id: Id
    product_id: Id
    user: ReviewerOut
    rating: int
    title: str
    comment: str
    images: list[str]
    verified_purchase: bool
    helpful_count: int
    unhelpful_count: int
    seller_response: SellerResponseOut | None
    is_hidden: bool
    created_at: Timestamp
    updated_at: Timestamp


class ReviewsOut(Model):
    """A page of visible reviews with the product's figures: ``average_rating`` (to two
    places, null without reviews), ``total_count`` and ``distribution`` over every visible
    review; ``matching_count`` over those the filters keep."""

    reviews: list[ReviewOut]
    average_rating: float | None
    total_count: int
    distribution: dict[str, int]  # "5" .. "1" -> how many
    page: int
    limit: int
    matching_count: int


def review_out(r: Review) -> ReviewOut:
    return ReviewOut(
        review_id=Id(r.id), product_id=Id(r.product_id),
        user=ReviewerOut(user_id=Id(r.user_id), name=r.author_name), rating=r.rating,
        title=r.title, comment=r.comment, images=list(r.images),
        verified_purchase=r.verified_purchase, helpful_count=r.helpful_count,
        unhelpful_count=r.unhelpful_count,
        seller_response=None if r.responded_at is None else SellerResponseOut(
            comment=r.response, responded_at=r.responded_at),
        is_hidden=r.is_hidden, created_at=r.created_at, updated_at=r.updated_at)


def reviews_out(listing: ReviewPage) -> ReviewsOut:
    stats, found = listing.stats, listing.reviews
    average = stats.average
    return ReviewsOut(
        reviews=[review_out(r) for r in found.items],
        average_rating=None if average is None else float(average),  # two places: exact
        total_count=stats.count,
        distribution={str(s): stats.distribution[s - 1] for s in range(5, 0, -1)},
        page=found.page, limit=found.limit, matching_count=found.total_count)


class NewReview(Body):
    rating: Stars
    title: Text200
    comment: Text5000 = ""
    images: Annotated[list[Text500], msgspec.Meta(max_length=MAX_IMAGES)] = msgspec.field(
        default_factory=list)


class ReviewQuery(Query):
    rating: Stars | None = None
    sort: Literal["helpful", "recent"] = "helpful"
    unanswered: bool = False  # only those the seller has not answered yet
    page: Page = 1
    limit: Limit = 10


class Vote(Body):
    helpful: bool = True


class Answer(Body):
    comment: Text2000


def _write(call: Call[object, NewReview]) -> ReviewOut:
    b = call.body
    return review_out(call.shop.reviews.write(call.who(), call.path["product_id"], b.rating,
                                              b.title, b.comment, b.images))


def _list(call: Call[ReviewQuery, None]) -> ReviewsOut:
    q = call.query
    return reviews_out(call.shop.reviews.list(
        call.path["product_id"], rating=q.rating, sort=q.sort, page=q.page, limit=q.limit,
        unanswered=q.unanswered))


def _vote(call: Call[object, Vote]) -> ReviewOut:
    return review_out(call.shop.reviews.vote(call.who(), call.path["review_id"],
                                             call.body.helpful))


def _answer(call: Call[object, Answer]) -> ReviewOut:
    return review_out(call.shop.reviews.respond(call.who(), call.path["review_id"],
                                                call.body.comment))


REVIEWS = f"{API}/products/{{product_id}}/reviews"
list_reviews = Operation("GET", REVIEWS, "list_reviews", "Reviews, average and distribution",
                         _list, query=ReviewQuery, response=ReviewsOut, auth=False,
                         errors=(404,), tag="reviews")
write_review = Operation("POST", REVIEWS, "write_review",
                         "Review a product (once; verified when bought)", _write,
                         body=NewReview, response=ReviewOut, status=201, errors=(404, 409),
                         tag="reviews")
vote_review = Operation("POST", f"{API}/reviews/{{review_id}}/votes", "vote_review",
                        "Helpful or not (voting again replaces the vote)", _vote, body=Vote,
                        response=ReviewOut, errors=(404,), tag="reviews")
answer_review = Operation("POST", f"{API}/reviews/{{review_id}}/response", "answer_review",
                          "The product's seller answers (again: replaces it)", _answer,
                          body=Answer, response=ReviewOut, errors=(404,), tag="reviews")

OPERATIONS = (list_reviews, write_review, vote_review, answer_review)
