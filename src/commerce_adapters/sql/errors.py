"""Driver errors to core errors, at the edge: which are worth retrying, which are clashes."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import sqlalchemy as sa

from commerce_adapters.urls import shown
from commerce_core.errors import CommerceError, Conflict, TransientError, Unavailable

# PostgreSQL SQLSTATEs: serialization failure, deadlock; lock / statement timeouts
_RETRY = {"40001", "40P01"}
_TIMEOUT = {"55P03", "57014"}


def _sqlstate(ex: sa.exc.DBAPIError) -> str | None:
    return getattr(ex.orig, "sqlstate", None)


def translate(ex: sa.exc.DBAPIError) -> CommerceError | None:
    """The core error for a driver error (raised ``from`` the original), or None for a bug
    (bad SQL, a missing table), which should surface as it is."""
    state = _sqlstate(ex)
    if isinstance(ex, sa.exc.IntegrityError):
        return Conflict("the change clashes with data written meanwhile; try again",
                        {"constraint": str(ex.orig).splitlines()[0][:200]})
    if state in _RETRY or ex.connection_invalidated:
        return TransientError("the database asked to retry the transaction",
                              {"sqlstate": state})
    if state in _TIMEOUT:
        return Unavailable("the database did not answer in time", {"sqlstate": state})
    if isinstance(ex, sa.exc.OperationalError | sa.exc.InterfaceError):
        text = str(ex.orig).lower()
        if "locked" in text or "busy" in text:
            return Unavailable("the database is busy; try again", {"database": "locked"})
        return TransientError("the database connection failed", {"database": "unreachable"})
    return None


@contextlib.contextmanager
def opening(url: str) -> Iterator[None]:
    """A database that cannot be reached while it is opened or migrated: ``Unavailable``
    naming it (password hidden) and the driver's reason, not a driver traceback."""
    try:
        yield
    except (sa.exc.OperationalError, sa.exc.InterfaceError) as ex:
        reason = str(ex.orig).strip().splitlines()[0] if ex.orig else str(ex)
        raise Unavailable(f"cannot open the database {shown(url)}: {reason}",
                          {"database": "unreachable"}) from ex
