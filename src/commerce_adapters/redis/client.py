"""A redis-py client from a URL, and the translation of its errors into core errors."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, urlsplit, urlunsplit

import redis
from redis.backoff import NoBackoff
from redis.cluster import RedisCluster
from redis.retry import Retry

from commerce_core.errors import Unavailable

# A request must not hang on a Redis that is gone: short timeouts and a single retry (a
# dropped idle connection is retried once; a server that is down fails within a second).
DEFAULTS = {"socket_timeout": "1.0", "socket_connect_timeout": "1.0"}
Client = redis.Redis | RedisCluster


def client(url: str) -> Client:
    """The client ``url`` names: ``redis://``, ``rediss://`` (TLS), ``redis+cluster://`` or
    ``rediss+cluster://`` (Redis Cluster). Query parameters go to redis-py (``?socket_timeout=``);
    ``socket_timeout`` and ``socket_connect_timeout`` default to one second."""
    parts = urlsplit(url)
    kind, _, flavour = parts.scheme.partition("+")
    if kind not in ("redis", "rediss") or flavour not in ("", "cluster"):
        raise ValueError(f"not a Redis URL: {parts.scheme}://")
    query = dict(parse_qsl(parts.query))
    for name, value in DEFAULTS.items():
        query.setdefault(name, value)
    plain = urlunsplit((kind, parts.netloc, parts.path, "&".join(
        f"{k}={v}" for k, v in query.items()), ""))
    options: dict[str, Any] = {"retry": Retry(NoBackoff(), 1)}
    if flavour == "cluster":
        return RedisCluster.from_url(plain, **options)
    return redis.Redis.from_url(plain, **options)


@contextlib.contextmanager
def reached(what: str) -> Iterator[None]:
    """Turn redis-py's connection and timeout errors into :class:`Unavailable` naming the
    part (``what``), so HTTP answers 503 and callers can bypass a cache."""
    try:
        yield
    except (redis.ConnectionError, redis.TimeoutError) as ex:
        raise Unavailable(f"the {what} is unavailable (Redis did not answer)",
                          {"part": what}) from ex
    except redis.exceptions.ClusterDownError as ex:
        raise Unavailable(f"the {what} is unavailable (Redis Cluster is down)",
                          {"part": what}) from ex
