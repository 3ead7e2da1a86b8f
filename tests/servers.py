"""The one place tests get a server's URL: ``server_url(name)``.

``COMMERCE_TEST_<NAME>_URL`` wins when set (``scripts/test-servers.sh`` sets them to local
stand-ins). Else, where a Docker engine answers, the real product is started once per test run
with testcontainers and removed at exit (``COMMERCE_TEST_<NAME>_IMAGE`` overrides its image).
Else the test is skipped. URL shapes: ``postgresql://USER:PASSWORD@HOST:PORT/DB``,
``redis://HOST:PORT/DB``, ``mongodb://[USER:PASSWORD@]HOST:PORT/``, ``http://HOST:PORT``
(elasticsearch, opensearch, stripe) and ``kafka://HOST:PORT``.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import os
import time
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Final, TypeVar

import httpx
import pytest

if TYPE_CHECKING:
    from testcontainers.core.container import DockerContainer

NAMES: Final = ("postgres", "redis", "mongo", "elasticsearch", "opensearch", "kafka", "stripe")


def env_var(name: str) -> str:
    """The variable that gives ``name``'s URL: ``COMMERCE_TEST_<NAME>_URL``."""
    return f"COMMERCE_TEST_{name.upper()}_URL"


def server_url(name: str) -> str:
    """The URL of a running ``name`` server (one of ``NAMES``), or the test is skipped."""
    if name not in NAMES:
        raise ValueError(f"unknown server {name!r}; known: {', '.join(NAMES)}")
    url = os.environ.get(env_var(name))
    if url:
        return url
    if not docker_available():
        pytest.skip(f"{env_var(name)} is not set and no Docker engine runs here")
    return _container_url(name)


@functools.cache
def docker_available() -> bool:
    """True when testcontainers' Docker client can ping an engine."""
    try:
        from testcontainers.core.docker_client import DockerClient  # noqa: PLC0415

        DockerClient(timeout=10).client.ping()
    except Exception:
        return False
    return True


@functools.cache
def _container_url(name: str) -> str:
    """Starts ``name``'s container (once per run; removed at exit) and gives its URL."""
    return _STARTERS[name]()


_C = TypeVar("_C", bound="DockerContainer")


def _start(container: _C) -> _C:
    container.start()
    atexit.register(container.stop)
    return container


def _image(name: str, default: str) -> str:
    return os.environ.get(f"COMMERCE_TEST_{name.upper()}_IMAGE", default)


def _address(container: DockerContainer, port: int) -> str:
    return f"{container.get_container_host_ip()}:{container.get_exposed_port(port)}"


def _wait_http(url: str, timeout: float = 180.0) -> None:
    """Until ``url`` answers with a status below 500 (a port mapped by Docker accepts
    connections before the server in the container listens)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(url, timeout=5).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"{url} did not answer within {timeout:.0f} s")
        time.sleep(0.5)


def _quiet_import() -> contextlib.AbstractContextManager[None]:
    """testcontainers >= 4.14 moved its modules to testcontainers.community, leaving
    deprecated aliases (the names that every 4.x release has)."""
    return warnings.catch_warnings(action="ignore", category=DeprecationWarning)


def _postgres() -> str:
    with _quiet_import():
        from testcontainers.postgres import PostgresContainer  # noqa: PLC0415

    container = _start(PostgresContainer(_image("postgres", "postgres:16"), driver=None))
    return container.get_connection_url()


def _redis() -> str:
    with _quiet_import():
        from testcontainers.redis import RedisContainer  # noqa: PLC0415

    container = _start(RedisContainer(_image("redis", "redis:7")))
    return f"redis://{_address(container, 6379)}/0"


def _mongo() -> str:
    with _quiet_import():
        from testcontainers.mongodb import MongoDbContainer  # noqa: PLC0415

    container = _start(MongoDbContainer(_image("mongo", "mongo:7")))
    return f"mongodb://{container.username}:{container.password}@{_address(container, 27017)}/"


def _elasticsearch() -> str:
    import elasticsearch  # noqa: PLC0415

    with _quiet_import():
        from testcontainers.elasticsearch import ElasticSearchContainer  # noqa: PLC0415

    # The client talks only to servers of its own major version (it sends compatible-with
    # content types): pick the image to match it.
    default = "elasticsearch:8.15.3" if elasticsearch.__version__[0] == 8 else "elasticsearch:9.0.0"
    container = ElasticSearchContainer(_image("elasticsearch", default), mem_limit="2g")
    container.with_env("ES_JAVA_OPTS", "-Xms512m -Xmx512m")
    return f"http://{_address(_start(container), 9200)}"


def _opensearch() -> str:
    # testcontainers' OpenSearchContainer needs opensearch-py; a plain container does not.
    from testcontainers.core.container import DockerContainer  # noqa: PLC0415

    container = (
        DockerContainer(_image("opensearch", "opensearchproject/opensearch:2.19.1"))
        .with_env("discovery.type", "single-node")
        .with_env("DISABLE_SECURITY_PLUGIN", "true")
        .with_env("DISABLE_INSTALL_DEMO_CONFIG", "true")
        .with_env("OPENSEARCH_JAVA_OPTS", "-Xms512m -Xmx512m")
        .with_exposed_ports(9200)
    )
    url = f"http://{_address(_start(container), 9200)}"
    _wait_http(url)
    return url


def _kafka() -> str:
    with _quiet_import():
        from testcontainers.kafka import KafkaContainer  # noqa: PLC0415

    container = _start(KafkaContainer(_image("kafka", "confluentinc/cp-kafka:7.6.0")))
    return f"kafka://{container.get_bootstrap_server()}"


def _stripe() -> str:
    from testcontainers.core.container import DockerContainer  # noqa: PLC0415

    container = DockerContainer(_image("stripe", "stripe/stripe-mock:latest"))
    url = f"http://{_address(_start(container.with_exposed_ports(12111)), 12111)}"
    _wait_http(f"{url}/v1/customers")  # 401 without a key: up
    return url


_STARTERS: Final[dict[str, Callable[[], str]]] = {
    "postgres": _postgres,
    "redis": _redis,
    "mongo": _mongo,
    "elasticsearch": _elasticsearch,
    "opensearch": _opensearch,
    "kafka": _kafka,
    "stripe": _stripe,
}
