"""Real servers for whole-flow tests: PostgreSQL from COMMERCE_TEST_POSTGRES_URL."""

from __future__ import annotations

import os

import pytest

from tests.sql_servers import fresh_postgres


@pytest.fixture
def postgres_url() -> str:
    url = os.environ.get("COMMERCE_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("COMMERCE_TEST_POSTGRES_URL is not set (and no Docker engine here)")
    return fresh_postgres(url)
