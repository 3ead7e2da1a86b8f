"""What the CLI must never do: show a password, make a database by looking, let user data
be read as Rich markup; and what a library-only install says when the CLI's extra is
missing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from commerce_adapters import connect
from commerce_adapters.urls import shown
from commerce_cli.main import app
from commerce_cli.settings import mask
from commerce_core.accounts.policy import Actor
from tests.conftest import SECRET

runner = CliRunner(env={"COLUMNS": "200"})
PASSWORDS = {
    "postgresql://:s3cret-empty-user@db/shop": "postgresql://:***@db/shop",
    "postgresql://app:s3cret-user@db/shop": "postgresql://app:***@db/shop",
    "postgresql://app@db/shop?password=s3cret-query&sslmode=require":
        "postgresql://app@db/shop?password=***&sslmode=require",
}


@pytest.mark.parametrize(("url", "expected"), PASSWORDS.items())
def test_one_function_hides_every_form_of_password(url: str, expected: str) -> None:
    assert shown(url) == expected
    assert mask("COMMERCE_DATABASE_URL", url) == expected


def test_config_show_and_doctor_show_no_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMMERCE_DATABASE_URL", "postgresql://:s3cret-empty-user@127.0.0.1:1/x")
    monkeypatch.setenv("COMMERCE_DATABASE_REPLICA_URLS",
                       "postgresql://r:s3cret-user@127.0.0.1:1/x,"
                       "postgresql://r@127.0.0.1:1/x?password=s3cret-query")
    monkeypatch.setenv("COMMERCE_NOTIFY_URL", "smtp://mail:s3cret-smtp@127.0.0.1:1")
    for args in (["config", "show"], ["config", "show", "--json"], ["doctor"],
                 ["doctor", "--json"]):
        result = runner.invoke(app, args)
        assert result.exception is None or isinstance(result.exception, SystemExit), args
        assert "s3cret" not in result.output, (args, result.output)
        assert "***" in result.output, args


READS = [
    ["config", "show"],
    ["doctor"],
    ["db", "current"],
    ["admin", "users", "list"],
    ["admin", "categories", "tree"],
    ["admin", "fraud", "list"],
    ["seller", "--as", "lamps@example.com", "products", "list"],
    ["seller", "--as", "lamps@example.com", "inventory", "list"],
]


@pytest.mark.parametrize("args", READS, ids=" ".join)
def test_a_read_makes_no_database(args: list[str], tmp_path: Path,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("COMMERCE_DATABASE_URL", raising=False)
    result = runner.invoke(app, args)
    assert not (tmp_path / "commerce.db").exists(), result.output
    assert "Traceback" not in result.output
    if args[0] in ("admin", "seller"):
        assert result.exit_code == 1 and "no database at sqlite:///commerce.db" in result.output


def test_a_write_may_make_the_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("COMMERCE_DATABASE_URL", raising=False)
    result = runner.invoke(app, ["admin", "categories", "create", "Lamps"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "commerce.db").exists()
    listed = runner.invoke(app, ["admin", "categories", "tree"])
    assert listed.exit_code == 0 and "Lamps" in listed.output


@pytest.mark.parametrize("name", ["Ann [/] Markup", "[bold]Bob[/bold]", "Eve [red]x",
                                  "back\\slash\\"])
def test_user_data_is_printed_as_it_is(name: str, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    shop = connect(url, secret_key=SECRET)
    shop.accounts.register("ann@example.com", "correct-horse-42", name)
    shop.catalog.create_category(Actor.admin(0), name)
    users = runner.invoke(app, ["--database-url", url, "admin", "users", "list"])
    assert users.exit_code == 0, users.output
    assert name in users.output  # not swallowed as a tag, not a MarkupError
    tree = runner.invoke(app, ["--database-url", url, "admin", "categories", "tree"])
    assert tree.exit_code == 0 and name in tree.output, tree.output
    one = runner.invoke(app, ["--database-url", url, "admin", "users", "find", "ann"])
    assert one.exit_code == 0 and name in one.output


def test_markup_in_user_data_is_not_rendered(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    connect(url, secret_key=SECRET).accounts.register("bob@example.com", "correct-horse-42",
                                                       "[bold]Bob[/bold]")
    forced = CliRunner(env={"COLUMNS": "200", "FORCE_COLOR": "1", "TERM": "xterm"})
    result = forced.invoke(app, ["--database-url", url, "admin", "users", "list"], color=True)
    assert result.exit_code == 0
    assert "[bold]Bob[/bold]" in result.output
    assert "\x1b[1mBob" not in result.output  # not made bold


def test_an_error_naming_user_data_is_one_line_not_a_crash(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    connect(url, secret_key=SECRET)
    result = runner.invoke(app, ["--database-url", url, "seller", "--as", "[/]@example.com",
                                 "products", "list"])
    assert result.exit_code == 1 and "[/]@example.com" in result.output
    assert "MarkupError" not in result.output


def test_doctor_status_keeps_its_colours(tmp_path: Path) -> None:
    result = runner.invoke(app, ["--database-url", "memory://", "doctor", "--json"])
    assert {f["status"] for f in json.loads(result.stdout)} <= {"ok", "warn", "fail"}
    table = runner.invoke(app, ["--database-url", "memory://", "doctor"])
    assert "[yellow]" not in table.output and "warn" in table.output


def test_the_command_runs_as_a_module() -> None:
    done = subprocess.run([sys.executable, "-m", "commerce_cli", "version"],
                          capture_output=True, text=True, check=False, timeout=60)
    assert done.returncode == 0 and done.stdout.strip()


def test_without_the_cli_extra_the_command_says_what_to_install() -> None:
    # a library-only install: typer, rich and httpx cannot be imported
    code = ("import sys; sys.modules.update(typer=None, rich=None, httpx=None);"
            "import importlib.util as u; u.find_spec = lambda n, *a: None;"
            "from commerce_cli import main; main()")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=False, timeout=60)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "commerce: the command line needs typer, rich, httpx: pip install 'commerce-sdk[cli]'"]


def test_every_package_has_the_installed_version() -> None:
    import commerce_adapters  # noqa: PLC0415
    import commerce_cli  # noqa: PLC0415
    import commerce_core  # noqa: PLC0415
    import commerce_http  # noqa: PLC0415

    versions = {p.__version__ for p in (commerce_core, commerce_adapters, commerce_http,
                                        commerce_cli)}
    assert len(versions) == 1 and versions != {"0+unknown"}


def test_the_base_install_is_the_library_alone() -> None:
    import tomllib  # noqa: PLC0415

    project = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text())[
        "project"]
    base = {d.split(">")[0].split("[")[0] for d in project["dependencies"]}
    assert base == {"attrs", "argon2-cffi", "pyjwt", "sqlalchemy", "alembic"}
    extras = project["optional-dependencies"]
    # the CLI's local mode runs the app in process, so the cli extra takes the http one
    assert {"typer", "rich", "commerce-sdk[http]"} <= {d.split(">")[0] for d in extras["cli"]}
    assert {"falcon", "gunicorn", "prometheus-client", "httpx", "msgspec"} <= {
        d.split(">")[0] for d in extras["http"]}
    assert "cli" in extras["test"][0] and "http" in extras["test"][0]
    assert project["scripts"]["commerce"] == "commerce_cli:main"
    assert (Path(__file__).parents[2] / "LICENSE").read_text().count("Apache License") >= 1


def test_doctor_checks_the_node_id_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMMERCE_NODE_ID", "4096")
    result = runner.invoke(app, ["--database-url", "memory://", "doctor", "--json"])
    found = {f["check"]: f for f in json.loads(result.stdout)}
    assert result.exit_code == 1 and found["node id"]["status"] == "fail"
    assert "COMMERCE_NODE_ID" in found["node id"]["detail"]


def test_a_local_command_says_nothing_of_a_token_key(tmp_path: Path) -> None:
    # local mode acts in process and keeps no token past the command: no key to warn about
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    env = {k: v for k, v in os.environ.items() if k != "COMMERCE_SECRET_KEY"}
    done = subprocess.run([sys.executable, "-m", "commerce_cli", "--database-url", url,
                           "admin", "categories", "create", "Lamps"],
                          capture_output=True, text=True, check=False, timeout=60, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stderr == "" and "Lamps" in done.stdout
