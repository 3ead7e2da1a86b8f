"""Payments over ``commerce serve --workers 2`` on the fake gateway, whose ledger is in the
shop's database: every worker sees every charge. Real processes on free ports."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path
from typing import Any

from commerce_adapters import connect
from commerce_adapters.sql.fake_gateway import SqlLedger
from commerce_core.catalog.service import VariantSpec
from commerce_core.facade import Commerce
from tests.conftest import ADMIN, SECRET, SELLER
from tests.integration.test_serve_process import ADDRESS, call
from tests.serving import served

UNLIMITED = {"COMMERCE_RATE_LIMIT_PER_IP": "1000000"}
PASSWORD = "correct-horse-42"


def seeded(tmp_path: Path) -> tuple[str, Commerce]:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    shop = connect(url, secret_key=SECRET)
    category = shop.catalog.create_category(ADMIN, "Lamps").id
    shop.catalog.create_product(SELLER, name="Desk lamp", category_id=category,
                                variants=[VariantSpec("LAMP-1", "100.00", stock=5)])
    shop.accounts.create_admin("root@example.com", PASSWORD, "Root")
    return url, shop


def login(base: str, email: str, register: bool = True) -> str:
    if register:
        assert call(base, "POST", "/api/v1/users/register",
                    {"email": email, "password": PASSWORD, "name": "Ann"})[0] == 201
    token: str = call(base, "POST", "/api/v1/auth/login",
                      {"email": email, "password": PASSWORD})[1]["data"]["access_token"]
    return token


def order_waiting(base: str, token: str) -> dict[str, Any]:
    products = call(base, "GET", "/api/v1/products?search=lamp")[1]["data"]["products"]
    assert call(base, "POST", "/api/v1/cart/items",
                {"product_id": products[0]["product_id"]}, token)[0] == 201
    status, placed = call(base, "POST", "/api/v1/orders", {"shipping_address": ADDRESS}, token)
    assert status == 201 and placed["data"]["status"] == "PENDING"
    data: dict[str, Any] = placed["data"]
    return data


def pay(base: str, token: str, order_id: int, key: str) -> tuple[int, Any]:
    """POST /payments/{order}/process, asked again while the first is in progress (409)."""
    for _ in range(100):
        status, body = call(base, "POST", f"/api/v1/payments/{order_id}/process",
                            {"payment_token": "tok_visa"}, token, {"Idempotency-Key": key})
        if status != 409:
            return status, body
        time.sleep(0.1)
    raise AssertionError("still in progress after 10 s")


def test_ten_concurrent_payments_with_one_key_are_one_charge(tmp_path: Path) -> None:
    url, _ = seeded(tmp_path)
    with served(url, workers=2, **UNLIMITED) as base:
        token = login(base, "ann@example.com")
        order = order_waiting(base, token)
        with ThreadPoolExecutor(10) as pool:
            answers = list(pool.map(
                lambda _: pay(base, token, order["order_id"], "pay-once-please"), range(10)))
    assert [status for status, _ in answers] == [200] * 10
    transactions = {body["data"]["payment"]["transaction_id"] for _, body in answers}
    assert len(transactions) == 1 and None not in transactions
    ledger = SqlLedger(url)
    charges = ledger.charges()
    ledger.close()
    assert [c.transaction_id for c in charges] == list(transactions)


def test_ten_concurrent_partial_refunds_that_fit_all_succeed(tmp_path: Path) -> None:
    url, _ = seeded(tmp_path)
    with served(url, workers=2, **UNLIMITED) as base:
        token = login(base, "ann@example.com")
        order = order_waiting(base, token)
        status, paid = pay(base, token, order["order_id"], "pay-1")
        assert status == 200 and paid["data"]["order"]["status"] == "CONFIRMED"
        payment_id = paid["data"]["payment"]["payment_id"]
        admin = login(base, "root@example.com", register=False)

        def refund(amount: str) -> tuple[int, Any]:
            return call(base, "POST", f"/api/v1/payments/{payment_id}/refunds",
                        {"amount": amount, "reason": "goodwill"}, admin)
        with ThreadPoolExecutor(10) as pool:
            answers = list(pool.map(refund, ["10.00"] * 10))
        assert [s for s, _ in answers] == [201] * 10, answers
        assert {b["data"]["status"] for _, b in answers} == {"COMPLETED"}
        too_much = refund("0.01")
        assert too_much[0] == 422 and "amount" in too_much[1]["error"]["details"]
        seen = call(base, "GET", f"/api/v1/payments/{payment_id}", token=token)[1]["data"]
        assert (seen["status"], Decimal(str(seen["refunded_amount"]))) == ("REFUNDED",
                                                                          Decimal("100"))
    ledger = SqlLedger(url)
    (charge,) = ledger.charges()
    ledger.close()
    assert charge.refunded.amount == Decimal("100")  # what the gateway refunded, too


def test_the_server_says_it_takes_no_real_money(tmp_path: Path) -> None:
    url, _ = seeded(tmp_path)
    with served(url, workers=2, **UNLIMITED) as base:
        status, health = call(base, "GET", "/health")
        assert status == 200 and health["real_money"] is False
        assert "NO REAL MONEY" in health["warning"]
