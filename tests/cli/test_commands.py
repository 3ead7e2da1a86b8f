"""The ``commerce`` command through Typer's runner: output, exit codes, no tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from commerce_adapters.sql import migrate
from commerce_cli.main import app
from tests.serving import free_port

runner = CliRunner()


def test_config_show_masks_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMMERCE_SECRET_KEY", "super-secret-value-that-must-not-show")
    monkeypatch.setenv("COMMERCE_DATABASE_URL", "postgresql://app:hunter2@db/shop")
    result = runner.invoke(app, ["config", "show", "--json"])
    assert result.exit_code == 0
    shown = json.loads(result.stdout)
    assert shown["COMMERCE_SECRET_KEY"] == {"value": "********", "source": "environment"}
    assert shown["COMMERCE_DATABASE_URL"]["value"] == "postgresql://app:***@db/shop"
    assert "hunter2" not in result.stdout and "super-secret" not in result.stdout
    table = runner.invoke(app, ["config", "show"])
    assert table.exit_code == 0 and "COMMERCE_PAYMENTS_URL" in table.stdout


def test_db_upgrade_and_current(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    before = runner.invoke(app, ["--database-url", url, "db", "current"])
    assert before.exit_code == 0 and "database: empty" in before.stdout
    assert not (tmp_path / "shop.db").exists()  # looking made nothing
    done = runner.invoke(app, ["--database-url", url, "db", "upgrade"])
    assert done.exit_code == 0 and f"schema at revision {migrate.head()}" in done.stdout
    after = runner.invoke(app, ["--database-url", url, "db", "current"])
    assert f"database: {migrate.head()}; this release: {migrate.head()}" in after.stdout


def test_errors_are_one_line_and_exit_1() -> None:
    result = runner.invoke(app, ["--database-url", "mysql://x/y", "db", "upgrade"])
    assert result.exit_code == 1
    assert "error:" in result.stderr and "Traceback" not in result.stderr + result.stdout
    assert len(result.stderr.strip().splitlines()) == 1


def test_usage_errors_exit_2() -> None:
    assert runner.invoke(app, ["worker", "--interval", "0"]).exit_code == 2
    assert runner.invoke(app, ["no-such-command"]).exit_code == 2


def test_worker_runs_one_pass(tmp_path: Path) -> None:
    result = runner.invoke(app, ["--database-url", f"sqlite:///{tmp_path / 'shop.db'}",
                                 "worker", "--once"],
                           env={"COMMERCE_SECRET_KEY": "x" * 40})
    assert result.exit_code == 0 and "pass: nothing to do" in result.stdout


def test_demo_seeds_and_walks_a_checkout(tmp_path: Path) -> None:
    result = runner.invoke(app, ["--database-url", f"sqlite:///{tmp_path / 'demo.db'}",
                                 "demo", "--products", "12"])
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "12 products" in result.stdout and "CONFIRMED" in result.stdout
    assert "your cart" in result.stdout
    assert f"The shop is in {tmp_path / 'demo.db'}." in " ".join(result.stdout.split())
    assert "serve --port 8000" in result.stdout and "/docs" in result.stdout


def test_an_unreachable_database_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    missing = f"sqlite:///{tmp_path / 'no' / 'such' / 'dir.db'}"
    closed = f"postgresql://app:hunter2@127.0.0.1:{free_port()}/shop"
    for url, command in ((missing, ["admin", "categories", "create", "Lamps"]),  # may make it
                         (closed, ["db", "upgrade"]),
                         (closed, ["db", "current"]), (closed, ["worker", "--once"])):
        result = runner.invoke(app, ["--database-url", url, *command],
                               env={"COMMERCE_SECRET_KEY": "x" * 40})
        assert result.exit_code == 1, (command, result.stdout, result.stderr)
        line, = result.stderr.strip().splitlines()
        assert line.startswith("error: cannot open the database") and "(unavailable)" in line
        assert "hunter2" not in line


def test_an_api_that_is_not_a_web_address_is_a_usage_error() -> None:
    result = runner.invoke(app, ["--api", "shop.example", "admin", "users", "list"])
    assert result.exit_code == 2 and "http(s)" in result.stderr
