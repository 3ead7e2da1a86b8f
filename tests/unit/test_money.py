from collections.abc import Callable
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from commerce_core.errors import ValidationError
from commerce_core.money import Money, minor_exponent


def test_rounds_to_the_currency_minor_unit() -> None:
    assert Money("19.999", "USD").amount == Decimal("20.00")
    assert Money("1234.5", "JPY").amount == Decimal("1235")
    assert Money("1.2345", "KWD").amount == Decimal("1.235")
    assert minor_exponent("JPY") == 0 and minor_exponent("KWD") == 3


def test_mixing_currencies_is_an_error() -> None:
    with pytest.raises(ValidationError):
        Money("1", "USD") + Money("1", "EUR")
    with pytest.raises(ValidationError):
        _ = Money("1", "USD") < Money("1", "EUR")


@pytest.mark.parametrize("bad", [0.1, "abc", "NaN", "Infinity"])
def test_rejects_floats_and_non_numbers(bad: object) -> None:
    with pytest.raises(ValidationError):
        Money(bad, "USD")  # type: ignore[arg-type]


@pytest.mark.parametrize("code", ["usd", "US", "USDX", "12A"])
def test_rejects_bad_currency_codes(code: str) -> None:
    with pytest.raises(ValidationError):
        Money("1", code)


def test_minor_units_round_trip() -> None:
    assert Money("12.34", "USD").minor_units == 1234
    assert Money.from_minor(1234, "USD") == Money("12.34", "USD")
    assert Money.from_minor(500, "JPY").amount == Decimal(500)


def test_allocate_hands_leftover_cents_to_largest_remainders() -> None:
    parts = Money("10.00", "USD").allocate([1, 1, 1])
    assert [p.amount for p in parts] == [Decimal("3.34"), Decimal("3.33"), Decimal("3.33")]
    assert Money("0.05", "USD").allocate([0, 1]) == [Money("0", "USD"), Money("0.05", "USD")]


def test_percent_rounds_half_even() -> None:
    assert Money("0.25", "USD").percent(Decimal(10)).amount == Decimal("0.02")
    assert Money("0.35", "USD").percent(Decimal(10)).amount == Decimal("0.04")


@given(st.integers(min_value=-10**9, max_value=10**9),
       st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=30),
       st.sampled_from(["USD", "JPY", "KWD"]))
def test_allocation_never_loses_or_invents_a_unit(units: int, weights: list[int],
                                                  currency: str) -> None:
    amount = Money.from_minor(units, currency)
    parts = amount.allocate(weights)
    assert len(parts) == len(weights)
    assert sum(p.minor_units for p in parts) == units
    if sum(weights) > 0:
        for p, w in zip(parts, weights, strict=True):
            if w == 0:
                assert p.is_zero
            exact = abs(units) * w / sum(weights)
            assert abs(abs(p.minor_units) - exact) < 1  # each part within one unit of exact


@given(st.integers(1 - 10**15, 10**15 - 1), st.integers(1 - 10**15, 10**15 - 1),
       st.sampled_from(["USD", "JPY", "KWD"]))
def test_arithmetic_equals_building_the_result_afresh(a: int, b: int, currency: str) -> None:
    """Sums, differences and negations are what the constructor would make of the raw
    amount: same value, same precision, and refused past what the stores hold."""
    x, y = Money.from_minor(a, currency), Money.from_minor(b, currency)
    cases: list[tuple[Decimal, Callable[[], Money]]] = [
        (x.amount + y.amount, lambda: x + y), (x.amount - y.amount, lambda: x - y),
        (-x.amount, lambda: -x)]
    for raw, made in cases:
        try:
            expected = Money(raw, currency)
        except ValidationError:
            with pytest.raises(ValidationError, match="out of range"):
                made()
            continue
        got = made()
        assert got == expected and str(got.amount) == str(expected.amount)
        assert got.currency == currency and hash(got) == hash(expected)
