"""``commerce doctor``: reach every configured backend and say what is wrong with each."""

from __future__ import annotations

import importlib.util
import os
from typing import Annotated

import attrs
import typer
from rich.text import Text

from commerce_adapters.bootstrap import (
    DATABASES,
    FROM_DATABASE,
    GATEWAYS,
    NO_REAL_MONEY,
    NOTIFIERS,
    PARTS,
    Part,
    adapter,
    load,
    node_setting,
    part_url,
    replica_setting,
    scheme,
    setting,
    takes_real_money,
)
from commerce_adapters.security.tokens import MIN_SECRET_BYTES
from commerce_adapters.urls import shown as show_url
from commerce_cli import credentials
from commerce_cli.output import emit
from commerce_cli.target import Target, sqlite_file, target
from commerce_core.errors import CommerceError
from commerce_http.client import ApiClient

OK, WARN, FAIL = "ok", "warn", "fail"


@attrs.frozen
class Finding:
    check: str
    status: str
    detail: str


def _database(name: str, url: str, migrated: bool) -> Finding:
    shown = show_url(url)
    try:
        load(DATABASES, url, "database")  # a known scheme, its driver installed
    except (ValueError, ImportError) as ex:
        return Finding(name, FAIL, f"{shown}: {ex}")
    if scheme(url) == "memory":
        return Finding(name, WARN, "memory://: nothing is kept when the process ends")
    file = sqlite_file(url)
    if file is not None and not file.exists():  # looking must not create it
        if not migrated:  # a replica is a copy: there is nothing to make
            return Finding(name, FAIL, f"{shown}: no such file")
        return Finding(name, OK, f"{shown}: not made yet; made and migrated when first opened")
    from commerce_adapters.sql import migrate  # noqa: PLC0415 - SQL drivers load on demand

    try:
        found = migrate.revision_of(url)
    except CommerceError as ex:  # it names the database
        return Finding(name, FAIL, ex.message)
    except Exception as ex:  # any driver's failure is the finding
        return Finding(name, FAIL, f"{shown}: {str(ex).splitlines()[0]}")
    if not migrated:
        return Finding(name, OK, f"{shown}: reachable")
    head = migrate.head()
    if found == head:
        return Finding(name, OK, f"{shown}: schema at {head}")
    if file is not None and found is None:
        return Finding(name, OK, f"{shown}: empty; migrated when first opened")
    return Finding(name, FAIL, f"{shown}: schema at {found or 'nothing'}, this release needs "
                               f"{head}: run `commerce db upgrade`")


# what a part kept in this process's memory means for a served shop
_IN_MEMORY = {
    "catalog": "memory://: the catalog is lost when the process ends",
    "carts": "memory://: each process keeps its own carts, lost when it ends",
    "sessions": "memory://: each process keeps its own sign-outs and rate limits",
    "cache": "this process's memory: each worker caches alone",
    "search": "memory://: the index lives in this process and is rebuilt by reindexing",
    "events": "in-process delivery: consumers run in the process that published",
}


def _part(part: Part, database_url: str) -> Finding:
    """A part named by its own URL: a known scheme with its driver; a database it keeps
    apart is checked like the database. Following the database is the database's finding."""
    url = part_url(part.setting, database_url)
    shown = show_url(url)
    try:
        row = adapter(part.adapters, url, part.name)
        load(part.adapters, url, part.name)
    except (ValueError, ImportError) as ex:
        return Finding(part.name, FAIL, f"{shown}: {ex}")
    if url == database_url:
        return Finding(part.name, OK, "kept by the database")
    if scheme(url) == "memory":
        return Finding(part.name, WARN if part.name in ("carts", "sessions") else OK,
                       _IN_MEMORY[part.name])
    if row is FROM_DATABASE:
        if part.name == "catalog":
            return Finding(part.name, FAIL, f"{shown}: a catalog in another SQL database "
                                            "cannot see the stock rows its listings filter "
                                            "on; leave COMMERCE_CATALOG_URL unset or use "
                                            "mongodb://")
        return attrs.evolve(_database(part.name, url, migrated=True), check=part.name)
    if scheme(url) in ("redis", "rediss"):
        return _redis(part.name, url)
    if scheme(url) == "mongodb":
        return _mongo(part.name, url)
    return Finding(part.name, OK, shown)


def _redis(name: str, url: str) -> Finding:
    from commerce_adapters.redis.client import client, reached  # noqa: PLC0415 - the extra

    try:
        with reached(name):
            client(url).ping()
    except CommerceError as ex:
        return Finding(name, FAIL, f"{show_url(url)}: {ex.message}")
    return Finding(name, OK, f"{show_url(url)}: reachable")


def _search_index(where: Target) -> Finding:
    """The index's documents against the products on sale: an index behind the catalog
    (a new index, a lost event) wants a reindex."""
    file = sqlite_file(where.database())
    if file is not None and not file.exists():
        return Finding("search index", OK, "empty until the database is made")
    try:
        shop = where.open()
        state = shop.search.state()
        on_sale = shop.catalog.list_products(limit=1).total_count
    except Exception as ex:  # the database's own finding says more; say what failed here
        return Finding("search index", FAIL, f"unreadable: {str(ex).splitlines()[0]}")
    detail = f"{state.backend}: {state.documents} documents, {on_sale} products on sale"
    if state.documents != on_sale:
        return Finding("search index", WARN, f"{detail}: run `commerce search reindex`")
    return Finding("search index", OK, detail)



def _mongo(name: str, url: str) -> Finding:
    """The MongoDB catalog: the server answers a ping, and which indexes it still lacks."""
    from commerce_adapters.mongo import store  # noqa: PLC0415 - pymongo loads on demand

    shown = show_url(url)
    try:
        missing = store.check(url)
    except CommerceError as ex:
        return Finding(name, FAIL, f"{shown}: {ex.message.splitlines()[0][:300]}")
    if missing:
        return Finding(name, WARN, f"{shown}: reachable; {len(missing)} indexes missing "
                                   f"({', '.join(missing[:3])}...): made on first use, or now "
                                   "by `commerce db upgrade`")
    return Finding(name, OK, f"{shown}: reachable, every index in place")


def _payments() -> Finding:
    url = setting("COMMERCE_PAYMENTS_URL")
    try:
        load(GATEWAYS, url, "payments")
    except (ValueError, ImportError) as ex:
        return Finding("payments", FAIL, str(ex))
    if scheme(url) == "stripe":
        if not os.environ.get("COMMERCE_STRIPE_API_KEY"):
            return Finding("payments", FAIL, "stripe:// needs COMMERCE_STRIPE_API_KEY")
        if not os.environ.get("COMMERCE_WEBHOOK_SECRET"):
            return Finding("payments", WARN, "stripe://: COMMERCE_WEBHOOK_SECRET is not set, "
                                             "so every webhook is refused (3-D Secure "
                                             "payments never complete)")
    if not takes_real_money(url):
        return Finding("payments", WARN, f"{NO_REAL_MONEY} ({scheme(url)}://; "
                                         "stripe:// with a live key takes payments)")
    return Finding("payments", OK, show_url(url))


def _notifications() -> Finding:
    url = setting("COMMERCE_NOTIFY_URL")
    try:
        notifier = load(NOTIFIERS, url, "notifier")(url)  # refuses a malformed URL
        check = getattr(notifier, "check", None)  # those with a server to reach (smtp://)
        if check is not None:
            check()
    except CommerceError as ex:
        return Finding("notifications", FAIL, ex.message)
    except (ValueError, ImportError) as ex:
        return Finding("notifications", FAIL, f"{show_url(url)}: {ex}")
    return Finding("notifications", OK, show_url(url))


def _secret() -> Finding:
    key = os.environ.get("COMMERCE_SECRET_KEY", "")
    if not key:
        return Finding("secret key", WARN, "COMMERCE_SECRET_KEY unset: a random key per "
                                           "process, so tokens fail across restarts and workers")
    if len(key.encode()) < MIN_SECRET_BYTES:
        return Finding("secret key", FAIL, f"COMMERCE_SECRET_KEY has {len(key.encode())} "
                                           f"bytes; at least {MIN_SECRET_BYTES} are needed")
    return Finding("secret key", OK, "set")


def _node_id() -> Finding:
    try:
        node = node_setting()
    except ValueError as ex:
        return Finding("node id", FAIL, str(ex))
    if node is None:
        return Finding("node id", OK, "leased from the database per process")
    return Finding("node id", OK, f"COMMERCE_NODE_ID={node}: give each process its own")


def _http_extra() -> Finding:
    missing = [m for m in ("falcon", "gunicorn", "prometheus_client")
               if importlib.util.find_spec(m) is None]
    if missing:
        return Finding("http server", WARN, f"{', '.join(missing)} not installed: "
                                            "pip install 'commerce-sdk[http]' to serve")
    return Finding("http server", OK, "falcon, gunicorn and prometheus-client installed")


def _serve_settings() -> list[Finding]:
    """The server's numeric settings, read as ``commerce serve`` reads them: a bad one is
    named here rather than found when the server refuses to start."""
    if importlib.util.find_spec("falcon") is None:
        return []  # no server to start here: the http server finding says so
    from commerce_http.settings import NUMBERS, SettingError  # noqa: PLC0415 - needs [http]

    good, bad = [], []
    for number in NUMBERS:
        try:
            good.append(f"{number.name}={number.read(os.environ)}")
        except SettingError as ex:
            bad.append(str(ex))
    if bad:
        return [Finding("serve settings", FAIL, "; ".join(bad))]
    return [Finding("serve settings", OK, ", ".join(good))]


def _api(api: str) -> list[Finding]:
    token = credentials.token_for(api)
    with ApiClient(api, token, timeout=5) as client:
        try:
            health = client.health()
        except Exception as ex:
            return [Finding("api", FAIL, f"{show_url(api)}: {ex}")]
        status = str(health.get("status", "?"))
        found = [Finding("api", OK if status == "ok" else FAIL, f"{show_url(api)}: {status}")]
        if token is None:
            return [*found, Finding("sign-in", WARN, f"not signed in: commerce --api {api} "
                                                     "login")]
        try:
            me = client.me()
        except Exception as ex:
            return [*found, Finding("sign-in", FAIL, f"stored token refused ({ex}): log in "
                                                     "again")]
        return [*found, Finding("sign-in", OK, f"{me['email']} ({me['role']})")]


def examine(where: Target) -> list[Finding]:
    """Every check, in order: the database and its replicas, each other part (catalog,
    carts, cache, sessions, search, events), payments, notifications, the token secret, the
    HTTP server's extra and its settings, and the remote API when --api is given."""
    database_url = where.database()
    found = [_database("database", database_url, migrated=True)]
    found += [_database(f"replica {n}", url, migrated=False)
              for n, url in enumerate(replica_setting(), start=1)]
    found += [_part(part, database_url) for part in PARTS
              if part.name not in ("database", "payments", "notifications")]
    if all(f.status != FAIL for f in found):
        found.append(_search_index(where))
    found += [_payments(), _notifications(), _secret(), _node_id(), _http_extra(),
              *_serve_settings()]
    if where.api:
        found += _api(where.api)
    return found


def doctor(ctx: typer.Context, json_out: Annotated[bool, typer.Option(
        "--json", help="Print JSON, for scripts.")] = False) -> None:
    """Reach each configured backend and say what is wrong; exit 1 if anything failed."""
    found = examine(target(ctx))
    rows = [{"check": f.check, "status": f.status if json_out else
             Text(f.status, style={OK: "green", WARN: "yellow", FAIL: "red"}[f.status]),
             "detail": f.detail} for f in found]
    emit(rows, ["check", "status", "detail"], json_out, "commerce doctor")
    if any(f.status == FAIL for f in found):
        raise typer.Exit(1)
