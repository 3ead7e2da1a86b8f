"""MongoDB databases for tests: one fresh database per test on the server the URL names
(``server_url("mongo")``), dropped afterwards; never another database of that server."""

from __future__ import annotations

import itertools
import os
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

if TYPE_CHECKING:
    from commerce_adapters.mongo.store import MongoStore

_numbers = itertools.count(1)


def fresh_mongo(server: str) -> str:
    """``server`` with a database path of its own: ``test_<pid>_<n>``."""
    parts = urlsplit(server)
    return urlunsplit(parts._replace(path=f"/test_{os.getpid()}_{next(_numbers)}"))


def drop_mongo(store: MongoStore) -> None:
    store.client.drop_database(store.db.name)
    store.close()
