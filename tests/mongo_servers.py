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


# The stand-in is one Python process serving every test run of the machine: under load it
# may answer a heartbeat after pymongo's 10 s default, which real servers never need.
PATIENT = "serverSelectionTimeoutMS=60000&connectTimeoutMS=60000"


def fresh_mongo(server: str) -> str:
    """``server`` with a database path of its own, ``test_<pid>_<n>``, and patient
    timeouts (unless the URL sets its own)."""
    parts = urlsplit(server)
    query = parts.query or PATIENT
    return urlunsplit(parts._replace(path=f"/test_{os.getpid()}_{next(_numbers)}",
                                     query=query))


def drop_mongo(store: MongoStore) -> None:
    store.client.drop_database(store.db.name)
    store.close()
