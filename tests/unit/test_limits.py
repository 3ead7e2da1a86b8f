"""The shop's own limits, for every caller (library, CLI, HTTP) and on every backend: ids and
pages in range, money at the currency's precision and within the stores' NUMERIC(19, 4),
text fields bounded with no control characters, tokens with a sane subject and issue time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import jwt
import pytest

from commerce_adapters.security.tokens import JwtTokens
from commerce_core.accounts.ports import TokenClaims
from commerce_core.address import Address
from commerce_core.catalog.service import VariantSpec
from commerce_core.clock import ManualClock
from commerce_core.errors import Unauthenticated, ValidationError
from commerce_core.facade import Commerce
from commerce_core.money import MAX_AMOUNT, Money, exact_amount
from commerce_core.pagination import MAX_PAGE, Page, PageRequest
from commerce_core.validation import MAX_ID, identifier, text
from tests.conftest import ADMIN, CUSTOMER, HOME, SECRET, SELLER, add_product, buy, register


def field_of(excinfo: pytest.ExceptionInfo[ValidationError]) -> set[str]:
    return set(excinfo.value.details)


# money ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(("value", "currency"), [
    ("10.001", "USD"), (Decimal("10.001"), "USD"), ("5.5", "JPY"), ("1.0001", "KWD"),
    (" 5", "USD"), ("5 ", "USD"), ("1e3", "USD"), (Decimal("1E+2"), "USD"), ("NaN", "USD"),
    ("Infinity", "USD"), ("+5", "USD"), ("1_000", "USD"), ("", "USD"), (5.0, "USD"),
    (True, "USD"), (str(MAX_AMOUNT), "USD"), (-MAX_AMOUNT, "USD")])
def test_an_exact_amount_is_refused_not_rounded(value: object, currency: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        exact_amount(value, currency, "price")
    assert field_of(excinfo) == {"price"}


@pytest.mark.parametrize(("value", "currency", "expected"), [
    ("10.10", "USD", "10.10"), ("10.100", "USD", "10.10"), (7, "JPY", "7"),
    ("1.234", "KWD", "1.234"), (Decimal("99999999999999.99"), "USD", "99999999999999.99"),
    ("-0.5", "USD", "-0.50")])
def test_an_exact_amount_within_the_rules_is_kept(value: object, currency: str,
                                                  expected: str) -> None:
    assert Money.exact(value, currency).amount == Decimal(expected)


def test_money_beyond_what_the_stores_hold_is_refused() -> None:
    for huge in (MAX_AMOUNT, Decimal("1e300"), -MAX_AMOUNT):
        with pytest.raises(ValidationError):
            Money(huge, "USD")
    assert Money(MAX_AMOUNT - 1, "USD").amount == MAX_AMOUNT - 1


@pytest.mark.parametrize("price", ["10.001", " 5", "1e20", "100000000000000000000",
                                   Decimal("1e309"), "100000000000.01"])
def test_a_price_is_refused_on_create_add_and_set(shop: Commerce, category: int,
                                                  price: object) -> None:
    product = add_product(shop, category, "Lamp", ["20.00"])
    with pytest.raises(ValidationError) as excinfo:
        shop.catalog.create_product(SELLER, name="Rug", category_id=category,
                                    variants=[VariantSpec("RUG-1", price)])  # type: ignore[arg-type]
    assert field_of(excinfo) == {"price"}
    with pytest.raises(ValidationError) as excinfo:
        shop.catalog.add_variant(SELLER, product.id, VariantSpec("L-2", price))  # type: ignore[arg-type]
    assert field_of(excinfo) == {"price"}
    with pytest.raises(ValidationError) as excinfo:
        shop.catalog.set_price(SELLER, product.variants[0].id, price)  # type: ignore[arg-type]
    assert field_of(excinfo) == {"price"}
    detail = shop.catalog.product_detail(product.id)
    assert [v.price.amount for v in detail.product.variants] == [Decimal("20.00")]
    assert len(shop.catalog.seller_products(SELLER).items) == 1


def test_the_largest_price_round_trips_exactly(shop: Commerce, category: int) -> None:
    product = add_product(shop, category, "Yacht", ["100000000000.00"])
    stored = shop.catalog.product_detail(product.id).product.variants[0].price
    assert stored.amount == Decimal("100000000000.00")


# ids and pages --------------------------------------------------------------------------------
def test_ids_are_1_to_2_63_minus_1() -> None:
    assert identifier("product_id", MAX_ID) == MAX_ID
    for bad in (0, -1, MAX_ID + 1, 10**30, True, "1"):
        with pytest.raises(ValidationError) as excinfo:
            identifier("product_id", bad)
        assert field_of(excinfo) == {"product_id"}


def test_an_out_of_range_category_is_refused_on_update(shop: Commerce, category: int) -> None:
    product = add_product(shop, category, "Lamp")
    for bad in (10**30, MAX_ID + 1, 0):
        with pytest.raises(ValidationError) as excinfo:
            shop.catalog.update_product(SELLER, product.id, category_id=bad)
        assert "category_id" in field_of(excinfo)
    assert shop.catalog.get_product(product.id).category_id == category


def test_a_change_named_like_an_argument_is_refused_by_name(shop: Commerce,
                                                             category: int) -> None:
    product = add_product(shop, category, "Lamp")
    for name in ("product_id", "actor"):
        with pytest.raises(ValidationError) as excinfo:
            shop.catalog.update_product(SELLER, product.id, **{name: 1})
        assert field_of(excinfo) == {name}


def test_every_listing_bounds_its_page(shop: Commerce, category: int) -> None:
    assert PageRequest(MAX_PAGE, 100).offset == (MAX_PAGE - 1) * 100
    listings: list[Callable[[int], Page[Any]]] = [
        lambda page: shop.catalog.list_products(page=page),
        lambda page: shop.catalog.seller_products(SELLER, page=page),
        lambda page: shop.orders.history(CUSTOMER, page=page),
        lambda page: shop.wishlist.items(CUSTOMER, page, 20),
        lambda page: shop.accounts.find_users(ADMIN, page=page),
        lambda page: shop.notifications.inbox(CUSTOMER, False, page, 20),
        lambda page: shop.fraud.queue(ADMIN, "HELD", page, 20),
    ]
    for listing in listings:
        assert listing(MAX_PAGE).items == []
        for bad in (MAX_PAGE + 1, 10**30, 0):
            with pytest.raises(ValidationError) as excinfo:
                listing(bad)
            assert field_of(excinfo) == {"page"}


# text -----------------------------------------------------------------------------------------
BAD = ["a\x00b", "a\x01b", "a\x1bb", "a\x7fb", "a\ud800b", "a\udfffb"]


@pytest.mark.parametrize("bad", BAD)
def test_forbidden_characters_are_refused(bad: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        text("name", bad, 100)
    assert field_of(excinfo) == {"name"}
    with pytest.raises(ValidationError):
        text("comment", bad, 100, multiline=True)


def test_tab_and_newlines_only_where_text_allows_them() -> None:
    assert text("comment", "one\n\ttwo\r\n", 100, multiline=True) == "one\n\ttwo\r\n"
    with pytest.raises(ValidationError):
        text("name", "one\ntwo", 100)
    assert text("name", "Zoë 🙂 naïve", 100) == "Zoë 🙂 naïve"  # any real character is fine


@pytest.mark.parametrize("bad", ["a\x00b", "a\ud800b", "a\x1bb"])
def test_text_fields_refuse_control_characters_on_every_backend(
        shop: Commerce, category: int, bad: str) -> None:
    product = add_product(shop, category, "Lamp")
    with pytest.raises(ValidationError):
        shop.catalog.create_product(SELLER, name=bad, category_id=category,
                                    variants=[VariantSpec("X-1", "5.00")])
    for change in ({"name": bad}, {"description": bad}, {"tags": [bad]},
                   {"attributes": {"colour": bad}}, {"images": [bad]}):
        with pytest.raises(ValidationError):
            shop.catalog.update_product(SELLER, product.id, **change)
    with pytest.raises(ValidationError):
        shop.catalog.create_category(ADMIN, bad)
    user = register(shop, "ann@example.com")
    with pytest.raises(ValidationError):
        shop.accounts.update_profile(user, name=bad)
    with pytest.raises(ValidationError):
        shop.accounts.register(f"e{bad}@example.com", "correct-horse-42", "Eve")
    with pytest.raises(ValidationError):
        shop.accounts.add_address(user, Address(f"1 {bad} St", "Springfield", "1", "US"))
    assert shop.catalog.get_product(product.id).name == "Lamp"
    assert shop.accounts.profile(user).name == "Pat Doe"
    assert shop.accounts.addresses(user) == []


def test_lengths_hold_on_create_and_update_alike(shop: Commerce, category: int) -> None:
    product = add_product(shop, category, "Lamp")
    with pytest.raises(ValidationError) as excinfo:
        shop.catalog.create_product(SELLER, name="Rug", category_id=category,
                                    variants=[VariantSpec("R-1", "5.00")],
                                    description="x" * 20_001)
    assert field_of(excinfo) == {"description"}
    for change, field in (({"description": "x" * 300_000}, "description"),
                          ({"name": "x" * 256}, "name"), ({"tags": ["t"] * 51}, "tags"),
                          ({"images": ["x" * 501]}, "images")):
        with pytest.raises(ValidationError) as excinfo:
            shop.catalog.update_product(SELLER, product.id, **change)
        assert field_of(excinfo) == {field}
    assert shop.catalog.get_product(product.id).description == ""
    user = register(shop, "ann@example.com")
    for line in ({"line1": "x" * 100_000}, {"line2": "x" * 201}, {"city": "x" * 101},
                 {"postal_code": "x" * 21}, {"name": "x" * 201}):
        with pytest.raises(ValidationError) as excinfo:
            shop.accounts.add_address(user, Address(**{
                "line1": "1 Main St", "city": "Springfield", "postal_code": "1",
                "country": "US", **line}))
        assert field_of(excinfo) == set(line)
    saved = shop.accounts.add_address(user, HOME)
    with pytest.raises(ValidationError) as excinfo:
        shop.accounts.update_address(user, saved.id, label="x" * 101)
    assert field_of(excinfo) == {"label"}
    assert shop.accounts.addresses(user)[0].label == ""


def test_reviews_and_stores_refuse_control_characters(shop: Commerce, category: int) -> None:
    product = add_product(shop, category, "Lamp")
    buy(shop, product.id)
    with pytest.raises(ValidationError) as excinfo:
        shop.reviews.write(CUSTOMER, product.id, 5, "Great\x00", "")
    assert field_of(excinfo) == {"title"}
    seller = register(shop, "lamps@example.com", role="seller")
    with pytest.raises(ValidationError) as excinfo:
        shop.sellers.create_profile(seller, "Lamps", "x\x00")
    assert field_of(excinfo) == {"description"}


# tokens ---------------------------------------------------------------------------------------
def _forged(clock: ManualClock, **changes: object) -> str:
    now = clock.now()
    claims = {"sub": "7", "role": "customer", "jti": "j", "gen": 0, "iss": "commerce-sdk",
              "iat": int(now.timestamp()), "exp": int((now + timedelta(hours=1)).timestamp()),
              **changes}
    return jwt.encode(claims, SECRET, algorithm="HS256")


@pytest.mark.parametrize("changes", [
    {"sub": str(10**30)}, {"sub": str(MAX_ID + 1)}, {"sub": "0"}, {"sub": "-1"},
    {"iat": 10**30}, {"exp": 10**30}, {"iat": "soon"}])
def test_a_token_out_of_range_is_unauthenticated(clock: ManualClock,
                                                 changes: dict[str, object]) -> None:
    tokens = JwtTokens(SECRET, clock=clock)
    assert tokens.verify(_forged(clock)).user_id == 7
    with pytest.raises(Unauthenticated):
        tokens.verify(_forged(clock, **changes))


def test_a_token_issued_in_the_future_is_unauthenticated(clock: ManualClock) -> None:
    tokens = JwtTokens(SECRET, clock=clock)
    later = clock.now() + timedelta(days=30)
    with pytest.raises(Unauthenticated):
        tokens.verify(_forged(clock, iat=int(later.timestamp()),
                              exp=int((later + timedelta(hours=1)).timestamp())))
    skewed = clock.now() + timedelta(seconds=30)  # a server clock slightly ahead is fine
    assert tokens.verify(_forged(clock, iat=int(skewed.timestamp()))).user_id == 7
    issued = tokens.issue(TokenClaims(7, tokens.verify(_forged(clock)).role, "k",
                                      clock.now(), clock.now() + timedelta(hours=1), 0))
    assert tokens.verify(issued).user_id == 7


def test_a_huge_subject_never_reaches_the_store(shop: Commerce, clock: ManualClock) -> None:
    with pytest.raises(Unauthenticated):
        shop.accounts.authenticate(_forged(clock, sub=str(10**30)))
