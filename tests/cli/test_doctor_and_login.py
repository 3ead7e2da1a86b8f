"""``commerce doctor`` (each backend reached, each problem named), and the remote mode's
sign-in: the token file and its permissions."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from commerce_cli import credentials
from commerce_cli.main import app
from commerce_core.errors import Unauthenticated
from commerce_http.client import ApiClient
from tests.cli.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, Cli
from tests.conftest import SECRET
from tests.serving import free_port
from tests.sql_servers import empty_postgres


def _doctor(args: list[str], **env: str) -> tuple[int, dict[str, tuple[str, str]]]:
    result = CliRunner(env={"COMMERCE_SECRET_KEY": SECRET, **env}).invoke(
        app, [*args, "doctor", "--json"])
    rows = json.loads(result.stdout)
    return result.exit_code, {r["check"]: (r["status"], r["detail"]) for r in rows}


def test_doctor_passes_a_sound_local_setup_without_touching_it(tmp_path: Path) -> None:
    db = tmp_path / "shop.db"
    code, found = _doctor(["--database-url", f"sqlite:///{db}"])
    assert code == 0 and found["database"][0] == "ok"
    assert not db.exists()  # looking did not make it
    assert found["payments"][0] == "warn" and "NO REAL MONEY" in found["payments"][1]
    assert found["secret key"] == ("ok", "set")
    assert found["serve settings"][0] == "ok" and "COMMERCE_WORKERS=2" in found[
        "serve settings"][1]
    table = CliRunner(env={"COMMERCE_SECRET_KEY": SECRET, "COLUMNS": "200"}).invoke(
        app, ["--database-url", f"sqlite:///{db}", "doctor"])
    assert table.exit_code == 0 and "notifications" in table.stdout


def test_doctor_checks_every_part(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'shop.db'}"
    code, found = _doctor(["--database-url", db])
    assert code == 0
    for part in ("catalog", "carts", "sessions"):
        assert found[part] == ("ok", "kept by the database")
    assert {"cache", "search", "events"} <= found.keys()
    carts = tmp_path / "carts.db"
    code, found = _doctor(["--database-url", db], COMMERCE_CART_URL=f"sqlite:///{carts}",
                          COMMERCE_SESSIONS_URL="memory://", COMMERCE_CACHE_URL="bogus://x")
    assert code == 1
    assert found["carts"][0] == "ok" and "not made yet" in found["carts"][1]
    assert not carts.exists()  # looking did not make it
    assert found["sessions"][0] == "warn" and "its own sign-outs" in found["sessions"][1]
    assert found["cache"] == ("fail", "bogus://x: unknown cache URL scheme 'bogus://'; "
                                      "known: memory://, none://, redis://, rediss://")
    code, found = _doctor(["--database-url", db],
                          COMMERCE_CACHE_URL="redis://127.0.0.1:1/0?socket_connect_timeout=0.2")
    assert code == 1 and found["cache"][0] == "fail" and "did not answer" in found["cache"][1]


def test_doctor_names_each_problem_and_exits_1(tmp_path: Path) -> None:
    port = free_port()  # nothing listens there
    code, found = _doctor(
        ["--database-url", "mysql://x/y"], COMMERCE_SECRET_KEY="short",
        COMMERCE_NOTIFY_URL=f"smtp://127.0.0.1:{port}?from=shop@example.com&timeout=2",
        COMMERCE_DATABASE_REPLICA_URLS=f"sqlite:///{tmp_path / 'missing' / 'r.db'}")
    assert code == 1
    assert found["database"] == ("fail", "mysql://x/y: unknown database URL scheme "
                                "'mysql://'; known: memory://, postgres://, postgresql://, "
                                "sqlite://")
    assert found["secret key"][0] == "fail" and "at least 32" in found["secret key"][1]
    assert found["notifications"][0] == "fail"
    assert f"127.0.0.1:{port}" in found["notifications"][1]
    assert found["replica 1"][0] == "fail"
    code, found = _doctor(["--database-url", f"sqlite:///{tmp_path / 'shop.db'}"],
                          COMMERCE_NOTIFY_URL="smtp://127.0.0.1",
                          COMMERCE_PAYMENTS_URL="paypal://sandbox")
    assert code == 1
    assert found["notifications"] == (
        "fail", "smtp://127.0.0.1: smtp:// needs a host and a sender: "
                "smtp://host:587?from=a@b.c")
    assert found["payments"] == ("fail", "unknown payments URL scheme 'paypal://'; known: "
                                         "fake://, stripe://")
    code, found = _doctor(["--database-url", f"sqlite:///{tmp_path / 'shop.db'}"],
                          COMMERCE_WORKERS="two", COMMERCE_GRACEFUL_TIMEOUT="0")
    assert code == 1 and found["serve settings"][0] == "fail"
    detail = found["serve settings"][1]
    assert "COMMERCE_WORKERS='two' is not valid" in detail
    assert "COMMERCE_GRACEFUL_TIMEOUT='0' is not valid" in detail


def test_doctor_sends_an_unmigrated_postgres_to_db_upgrade() -> None:
    url = os.environ.get("COMMERCE_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("COMMERCE_TEST_POSTGRES_URL is not set (and no Docker engine here)")
    with empty_postgres(url) as empty:
        code, found = _doctor(["--database-url", empty])
        assert code == 1 and "run `commerce db upgrade`" in found["database"][1]
        assert CliRunner().invoke(app, ["--database-url", empty, "db", "upgrade"]).exit_code \
            == 0
        code, found = _doctor(["--database-url", empty])
        assert code == 0 and found["database"][0] == "ok"


def test_remote_doctor_login_whoami_and_logout(cli: Cli, tmp_path: Path) -> None:
    if cli.mode == "local":  # no API to reach: doctor says nothing of one
        _, found = _doctor(["--database-url", cli.world.url])
        assert "api" not in found
        return
    api = cli.api or ""
    env = cli.env["admin"]
    file = Path(env["XDG_CONFIG_HOME"]) / "commerce" / "credentials.json"
    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    assert stat.S_IMODE(file.parent.stat().st_mode) == 0o700
    assert set(json.loads(file.read_text())) == {api}
    code, found = _doctor(["--api", api, "--database-url", cli.world.url], **env)
    assert code == 0 and found["sign-in"] == ("ok", f"{ADMIN_EMAIL} (admin)")
    runner = CliRunner(env=env)
    assert runner.invoke(app, ["--api", api, "whoami"]).stdout.startswith(ADMIN_EMAIL)
    assert runner.invoke(app, ["--api", api, "logout"]).stdout.strip() \
        == f"signed out of {api}"
    assert json.loads(file.read_text()) == {}
    code, found = _doctor(["--api", api, "--database-url", cli.world.url], **env)
    assert found["sign-in"][0] == "warn"
    wrong = runner.invoke(app, ["--api", api, "login", "--email", ADMIN_EMAIL],
                          input="not-the-password-1\n")
    assert wrong.exit_code == 1 and "(unauthenticated)" in wrong.stderr
    assert not json.loads(file.read_text())
    down = f"http://127.0.0.1:{free_port()}"
    code, found = _doctor(["--api", down, "--database-url", cli.world.url], **env)
    assert code == 1 and found["api"][0] == "fail" and "cannot reach" in found["api"][1]
    assert CliRunner().invoke(app, ["login", "--email", "x@example.com"],
                              input="pw\n").exit_code == 2  # which shop?


def test_the_token_file_is_private_from_its_first_byte(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    permissive = os.umask(0)  # even when the user lets new files be world-readable
    try:
        where = credentials.save("https://shop.example/", "ann@example.com", "tok-1")
    finally:
        os.umask(permissive)
    assert stat.S_IMODE(where.stat().st_mode) == 0o600
    assert credentials.token_for("https://shop.example") == "tok-1"  # trailing / ignored
    credentials.save("https://other.example", "ann@example.com", "tok-2")
    assert credentials.forget("https://shop.example") is True
    assert credentials.forget("https://shop.example") is False
    assert credentials.token_for("https://other.example") == "tok-2"
    where.write_text("{not json")
    with pytest.raises(ValueError, match="log in again"):
        credentials.token_for("https://other.example")


def test_doctor_on_stripe_names_a_missing_key_and_a_missing_webhook_secret(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = ["--database-url", f"sqlite:///{tmp_path / 'shop.db'}"]
    for name in ("COMMERCE_STRIPE_API_KEY", "COMMERCE_WEBHOOK_SECRET"):
        monkeypatch.delenv(name, raising=False)
    code, found = _doctor(db, COMMERCE_PAYMENTS_URL="stripe://")
    assert code != 0 and found["payments"] == ("fail",
                                               "stripe:// needs COMMERCE_STRIPE_API_KEY")
    _, found = _doctor(db, COMMERCE_PAYMENTS_URL="stripe://",
                       COMMERCE_STRIPE_API_KEY="sk_live_x")
    assert found["payments"][0] == "warn" and "COMMERCE_WEBHOOK_SECRET" in found["payments"][1]
    _, found = _doctor(db, COMMERCE_PAYMENTS_URL="stripe://", COMMERCE_STRIPE_API_KEY="sk_test_x",
                       COMMERCE_WEBHOOK_SECRET="whsec_x")
    assert found["payments"][0] == "warn" and "NO REAL MONEY" in found["payments"][1]
    _, found = _doctor(db, COMMERCE_PAYMENTS_URL="stripe://", COMMERCE_STRIPE_API_KEY="sk_live_x",
                       COMMERCE_WEBHOOK_SECRET="whsec_x")
    assert found["payments"] == ("ok", "stripe://")
def test_doctor_checks_a_mongodb_catalog_and_db_upgrade_makes_its_indexes(
        tmp_path: Path) -> None:
    from commerce_adapters.mongo.store import INDEXES, MongoStore  # noqa: PLC0415
    from commerce_adapters.urls import shown  # noqa: PLC0415
    from tests.mongo_servers import drop_mongo, fresh_mongo  # noqa: PLC0415
    from tests.servers import server_url  # noqa: PLC0415

    catalog = fresh_mongo(server_url("mongo"))
    db = ["--database-url", f"sqlite:///{tmp_path / 'shop.db'}"]
    try:
        code, found = _doctor(db, COMMERCE_CATALOG_URL=catalog)
        assert code == 0 and found["catalog"][0] == "warn"
        assert "indexes missing" in found["catalog"][1] and "db upgrade" in found["catalog"][1]
        done = CliRunner(env={"COMMERCE_CATALOG_URL": catalog}).invoke(app, [*db, "db",
                                                                            "upgrade"])
        made = sum(len(i) for i in INDEXES.values())
        assert done.exit_code == 0 and f"{made} indexes in place" in done.stdout
        code, found = _doctor(db, COMMERCE_CATALOG_URL=catalog)
        assert found["catalog"] == ("ok", f"{shown(catalog)}: reachable, every index in place")
    finally:
        drop_mongo(MongoStore(catalog))
    code, found = _doctor(db, COMMERCE_CATALOG_URL=f"mongodb://127.0.0.1:{free_port()}/x")
    assert code == 1 and found["catalog"][0] == "fail" and "did not answer" in found[
        "catalog"][1]


def test_a_password_change_keeps_this_session_and_ends_the_others(cli: Cli) -> None:
    if cli.mode == "local":  # the operator of a database has no password to change
        refused = cli.run(["password"], input="x\ny\ny\n")
        assert refused.exit_code == 2 and "say which shop" in refused.stderr
        return
    api = cli.api or ""
    runner = CliRunner(env=cli.env["admin"])
    other = ApiClient(api)
    other.login(ADMIN_EMAIL, ADMIN_PASSWORD)
    weak = runner.invoke(app, ["--api", api, "password"],
                         input=f"{ADMIN_PASSWORD}\npassword\npassword\n")
    assert weak.exit_code == 1 and "(validation_error)" in weak.stderr
    changed = runner.invoke(app, ["--api", api, "password"],
                            input=f"{ADMIN_PASSWORD}\na brand new passphrase\n"
                                  "a brand new passphrase\n")
    assert changed.exit_code == 0, changed.stdout + changed.stderr
    assert "other sessions are signed out" in changed.stdout
    assert runner.invoke(app, ["--api", api, "whoami"]).stdout.startswith(ADMIN_EMAIL)
    with pytest.raises(Unauthenticated):
        other.me()
    wrong = runner.invoke(app, ["--api", api, "login", "--email", ADMIN_EMAIL],
                          input=f"{ADMIN_PASSWORD}\n")
    assert wrong.exit_code == 1
