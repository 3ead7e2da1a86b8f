"""``commerce serve`` as a real process on a free port: a customer's whole visit over HTTP."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from commerce_adapters import connect
from commerce_core.catalog.service import VariantSpec
from tests.conftest import ADMIN, SECRET, SELLER

ADDRESS = {"line1": "1 Main St", "city": "Springfield", "postal_code": "12345",
           "country": "US"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def call(base: str, method: str, path: str, body: Any = None,
         token: str | None = None) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as ex:
        return ex.code, json.loads(ex.read() or b"null")


def wait_until_up(base: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"server exited: {server.stdout.read()!r}")  # type: ignore[union-attr]
        try:
            if call(base, "GET", "/health")[0] == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("server did not answer within 30 s")


def test_register_login_browse_buy_and_see_the_order(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    seeded = connect(url, secret_key=SECRET)
    category = seeded.catalog.create_category(ADMIN, "Lamps").id
    seeded.catalog.create_product(SELLER, name="Desk lamp", category_id=category,
                                  variants=[VariantSpec("LAMP-1", "49.90", stock=5)])
    port = free_port()
    env = {**os.environ, "COMMERCE_SECRET_KEY": SECRET, "COMMERCE_NOTIFY_URL": "memory://"}
    server = subprocess.Popen(
        [sys.executable, "-c", "from commerce_cli.main import main; main()", "serve",
         "--port", str(port), "--workers", "2", "--database-url", url],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, server)
        assert call(base, "POST", "/api/v1/users/register", {
            "email": "ann@example.com", "password": "correct-horse-42", "name": "Ann"})[0] == 201
        status, login = call(base, "POST", "/api/v1/auth/login",
                             {"email": "ann@example.com", "password": "correct-horse-42"})
        token = login["data"]["access_token"]
        products = call(base, "GET", "/api/v1/products?search=lamp")[1]["data"]["products"]
        product_id = products[0]["product_id"]
        for _ in range(4):  # several requests: both workers accept the same token
            assert call(base, "GET", "/api/v1/cart", token=token)[0] == 200
        assert call(base, "POST", "/api/v1/cart/items", {"product_id": product_id,
                                                         "quantity": 2}, token)[0] == 201
        status, placed = call(base, "POST", "/api/v1/orders",
                              {"shipping_address": ADDRESS, "payment_token": "tok_visa"}, token)
        assert status == 201 and placed["data"]["status"] == "CONFIRMED"
        history = call(base, "GET", "/api/v1/orders", token=token)[1]["data"]["orders"]
        assert [o["order_id"] for o in history] == [placed["data"]["order_id"]]
    finally:
        server.send_signal(signal.SIGTERM)  # graceful: gunicorn lets requests finish
        try:
            code = server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            raise
    assert code == 0
