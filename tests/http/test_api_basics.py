"""Envelope, errors, authentication, request ids, input limits."""

from __future__ import annotations

from falcon import testing

from commerce_adapters.bootstrap import NO_REAL_MONEY
from tests.http.conftest import PASSWORD, error, sign_up


def test_unknown_routes_and_methods_use_the_error_envelope(client: testing.TestClient) -> None:
    missing = client.simulate_get("/api/v1/nothing-here")
    assert missing.status_code == 404 and error(missing)["code"] == "not_found"
    wrong = client.simulate_delete("/api/v1/products")
    assert wrong.status_code == 405 and error(wrong)


def test_bad_json_and_oversize_bodies_are_4xx(client: testing.TestClient) -> None:
    bad = client.simulate_post("/api/v1/users/register", body="{not json",
                               headers={"Content-Type": "application/json"})
    assert bad.status_code == 400 and error(bad)["code"] == "invalid_json"
    array = client.simulate_post("/api/v1/users/register", json=[1, 2])
    assert array.status_code == 422 and error(array)["details"] == {"body": "not an object"}
    huge = client.simulate_post("/api/v1/users/register", body="x" * 1_000_001,
                                headers={"Content-Type": "application/json"})
    assert huge.status_code == 413 and error(huge)


def test_request_ids_are_echoed_or_made(client: testing.TestClient) -> None:
    given = client.simulate_get("/health", headers={"X-Request-ID": "abc-123"})
    assert given.headers["X-Request-ID"] == "abc-123"
    made = client.simulate_get("/health", headers={"X-Request-ID": "bad id\n"})
    assert len(made.headers["X-Request-ID"]) == 32
    assert given.json == {"status": "ok", "checks": {"database": "ok", "catalog": "ok",
                                                    "carts": "ok", "sessions": "ok",
                                                    "cache": "ok", "search": "ok"},
                          "real_money": False, "warning": NO_REAL_MONEY}


def test_register_login_me_logout(client: testing.TestClient) -> None:
    headers, user_id = sign_up(client, "ann@example.com")
    me = client.simulate_get("/api/v1/users/me", headers=headers)
    assert me.json["data"]["user_id"] == str(user_id) and "password_hash" not in me.json["data"]
    renamed = client.simulate_put("/api/v1/users/me", headers=headers, json={"name": "Ann"})
    assert renamed.json["data"]["name"] == "Ann"
    assert client.simulate_post("/api/v1/auth/logout", headers=headers).status_code == 204
    refused = client.simulate_get("/api/v1/users/me", headers=headers)
    assert refused.status_code == 401 and error(refused)["code"] == "unauthenticated"
    assert refused.headers["WWW-Authenticate"] == "Bearer"


def test_login_refusals_say_little(client: testing.TestClient) -> None:
    sign_up(client, "ann@example.com")
    wrong = client.simulate_post("/api/v1/auth/login",
                                 json={"email": "ann@example.com", "password": "nope-nope-1"})
    assert wrong.status_code == 401
    assert error(wrong)["message"] == "invalid email or password"
    assert PASSWORD not in wrong.text
    duplicate = client.simulate_post("/api/v1/users/register", json={
        "email": "ANN@example.com", "password": PASSWORD, "name": "Other"})
    assert duplicate.status_code == 409


def test_bearer_tokens_are_required_and_checked(client: testing.TestClient) -> None:
    assert client.simulate_get("/api/v1/cart").status_code == 401
    for header in ("Basic abc", "Bearer", "Bearer not.a.token"):
        refused = client.simulate_get("/api/v1/cart", headers={"Authorization": header})
        assert refused.status_code == 401, header


def test_wrong_types_name_the_field(client: testing.TestClient) -> None:
    weak = client.simulate_post("/api/v1/users/register", json={
        "email": "ann@example.com", "password": 12345678901, "name": "Ann"})
    assert weak.status_code == 422 and error(weak)["details"] == {"password": "a string"}
    short = client.simulate_post("/api/v1/users/register", json={
        "email": "ann@example.com", "password": "short", "name": "Ann"})
    assert short.status_code == 422 and "password" in error(short)["details"]


def test_email_and_password_register_and_common_passwords_are_refused(
        client: testing.TestClient) -> None:
    common = client.simulate_post("/api/v1/users/register", json={
        "email": "kim@example.com", "password": "Baseball"})
    assert common.status_code == 422 and list(error(common)["details"]) == ["password"]
    assert "too common" in error(common)["message"]
    made = client.simulate_post("/api/v1/users/register", json={
        "email": "kim@example.com", "password": "correct horse battery",
        "first_name": "Kim"})
    assert made.status_code == 201, made.text
    assert made.json["data"]["first_name"] == "Kim" and made.json["data"]["last_name"] is None
