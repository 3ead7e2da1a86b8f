"""The relevance set runs on every index of the search contract (its ``index`` fixture)."""

from tests.contract.test_search_index import index  # noqa: F401 - the fixture, re-exported
