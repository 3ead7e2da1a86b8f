
import pytest

from commerce_core.errors import Unavailable
from commerce_core.ids import SnowflakeIds, format_order_number, node_of, timestamp_of
from tests.concurrency import run_together


def test_ids_are_unique_increasing_and_positive_across_threads() -> None:
    gen = SnowflakeIds(node=7)
    out: list[list[int]] = []

    def mint() -> None:
        out.append([gen.next_id() for _ in range(5000)])

    assert run_together([mint] * 4) == []
    every = [i for chunk in out for i in chunk]
    assert len(set(every)) == 20000
    assert all(0 < i < 2**63 for i in every)
    for chunk in out:
        assert chunk == sorted(chunk)


def test_ids_survive_a_clock_stepping_back() -> None:
    times = iter([2_000_000_000_000, 1_999_999_999_000, 1_999_999_999_000])
    gen = SnowflakeIds(node=1, now_ms=lambda: next(times))
    a, b, c = gen.next_id(), gen.next_id(), gen.next_id()
    assert a < b < c


def test_two_nodes_never_collide_in_the_same_millisecond() -> None:
    a = SnowflakeIds(node=1, now_ms=lambda: 1_800_000_000_000)
    b = SnowflakeIds(node=2, now_ms=lambda: 1_800_000_000_000)
    assert not {a.next_id() for _ in range(100)} & {b.next_id() for _ in range(100)}
    assert abs(timestamp_of(a.next_id()) - 1_800_000_000) < 1


def test_order_numbers() -> None:
    assert format_order_number(2026, 42) == "ORD-2026-000042"
    assert format_order_number(2026, 1_234_567) == "ORD-2026-1234567"
    with pytest.raises(ValueError):
        format_order_number(2026, 0)


def test_the_node_is_in_every_id() -> None:
    gen = SnowflakeIds(node=1023)
    assert gen.node == 1023 and node_of(gen.next_id()) == 1023


def test_no_id_is_minted_on_a_node_no_longer_held() -> None:
    held = [True]
    gen = SnowflakeIds(node=5, holds_node=lambda: held[0])
    gen.next_id()
    held[0] = False
    with pytest.raises(Unavailable, match="no longer leased"):
        gen.next_id()
    held[0] = True
    gen.next_id()
