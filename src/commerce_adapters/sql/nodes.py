"""Snowflake node ids leased from the database, so that no two live processes on one
database mint with the same node (and so never mint the same id).

A lease is a row of ``node_leases``: the node, a random holder token and when it expires. A
process takes a node that is free or expired, renews it from a background thread well
before it expires, and deletes it when its shop is collected or the process exits. A
process that could not renew in time stops minting (``held()`` turns False long before the
row can expire), because after expiry another process may take the node over.

One thread renews every lease of the process, one statement per database with short
timeouts, so a slow or vanished database cannot starve the others' renewals.
"""

from __future__ import annotations

import atexit
import logging
import os
import queue
import random
import secrets
import threading
import time
import weakref

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from commerce_adapters.sql.database import normalize_url
from commerce_adapters.sql.errors import opening
from commerce_adapters.sql.schema import node_leases
from commerce_core.errors import Unavailable
from commerce_core.ids import NODE_IDS, SnowflakeIds

log = logging.getLogger(__name__)
LEASE_TTL = 120.0  # seconds a lease lives unrenewed; renewed every TTL/8, minting stops at TTL/2
_ATTEMPTS = 64      # racing processes each lose at most this many times
_TIMEOUT_S = 5      # a renewal waits this long at most for a connection or a lock


def _now_ms() -> int:
    # wall time, not the shop's clock: tests pin that one, leases are between real processes
    return time.time_ns() // 1_000_000


_engines: dict[str, sa.Engine] = {}
_engines_lock = threading.Lock()


def _engine(url: str) -> sa.Engine:
    """One pool-less engine per database: a renewal every few seconds keeps no idle
    connection, and the leases of one database are renewed together."""
    url = normalize_url(url)
    with _engines_lock:
        if url not in _engines:
            if make_url(url).get_backend_name() == "sqlite":
                args: dict[str, object] = {"timeout": _TIMEOUT_S}
            else:
                ms = _TIMEOUT_S * 1000
                args = {"connect_timeout": _TIMEOUT_S,
                        "options": f"-c statement_timeout={ms} -c lock_timeout={ms}"}
            _engines[url] = sa.create_engine(url, poolclass=NullPool, connect_args=args)
        return _engines[url]


def _gone(engine: sa.Engine) -> bool:
    """A SQLite file deleted since: connecting would make a new, empty one."""
    path = engine.url.database
    return engine.dialect.name == "sqlite" and bool(path) and not os.path.exists(path or "")


class NodeLease:
    """One process's lease of one node id on one database."""

    def __init__(self, engine: sa.Engine, ttl: float = LEASE_TTL) -> None:
        self.engine, self.ttl = engine, ttl
        self.holder = secrets.token_hex(16)
        self.pid = os.getpid()
        self.node = -1
        self._valid_until = 0.0  # time.monotonic(); minting stops at it
        self.renew_at = 0.0

    def held(self) -> bool:
        """Whether ids may still be minted on this node: not in a forked child, which would
        mint on its parent's node, nor once renewals stopped succeeding."""
        return os.getpid() == self.pid and time.monotonic() < self._valid_until

    def acquire(self) -> int:
        """Lease a node that no live process holds; Unavailable when all are held."""
        for _ in range(_ATTEMPTS):
            started, now = time.monotonic(), _now_ms()
            with self.engine.connect() as conn:
                live = {n for n, until in conn.execute(
                    sa.select(node_leases.c.node_id, node_leases.c.expires_at_ms))
                    if until > now}
            free = [n for n in range(NODE_IDS) if n not in live]
            if not free:
                raise Unavailable(f"all {NODE_IDS} node ids are leased by live processes on "
                                  "this database; set COMMERCE_NODE_ID or stop some",
                                  {"node_leases": len(live)})
            node = random.choice(free)  # racing processes rarely pick the same one
            if self._take(node, now):
                self.node = node
                self.held_since(started)
                return node
        raise Unavailable("could not lease a node id: too many processes starting at once",
                          {"node_leases": "contended"})

    def renew(self) -> bool:
        """Extend the lease (or take the node back if its row vanished and no one else took
        it); False if another process holds it now."""
        started, now = time.monotonic(), _now_ms()
        with self.engine.begin() as conn:
            renewed = conn.execute(
                node_leases.update()
                .where(node_leases.c.node_id == self.node,
                       node_leases.c.holder == self.holder)
                .values(expires_at_ms=now + int(self.ttl * 1000))).rowcount == 1
        if renewed or self._take(self.node, now):
            self.held_since(started)
            return True
        self.lost()
        return False

    def lost(self) -> None:
        self._valid_until = 0.0

    def held_since(self, started: float) -> None:
        # minting stops at half the TTL, renewal comes every eighth: ~3 renewals may fail
        self._valid_until = started + self.ttl / 2
        self.renew_at = started + self.ttl / 8

    def _take(self, node: int, now: int) -> bool:
        expires = now + int(self.ttl * 1000)
        try:
            with self.engine.begin() as conn:
                if conn.execute(node_leases.update()
                                .where(node_leases.c.node_id == node,
                                       node_leases.c.expires_at_ms <= now)
                                .values(holder=self.holder, expires_at_ms=expires)
                                ).rowcount == 1:
                    return True
                conn.execute(node_leases.insert().values(node_id=node, holder=self.holder,
                                                         expires_at_ms=expires))
                return True
        except sa.exc.IntegrityError:  # a live lease, or another process won the race
            return False


def _release(engine: sa.Engine, node: int, holder: str) -> None:
    try:
        with engine.begin() as conn:
            conn.execute(node_leases.delete().where(node_leases.c.node_id == node,
                                                    node_leases.c.holder == holder))
    except Exception:  # the database went away first: the lease expires on its own
        log.debug("node lease %s not released", node, exc_info=True)


class _Renewer:
    """One daemon thread renewing every live lease of this process when it is due."""

    def __init__(self) -> None:
        self._leases: weakref.WeakSet[NodeLease] = weakref.WeakSet()
        self._lock = threading.Lock()
        # SimpleQueue.put is reentrant: a finalizer may run while this thread is in a put
        self._releases: queue.SimpleQueue[tuple[sa.Engine, int, str]] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None

    def add(self, lease: NodeLease) -> None:
        with self._lock:
            self._leases.add(lease)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="node-leases",
                                                daemon=True)
                self._thread.start()

    def release_later(self, engine: sa.Engine, node: int, holder: str, pid: int) -> None:
        """Have the thread delete a collected shop's lease. Never in the caller's thread:
        the collector runs wherever an allocation triggers it, inside another handle's
        SQLite write transaction too, where the DELETE would wait out the busy timeout.
        Takes no lock, as the collector may run in a thread holding one."""
        if os.getpid() == pid:  # else a forked child's: the lease is its parent's
            self._releases.put((engine, node, holder))

    def release_pending(self) -> None:
        """Release what is queued now, in this thread."""
        while True:
            try:
                _release(*self._releases.get_nowait())
            except queue.Empty:
                return

    def release_all(self) -> None:
        """At exit, in the exiting thread (the daemon thread stops with the process): the
        queued releases and every lease still held."""
        with self._lock:
            live = [lease for lease in self._leases if lease.pid == os.getpid()]
            self._leases.clear()
        for lease in live:
            self._releases.put((lease.engine, lease.node, lease.holder))
        self.release_pending()

    def _run(self) -> None:
        while True:
            try:  # a release is done at once; renewals are looked at twice a second
                due = self._releases.get(timeout=0.5)
            except queue.Empty:
                pass
            else:
                _release(*due)
            self.release_pending()
            groups: dict[tuple[sa.Engine, float], list[NodeLease]] = {}
            with self._lock:
                for lease in self._leases:
                    if time.monotonic() >= lease.renew_at:
                        groups.setdefault((lease.engine, lease.ttl), []).append(lease)
            for (engine, ttl), leases in groups.items():
                try:
                    self._renew(engine, ttl, leases)
                except Exception:  # unreachable for now: held() lapses if it lasts
                    log.warning("could not renew %d node leases", len(leases), exc_info=True)
                    for lease in leases:
                        lease.renew_at = time.monotonic() + 1

    def _renew(self, engine: sa.Engine, ttl: float, leases: list[NodeLease]) -> None:
        if _gone(engine):
            for lease in leases:
                lease.lost()
                self._leases.discard(lease)
            return
        started, now = time.monotonic(), _now_ms()
        holders = [lease.holder for lease in leases]
        with engine.begin() as conn:  # the whole database's leases in one statement
            conn.execute(node_leases.update().where(node_leases.c.holder.in_(holders))
                         .values(expires_at_ms=now + int(ttl * 1000)))
            kept = set(conn.execute(sa.select(node_leases.c.holder)
                                    .where(node_leases.c.holder.in_(holders))).scalars())
        for lease in leases:
            if lease.holder in kept:
                lease.held_since(started)
            elif not lease.renew():  # its row vanished: take the node back, if still free
                log.error("node id %s was taken over by another process; this process "
                          "mints no more ids on it", lease.node)


_renewer = _Renewer()
atexit.register(_renewer.release_all)


def leased_ids(url: str, ttl: float = LEASE_TTL) -> SnowflakeIds:
    """Snowflake ids on a node leased from the (migrated) database at ``url``; the lease is
    renewed while the generator lives and released when it is collected or at exit."""
    engine = _engine(url)
    lease = NodeLease(engine, ttl)
    with opening(url):
        lease.acquire()
    _renewer.add(lease)
    ids = SnowflakeIds(lease.node, holds_node=lease.held)
    released = weakref.finalize(ids, _renewer.release_later, engine, lease.node,
                                lease.holder, lease.pid)
    released.atexit = False  # release_all does it then
    return ids
