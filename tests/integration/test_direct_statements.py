"""A statement the SDK runs again goes to the driver's cursor (``sql.direct``): it must read
and write exactly what SQLAlchemy reads and writes, inside the unit of work's transaction,
with the engine's cursor events, and fail as SQLAlchemy fails. Each test runs a statement
through SQLAlchemy first (twice: the second run plans it) and then on the driver."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from commerce_adapters.sql.database import Database, normalize_url
from commerce_adapters.sql.types import Amount, UtcDateTime
from commerce_adapters.sql.uow import SqlSession
from commerce_core.errors import Conflict, TransientError

APP = "commerce_direct_statements_test"
meta = sa.MetaData()
things = sa.Table(
    "direct_things", meta,
    sa.Column("id", sa.BigInteger, primary_key=True),
    sa.Column("name", sa.String(40), nullable=False, unique=True),
    sa.Column("price", Amount, nullable=False),
    sa.Column("seen_at", UtcDateTime, nullable=True),
    sa.Column("tags", sa.JSON, nullable=True),
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("weight", sa.Numeric(10, 3), nullable=True),
    sa.Column("views", sa.Integer, nullable=False, server_default="0"))

SELECT = sa.select(things).where(things.c.id == sa.bindparam("tid"))
RENAME = things.update().where(things.c.id == sa.bindparam("tid")).values(
    name=sa.bindparam("new"), views=things.c.views + 1)
BUMP = (things.update().where(things.c.id == sa.bindparam("tid"))
        .values(views=things.c.views + 1).returning(things.c.views, things.c.seen_at))
MOMENT = datetime(2026, 12, 8, 10, 30, 15, 123456, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgres"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    url = (f"sqlite:///{tmp_path / 'direct.db'}" if request.param == "sqlite"
           else _named(request.getfixturevalue("postgres_url")))
    yield from _database(url)


@pytest.fixture
def pg(postgres_url: str) -> Iterator[Database]:
    yield from _database(_named(postgres_url))


def _database(url: str) -> Iterator[Database]:
    database = Database(url)
    meta.create_all(database.primary)
    with database.primary.begin() as conn:
        conn.execute(things.insert(), [
            {"id": 1, "name": "lamp", "price": Decimal("19.99"), "seen_at": MOMENT,
             "tags": {"colour": ["red", "blue"], "n": None}, "active": True,
             "weight": Decimal("1.250")},
            {"id": 2, "name": "chair", "price": Decimal("5.00"), "seen_at": None,
             "tags": None, "active": False, "weight": None}])
    yield database
    meta.drop_all(database.primary)
    database.dispose()


def _named(url: str) -> str:
    """The URL with an application name, to find this test's server sessions."""
    return sa.engine.make_url(normalize_url(url)).update_query_dict(
        {"application_name": APP}).render_as_string(hide_password=False)


class Runs:
    """Each statement on the test's table, and whether SQLAlchemy sent it (it passes its
    execution context) or the driver path did (it has none)."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, bool]] = []

    def before(self, _conn: Any, _cursor: Any, statement: str, _params: Any, context: Any,
               _many: bool) -> None:
        if things.name in statement:  # not BEGIN, nor the statements of other tests
            self.sent.append((statement.split(maxsplit=1)[0], context is None))

    @property
    def direct(self) -> list[bool]:
        return [d for _, d in self.sent]


@pytest.fixture
def runs() -> Iterator[Runs]:
    found = Runs()
    sa.event.listen(sa.engine.Engine, "before_cursor_execute", found.before)
    yield found
    sa.event.remove(sa.engine.Engine, "before_cursor_execute", found.before)


def _read(db: Database, stmt: Any, params: dict[str, Any]) -> list[Any]:
    with SqlSession(db, read_only=True) as session:
        return list(session.execute(stmt, params).all())


def test_a_planned_select_reads_what_sqlalchemy_reads(db: Database, runs: Runs) -> None:
    by_sqlalchemy = [_read(db, SELECT, {"tid": i}) for i in (1, 2)]  # the 2nd run plans it
    by_driver = [_read(db, SELECT, {"tid": i}) for i in (1, 2)]
    assert runs.direct == [False, False, True, True]
    assert by_driver == by_sqlalchemy
    for sqlalchemy_rows, driver_rows in zip(by_sqlalchemy, by_driver, strict=True):
        (expected,), (row,) = sqlalchemy_rows, driver_rows
        for key in (c.key for c in things.c):  # same values and types, by attribute
            assert getattr(row, key) == getattr(expected, key)
            assert type(getattr(row, key)) is type(getattr(expected, key)), key
    lamp = by_driver[0][0]
    assert (lamp.price, lamp.seen_at, lamp.tags) == (
        Decimal("19.99"), MOMENT, {"colour": ["red", "blue"], "n": None})
    assert lamp.seen_at.tzinfo is not None and lamp[0] == 1  # by position too


def test_planned_writes_run_in_the_unit_of_works_transaction(db: Database,
                                                             runs: Runs) -> None:
    for n in range(3):  # the third is planned, and is the unit of work's first statement
        with SqlSession(db) as session:
            assert session.execute(RENAME, {"tid": 2, "new": f"stool {n}"}).rowcount == 1
            session.rollback()
    assert runs.direct[-1]
    assert [r.name for r in _read(db, SELECT, {"tid": 2})] == ["chair"]  # all rolled back
    with SqlSession(db) as session:
        assert session.execute(RENAME, {"tid": 2, "new": "stool"}).rowcount == 1
        assert session.execute(RENAME, {"tid": 404, "new": "none"}).rowcount == 0
        session.commit()
    row = _read(db, SELECT, {"tid": 2})[0]
    assert (row.name, row.views) == ("stool", 1)  # the three rolled back counted nothing


def test_planned_returning_converts_its_columns(db: Database, runs: Runs) -> None:
    got = []
    for _ in range(3):
        with SqlSession(db) as session:
            got.append(session.execute(BUMP, {"tid": 1}).one())
            session.commit()
    assert runs.direct == [False, False, True]
    assert [(r.views, r.seen_at) for r in got] == [(1, MOMENT), (2, MOMENT), (3, MOMENT)]


def test_planning_leaves_the_statement_as_it_was(db: Database, runs: Runs) -> None:
    """Planning an UPDATE leaves it free to grow a RETURNING later (a statement built from
    another, as the reservation's end inside the stock move)."""
    for _ in range(2):
        _rename(db, 2, "stool")  # RENAME planned now
    assert [c.key for c in RENAME.returning(things.c.id).cte("renamed").c] == ["id"]
    with SqlSession(db) as session:
        assert session.execute(RENAME.returning(things.c.id), {"tid": 2, "new": "chair"}
                               ).scalar_one() == 2


def test_an_update_sets_what_its_parameters_name(db: Database, runs: Runs) -> None:
    """An UPDATE without values sets the columns its parameters name, as SQLAlchemy
    compiles it for them: one plan per set of names, and no other column is touched."""
    update = things.update().where(things.c.id == sa.bindparam("tid"))
    for n in range(3):
        with SqlSession(db) as session:
            session.execute(update, {"tid": 1, "views": 10 + n})
            session.execute(update, {"tid": 1, "name": f"lamp {n}", "active": False})
            session.commit()
    assert runs.direct == [False] * 4 + [True] * 2
    row = _read(db, SELECT, {"tid": 1})[0]
    assert (row.views, row.name, row.active, row.price, row.seen_at) == (
        12, "lamp 2", False, Decimal("19.99"), MOMENT)


def test_what_a_plan_cannot_carry_runs_through_sqlalchemy(db: Database, runs: Runs) -> None:
    expanding = sa.select(things.c.name).where(things.c.id.in_(sa.bindparam(
        "ids", expanding=True))).order_by(things.c.id)
    options = sa.select(things.c.name).execution_options(yield_per=10)
    text = sa.text("SELECT name FROM direct_things WHERE id = :tid")  # no column types
    for _ in range(3):
        assert [r.name for r in _read(db, text, {"tid": 2})] == ["chair"]
        assert [r.name for r in _read(db, expanding, {"ids": [1, 2]})] == ["lamp", "chair"]
        assert len(_read(db, options, {})) == 2
        assert _read(db, sa.select(things.c.id).where(things.c.id == 1), {})  # built anew
    with SqlSession(db) as session:
        for _ in range(3):  # many parameter sets
            session.execute(RENAME, [{"tid": 1, "new": "a"}, {"tid": 2, "new": "b"}])
    assert not any(runs.direct)


def test_a_planned_statement_fails_as_sqlalchemy_does(db: Database) -> None:
    for _ in range(2):
        _rename(db, 2, "stool")
    with pytest.raises(Conflict):  # unique name: the driver's integrity error, translated
        _rename(db, 2, "lamp")
    assert [r.name for r in _read(db, SELECT, {"tid": 2})] == ["stool"]


def _rename(db: Database, thing: int, name: str) -> None:
    with SqlSession(db) as session:
        session.execute(RENAME, {"tid": thing, "new": name})
        session.commit()


def test_a_dropped_connection_renews_the_whole_pool(pg: Database, runs: Runs) -> None:
    db = pg
    _read(db, SELECT, {"tid": 1})
    _read(db, SELECT, {"tid": 1})  # planned now
    with contextlib.ExitStack() as open_:  # three pooled connections, all about to die
        for _ in range(3):
            open_.enter_context(SqlSession(db, read_only=True)).execute(SELECT, {"tid": 1})
    killer = sa.create_engine(normalize_url(db.url), poolclass=sa.pool.NullPool)
    with killer.connect() as conn:
        ended = conn.exec_driver_sql(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE "
            "datname = current_database() AND application_name = %(app)s AND "
            "pid <> pg_backend_pid()", {"app": APP}).scalar_one()
    killer.dispose()
    assert ended >= 3
    failures = 0
    for _ in range(6):
        try:
            assert [r.name for r in _read(db, SELECT, {"tid": 1})] == ["lamp"]
        except TransientError:
            failures += 1
    assert failures == 1  # the pool came back whole after the first: not once per connection
    assert all(runs.direct[2:])
