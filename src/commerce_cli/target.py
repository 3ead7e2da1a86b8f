"""Which shop a command works on, and as whom: local (the library on the configured
database) or remote (``--api URL``, with the token ``commerce login`` stored)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import attrs
import httpx
import typer
from sqlalchemy.engine import make_url

from commerce_adapters import connect
from commerce_adapters.bootstrap import scheme, setting
from commerce_adapters.memory.ratelimit import MemoryRateLimiter
from commerce_adapters.urls import shown
from commerce_cli import credentials
from commerce_cli.errors import Usage
from commerce_core.accounts.policy import Actor, Role
from commerce_core.errors import Forbidden, NotFound, Unauthenticated
from commerce_core.facade import Commerce
from commerce_http.app import HttpSettings, create_app
from commerce_http.client import ApiClient
from commerce_http.limits import Limits

Shop = ApiClient  # local mode too: the app in process, through the same client
OPERATOR = Actor.admin(0)  # local mode: whoever holds the database acts as its admin


@attrs.frozen
class Target:
    api: str | None = None
    database_url: str | None = None  # None: COMMERCE_DATABASE_URL, else the default
    seller: str | None = None  # local mode: the seller to act as (email or id)
    customer: str | None = None  # local mode: the customer to act as (email or id)
    # registers what runs when the command ends, however it ends: the shops it opened are
    # closed then (their pools, a broker's client threads)
    on_close: Callable[[Callable[[], None]], object] | None = None

    def __attrs_post_init__(self) -> None:
        if self.api is not None:
            parts = urlsplit(self.api)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise Usage(f"--api needs the shop's http(s) address, e.g. "
                            f"https://shop.example, not {self.api!r}")

    @property
    def remote(self) -> bool:
        return bool(self.api)

    def database(self) -> str:
        """The database URL in effect: --database-url, else the setting, else the default."""
        return setting("COMMERCE_DATABASE_URL", self.database_url)

    def open(self, create: bool = False) -> Commerce:
        """The shop on the local database. Opening a SQLite file that is not there makes
        it, so only a command that writes may (``create``); a read says it is missing."""
        url = self.database()
        if not create:
            require_database(url)
        # Local commands act in process and hand no token beyond the command, so a key of
        # this process's own is right here (and no warning about one); a set key is used.
        shop = connect(url, secret_key=os.environ.get("COMMERCE_SECRET_KEY")
                       or secrets.token_urlsafe(48))
        if self.on_close is not None:
            self.on_close(shop.close)
        return shop

    def client(self) -> ApiClient:
        api = self.api
        if api is None:
            raise Usage("say which shop: commerce --api URL ...")
        token = credentials.token_for(api)
        if token is None:
            raise Unauthenticated(f"not signed in to {api}: run `commerce --api {api} login` "
                                  "first")
        return ApiClient(api, token)

    def as_admin(self, create: bool = False) -> Shop:
        """``create``: the command writes, and may make a new database (see :meth:`open`)."""
        return self.client() if self.remote else in_process(self.open(create), OPERATOR)

    def as_seller(self) -> Shop:
        if self.remote:
            if self.seller:
                raise Usage("--as is for local mode; remotely you act as the "
                                       "account you logged in with")
            return self.client()
        if not self.seller:
            raise Usage("say which seller to act as: commerce seller --as EMAIL ...")
        shop = self.open()
        return in_process(shop, _account(shop, self.seller, Role.SELLER))


    def as_customer(self) -> Shop:
        if self.remote:
            if self.customer:
                raise Usage("--as is for local mode; remotely you act as the account you "
                            "logged in with")
            return self.client()
        if not self.customer:
            raise Usage("say which customer to act as: commerce customer --as EMAIL ...")
        shop = self.open()
        return in_process(shop, _account(shop, self.customer, Role.CUSTOMER))


def in_process(shop: Commerce, actor: Actor) -> ApiClient:
    """The API of ``shop`` called in this process as ``actor``: local mode runs every
    command through the same operations, checks and JSON as remote mode, so the two cannot
    differ. No rate limit: the operator is not a client to be protected from."""
    app = create_app(shop, HttpSettings(limits=Limits(per_ip=MAX_RATE, per_user=MAX_RATE)),
                     limiter=MemoryRateLimiter(), acting_as=actor)
    return ApiClient("http://local.invalid", transport=httpx.WSGITransport(app=app))


MAX_RATE = 2**62


def sqlite_file(url: str) -> Path | None:
    """The file a ``sqlite://`` URL names (None: not SQLite, or no file)."""
    if scheme(url) != "sqlite":
        return None
    path = make_url(url).database
    return None if not path or path == ":memory:" else Path(path)


def require_database(url: str) -> None:
    """NotFound if ``url`` names a SQLite file that does not exist: a read must not make it."""
    file = sqlite_file(url)
    if file is not None and not file.exists():
        raise NotFound(f"no database at {shown(url)} (no such file): `commerce demo` seeds "
                       "one, `commerce db upgrade` makes an empty one",
                       {"database": "missing"})


def _account(shop: Commerce, who: str, role: Role) -> Actor:
    """The account named by email or id (the core refuses unknown and deactivated ones), of
    ``role``: a command group for sellers acts as no customer, and the other way round."""
    actor = shop.accounts.act_as(OPERATOR, int(who) if who.isdigit() else who)
    if actor.role is not role:
        raise Forbidden(f"{who} is not an active {role.value}", {"role": actor.role.value})
    return actor


def target(ctx: typer.Context) -> Target:
    return ctx.ensure_object(Target)
