"""``commerce_http.client.ApiClient`` against the real app (through httpx's WSGI transport):
typed calls, exact amounts, and refusals as the SDK's own errors."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import httpx
import pytest

from commerce_core import errors as e
from commerce_core.catalog.service import VariantSpec
from commerce_core.facade import Commerce
from commerce_http import api as ops
from commerce_http import create_app
from commerce_http.client import ApiClient
from commerce_http.contract.wire import Id
from commerce_http.statuses import ERROR_OF, STATUS
from tests.conftest import ADMIN, SELLER, add_product
from tests.http.conftest import PASSWORD
from tests.serving import free_port


@pytest.fixture
def api(shop: Commerce) -> ApiClient:
    return ApiClient("http://shop.test", transport=httpx.WSGITransport(app=create_app(shop)))


def test_a_seller_works_through_the_client(api: ApiClient, shop: Commerce) -> None:
    shop.accounts.create_admin("root@example.com", PASSWORD, "Root")
    api.login("root@example.com", PASSWORD)
    category = api.create_category("Lamps")["category_id"]
    seller = api.create_user("lamps@example.com", PASSWORD, "Lumen", "seller")
    assert api.user(seller["user_id"])["role"] == "seller"
    figures = api.dashboard(date(2026, 1, 1), date(2026, 1, 31))  # dates in the query
    assert (figures["start"], figures["end"], figures["gmv"]) == (
        date(2026, 1, 1), date(2026, 1, 31), {})
    assert api.login("lamps@example.com", PASSWORD) == api.token
    made = api.create_product(name="Arc lamp", category_id=category, variants=[
        VariantSpec("ARC-S", Decimal("99.95"), {"size": "S"}, stock=2)], tags=["lamp"])
    assert made["variants"][0]["price"] == "99.95"  # exact, not 99.9500000001
    grown = api.add_variant(made["product_id"], VariantSpec("ARC-L", "120", {"size": "L"}))
    assert [v["sku"] for v in grown["variants"]] == ["ARC-S", "ARC-L"]
    variant = grown["variants"][1]["variant_id"]
    assert api.set_price(variant, Decimal("119.99"))["price"] == "119.99"
    assert api.restock(variant, 5)["quantity_available"] == 5
    assert api.adjust_stock(variant, -1, "dented")["quantity_available"] == 4
    page = api.my_products(limit=1)
    assert (page.total_count, [p["name"] for p in page.items]) == (1, ["Arc lamp"])
    sales = api.seller_sales(date(2026, 1, 1), date(2026, 1, 31))
    assert (sales["units"], sales["start"], sales["end"]) \
        == (0, date(2026, 1, 1), date(2026, 1, 31))
    api.logout()
    assert api.token is None


def test_refusals_raise_the_sdks_errors_with_the_servers_code(api: ApiClient) -> None:
    with pytest.raises(e.Unauthenticated):
        api.my_products()
    with pytest.raises(e.Unauthenticated) as wrong:
        api.login("nobody@example.com", "wrong-password-1")
    assert wrong.value.code == "unauthenticated"
    with pytest.raises(e.NotFound) as missing:
        api.request("GET", "/api/v1/products/12345")
    assert missing.value.code == "not_found" and "12345" in missing.value.message
    with pytest.raises(e.ValidationError) as bad:
        api.request("POST", "/api/v1/users/register", body={"email": "x@example.com"})
    assert bad.value.code == "validation_error" and bad.value.details
    with pytest.raises(e.NotFound) as route:
        api.request("GET", "/api/v1/no-such-thing")
    assert route.value.code == "not_found"


def test_an_unreachable_server_is_unavailable() -> None:
    with ApiClient(f"http://127.0.0.1:{free_port()}", timeout=2) as api, \
            pytest.raises(e.Unavailable, match="cannot reach"):
        api.health()


def test_a_foreign_error_page_is_still_one_clear_error() -> None:
    def proxy(request: httpx.Request) -> httpx.Response:
        return httpx.Response(502, text="<html>Bad gateway</html>")

    with ApiClient("http://shop.test", transport=httpx.MockTransport(proxy)) as api, \
            pytest.raises(e.Unavailable) as err:
        api.health()
    assert err.value.code == "http_502" and "502 Bad Gateway" in err.value.message


def _limited(then: int, wait: str = "7") -> httpx.MockTransport:
    """429 (Retry-After ``wait``) for the first ``then`` requests, then 201."""
    calls: list[int] = []

    def answer(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        if len(calls) <= then:
            return httpx.Response(429, headers={"Retry-After": wait}, json={
                "status": "error", "error": {"code": "rate_limited", "message": "slow down",
                                             "details": {}}})
        return httpx.Response(201, json={"status": "success", "data": {"n": len(calls)}})
    return httpx.MockTransport(answer)


def test_rate_limited_requests_wait_and_go_again_then_give_up() -> None:
    slept: list[float] = []
    with ApiClient("http://shop.test", transport=_limited(2), sleep=slept.append) as api:
        assert api.request("POST", "/api/v1/products", body={}) == {"n": 3}
    assert slept == [7.0, 7.0]
    slept.clear()
    with ApiClient("http://shop.test", transport=_limited(9, wait="600"),
                   sleep=slept.append) as api, pytest.raises(e.RateLimited) as err:
        api.health()
    assert slept == [60.0] * 3  # never more than a minute a time, three times
    assert err.value.retry_after == 600.0 and err.value.message == "slow down"


def test_each_status_the_server_sends_reads_back_as_its_general_class() -> None:
    """The code keeps the specific kind (insufficient_stock is a 409 read as Conflict)."""
    assert {status for _, status in STATUS} == set(ERROR_OF)
    assert {409: e.Conflict, 404: e.NotFound, 422: e.ValidationError,
                        402: e.PaymentDeclined, 401: e.Unauthenticated, 403: e.Forbidden,
                        429: e.RateLimited, 503: e.Unavailable} == ERROR_OF


def test_browsing_through_the_typed_client(api: ApiClient, shop: Commerce) -> None:
    category = shop.catalog.create_category(ADMIN, "Lamps").id
    lamp = add_product(shop, category, "Desk lamp", ["49.90"], stock=3).id
    page = api.call(ops.catalog.list_products,
                    query=ops.catalog.ProductQuery(category_id=Id(category), in_stock=True))
    assert [(p.product_id, p.price) for p in page.products] == [(lamp, Decimal("49.90"))]
    detail = api.call(ops.catalog.get_product, product_id=lamp)
    assert isinstance(detail, ops.catalog.ProductOut) and detail.seller.seller_id == SELLER.user_id
    assert detail.availability.quantity == 3
    found = api.call(ops.search.search, query=ops.search.SearchQuery(q="lamp"))
    assert [p.product_id for p in found.products] == [lamp]
    assert api.category_tree() == [{"category_id": str(category), "name": "Lamps",
                                     "children": []}]
    shop.rankings.viewed(lamp)
    assert api.trending() == [{"product_id": str(lamp), "score": 1.0, "rank": 1}]
    assert api.top_sellers() == []
