"""Accounts: sign-up rules, sign-in, tokens that stop working, the address book."""

from __future__ import annotations

import logging
from datetime import timedelta

import jwt
import pytest

import tests.conftest
from commerce_adapters.fake.payments import FakeGateway
from commerce_adapters.security.passwords import Argon2Hasher
from commerce_adapters.security.tokens import JwtTokens
from commerce_core.accounts.policy import Actor, Role
from commerce_core.address import Address
from commerce_core.clock import ManualClock
from commerce_core.errors import Conflict, Forbidden, NotFound, Unauthenticated, ValidationError
from commerce_core.facade import Commerce
from tests.conftest import ADMIN, HOME, SECRET, make_shop, register

PASSWORD = "correct-horse-42"


def test_register_normalises_email_and_refuses_duplicates(shop: Commerce) -> None:
    user = shop.accounts.register("  Ann.Lee@Example.COM ", PASSWORD, "Ann Lee")
    assert user.email == "ann.lee@example.com" and user.role is Role.CUSTOMER
    with pytest.raises(Conflict):
        shop.accounts.register("ann.lee@example.com", PASSWORD, "Other Ann")
    with pytest.raises(ValidationError):
        shop.accounts.register("not-an-email", PASSWORD, "Nobody")
    with pytest.raises(ValidationError):  # admins are not self-service
        shop.accounts.register("boss@example.com", PASSWORD, "Boss", role="admin")


@pytest.mark.parametrize(("password", "problem"), [
    ("short-7", "8 to 256 characters"), ("x" * 257, "8 to 256 characters"),
    ("12345678", "too common"), ("PassWord", "too common"), ("qwertyuiop", "too common"),
    ("iloveyou", "too common"), ("Trustno1", "too common"),
    ("annabelle@example.com", "email"), ("ANNABELLE", "email"),
    (" AnnaBelle@Example.com", "email")])
def test_password_policy_refuses(shop: Commerce, password: str, problem: str) -> None:
    with pytest.raises(ValidationError) as err:
        shop.accounts.register("annabelle@example.com", password, "Ann")
    assert set(err.value.details) == {"password"} and problem in err.value.message
    message = err.value.message.removeprefix("password does not meet the policy")
    assert password.strip() not in message and password not in str(err.value.details["password"])
    assert shop.accounts.find_users(ADMIN).total_count == 0


@pytest.mark.parametrize("password", [
    "correct horse battery",    # no composition rules: spaces, no digit, no capital
    "zqxwvmtk",                 # the shortest allowed, on no list
    "ŝerci ĉiam é 水",          # any Unicode
    "a passphrase of sixty-four characters and more is welcome here!!" * 3,
    "x" * 256,
    "annlee-rocks-1",           # holds the email's local part without being it
])
def test_password_policy_accepts(shop: Commerce, password: str) -> None:
    user = shop.accounts.register("annlee@example.com", password)
    assert shop.accounts.login("annlee@example.com", password).user.id == user.id


def test_the_common_list_ships_with_the_package_and_loads_once() -> None:
    from commerce_core.accounts import passwords  # noqa: PLC0415

    passwords.common_passwords.cache_clear()
    listed = passwords.common_passwords()
    assert passwords.common_passwords() is listed
    assert passwords.common_passwords.cache_info().misses == 1
    assert 10_000 <= len(listed) <= 100_000
    assert {"password", "baseball", "trustno1"} <= listed
    assert all(len(p) >= passwords.MIN_PASSWORD and p == p.casefold() for p in listed)


def test_email_and_password_are_enough_to_register(shop: Commerce) -> None:
    user = shop.accounts.register("kim@example.com", "correct horse battery")
    assert (user.name, user.first_name, user.last_name) == ("", "", "")
    assert user.display_name == ""
    named = shop.accounts.register("lee@example.com", PASSWORD, first_name=" Lee ",
                                   last_name="Chen")
    with shop.tx.read() as uow:
        stored = uow.users.get(named.id)
    assert (stored.first_name, stored.last_name, stored.display_name) == ("Lee", "Chen",
                                                                          "Lee Chen")
    kim = shop.accounts.authenticate(shop.accounts.login("kim@example.com",
                                                         "correct horse battery").token)
    changed = shop.accounts.update_profile(kim, first_name="Kim", last_name="Park")
    assert shop.accounts.profile(kim).display_name == changed.display_name == "Kim Park"
    with pytest.raises(ValidationError) as err:
        shop.accounts.update_profile(kim, last_name="x" * 101)
    assert "last_name" in err.value.details


def test_password_is_never_stored_or_logged_in_clear(shop: Commerce,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    user = shop.accounts.register("ann@example.com", PASSWORD, "Ann")
    session = shop.accounts.login("ann@example.com", PASSWORD)
    with pytest.raises(Unauthenticated):
        shop.accounts.login("ann@example.com", PASSWORD + "x")
    with shop.tx.read() as uow:
        stored = uow.users.get(user.id)
    assert stored.password_hash.startswith("$argon2id$") and PASSWORD not in stored.password_hash
    for text in (repr(stored), repr(session), repr(user), caplog.text):
        assert PASSWORD not in text
    # out of the repr too (tests/http/test_api_basics.py checks the profile response)
    assert stored.password_hash not in repr(stored) and "password_hash" not in repr(user)


def test_login_issues_a_token_for_the_account(shop: Commerce) -> None:
    shop.accounts.register("sam@example.com", PASSWORD, "Sam", role="seller")
    session = shop.accounts.login("SAM@example.com", PASSWORD)
    actor = shop.accounts.authenticate(session.token)
    assert actor == Actor(session.user.id, Role.SELLER)
    with pytest.raises(Unauthenticated, match="invalid email or password"):
        shop.accounts.login("nobody@example.com", PASSWORD)
    with pytest.raises(Unauthenticated, match="invalid email or password"):
        shop.accounts.login("sam@example.com", "wrong-password-1")


def test_logout_revokes_only_that_token(shop: Commerce) -> None:
    shop.accounts.register("ann@example.com", PASSWORD, "Ann")
    phone = shop.accounts.login("ann@example.com", PASSWORD).token
    laptop = shop.accounts.login("ann@example.com", PASSWORD).token
    shop.accounts.logout(phone)
    with pytest.raises(Unauthenticated, match="signed out"):
        shop.accounts.authenticate(phone)
    assert shop.accounts.authenticate(laptop).role is Role.CUSTOMER


def test_a_deactivated_user_cannot_log_in_nor_use_old_tokens(shop: Commerce) -> None:
    actor = register(shop, "ann@example.com")
    old = shop.accounts.login("ann@example.com", PASSWORD).token
    shop.accounts.deactivate(ADMIN, actor.user_id)
    with pytest.raises(Unauthenticated, match="deactivated"):
        shop.accounts.authenticate(old)
    with pytest.raises(Unauthenticated, match="deactivated"):
        shop.accounts.login("ann@example.com", PASSWORD)
    shop.accounts.reactivate(ADMIN, actor.user_id)
    with pytest.raises(Unauthenticated, match="no longer valid"):  # old tokens stay void
        shop.accounts.authenticate(old)
    fresh = shop.accounts.login("ann@example.com", PASSWORD).token
    assert shop.accounts.authenticate(fresh) == actor


def test_password_change_voids_every_earlier_token(shop: Commerce) -> None:
    actor = register(shop, "ann@example.com")
    old = shop.accounts.login("ann@example.com", PASSWORD).token
    with pytest.raises(Unauthenticated):
        shop.accounts.change_password(actor, "not-my-password-1", "new-horse-battery-9")
    for weak in ("weak", "baseball", "ann@example.com"):
        with pytest.raises(ValidationError) as err:
            shop.accounts.change_password(actor, PASSWORD, weak)
        assert set(err.value.details) == {"password"}
    assert shop.accounts.authenticate(old) == actor  # refusals changed nothing
    session = shop.accounts.change_password(actor, PASSWORD, "new-horse-battery-9")
    with pytest.raises(Unauthenticated):
        shop.accounts.authenticate(old)
    assert shop.accounts.authenticate(session.token) == actor
    assert shop.accounts.login("ann@example.com", "new-horse-battery-9").user.id == actor.user_id


def test_a_password_change_is_seen_by_every_worker(shop: Commerce, shop_backend: str,
                                                  clock: ManualClock) -> None:
    """Two shops on one database stand for two workers: the generation is on the account
    row, which every worker's authenticate reads (memory has one process, so one shop)."""
    other = shop if shop_backend == "memory" else make_shop(
        clock, FakeGateway(), tests.conftest.default_shop_url)
    actor = register(shop, "ann@example.com")
    tokens = [shop.accounts.login("ann@example.com", PASSWORD).token,
              other.accounts.login("ann@example.com", PASSWORD).token]
    assert [other.accounts.authenticate(t) for t in tokens] == [actor, actor]
    fresh = other.accounts.change_password(actor, PASSWORD, "correct horse battery").token
    for worker in (shop, other):
        for token in tokens:
            with pytest.raises(Unauthenticated, match="sign in again"):
                worker.accounts.authenticate(token)
        assert worker.accounts.authenticate(fresh) == actor
    with pytest.raises(Unauthenticated):
        shop.accounts.login("ann@example.com", PASSWORD)


def test_a_role_change_applies_to_tokens_at_once(shop: Commerce) -> None:
    actor = register(shop, "sam@example.com", role="seller")
    token = shop.accounts.login("sam@example.com", PASSWORD).token
    shop.accounts.change_role(ADMIN, actor.user_id, "customer")
    assert shop.accounts.authenticate(token).role is Role.CUSTOMER
    with pytest.raises(ValidationError):  # an admin cannot lock themselves out
        shop.accounts.deactivate(ADMIN, ADMIN.user_id)
    with pytest.raises(Forbidden):
        shop.accounts.change_role(actor, actor.user_id, "admin")


def test_tampered_expired_and_unsigned_tokens_are_refused(shop: Commerce,
                                                          clock: ManualClock) -> None:
    shop.accounts.register("ann@example.com", PASSWORD, "Ann")
    token = shop.accounts.login("ann@example.com", PASSWORD).token
    header, payload, signature = token.split(".")
    flipped = signature[:-2] + ("AA" if signature[-2:] != "AA" else "BB")
    claims = jwt.decode(token, options={"verify_signature": False})
    unsigned = jwt.encode({**claims, "role": "admin"}, None, algorithm="none")
    forged = jwt.encode({**claims, "role": "admin"}, "another-secret-of-32-bytes-or-more!",
                        algorithm="HS256")
    for bad in (f"{header}.{payload}.{flipped}", unsigned, forged, "garbage", ""):
        with pytest.raises(Unauthenticated):
            shop.accounts.authenticate(bad)
    clock.advance(timedelta(hours=24, seconds=1))
    with pytest.raises(Unauthenticated, match="expired"):
        shop.accounts.authenticate(token)


def test_token_secret_must_be_long_enough() -> None:
    with pytest.raises(ValueError):
        JwtTokens("short")
    assert JwtTokens(SECRET)


def test_weaker_hashes_are_upgraded_at_login(shop: Commerce) -> None:
    weak = Argon2Hasher(time_cost=1, memory_cost=512, parallelism=1)
    user = shop.accounts.register("ann@example.com", PASSWORD, "Ann")
    with shop.tx() as uow:
        stored = uow.users.get(user.id)
        stored.password_hash = weak.hash(PASSWORD)
        uow.users.update(stored)
    shop.accounts.login("ann@example.com", PASSWORD)
    with shop.tx.read() as uow:
        assert "m=1024" in uow.users.get(user.id).password_hash


def test_profile_and_admin_user_search(shop: Commerce) -> None:
    ann = register(shop, "ann@example.com", name="Ann")
    sam = register(shop, "sam@example.com", role="seller", name="Sam")
    updated = shop.accounts.update_profile(ann, name="Ann Lee", phone=" +1 555 0100 ")
    assert (updated.name, updated.phone) == ("Ann Lee", "+1 555 0100")
    with pytest.raises(NotFound):  # someone else's profile looks absent
        shop.accounts.profile(ann, sam.user_id)
    assert shop.accounts.profile(ADMIN, sam.user_id).name == "Sam"
    sellers = shop.accounts.find_users(ADMIN, role="seller")
    assert [u.id for u in sellers.items] == [sam.user_id]
    assert shop.accounts.find_users(ADMIN, email="ANN@").total_count == 1
    with pytest.raises(Forbidden):
        shop.accounts.find_users(sam)


def test_admins_create_accounts_of_any_role_that_can_sign_in(shop: Commerce) -> None:
    staff = shop.accounts.create_user(ADMIN, " Staff@Example.com", PASSWORD, "Sam", "admin")
    assert (staff.email, staff.role) == ("staff@example.com", Role.ADMIN)
    session = shop.accounts.login("staff@example.com", PASSWORD)
    assert shop.accounts.authenticate(session.token) == Actor.admin(staff.id)
    with pytest.raises(Conflict):
        shop.accounts.create_user(ADMIN, "staff@example.com", PASSWORD, "Again", "seller")
    with pytest.raises(ValidationError):
        shop.accounts.create_user(ADMIN, "x@example.com", PASSWORD, "X", "owner")
    assert shop.accounts.find_users(ADMIN, email="x@").total_count == 0


def test_admin_tools_act_as_an_active_account_only(shop: Commerce) -> None:
    sam = register(shop, "sam@example.com", role="seller")
    assert shop.accounts.act_as(ADMIN, " SAM@example.com") == sam
    assert shop.accounts.act_as(ADMIN, sam.user_id) == sam
    with pytest.raises(NotFound):
        shop.accounts.act_as(ADMIN, "nobody@example.com")
    with pytest.raises(NotFound):
        shop.accounts.act_as(ADMIN, 12345)
    shop.accounts.deactivate(ADMIN, sam.user_id)
    with pytest.raises(Forbidden):
        shop.accounts.act_as(ADMIN, sam.user_id)


def test_address_book_keeps_one_default_of_each_kind(shop: Commerce) -> None:
    ann = register(shop, "ann@example.com")
    first = shop.accounts.add_address(ann, HOME, "home")
    assert first.is_default_shipping and first.is_default_billing
    work = Address("9 Work Rd", "Chicago", "60601", "us", region="il")
    second = shop.accounts.add_address(ann, work, "work", default_shipping=True)
    assert shop.accounts.default_address(ann).id == second.id  # type: ignore[union-attr]
    assert shop.accounts.default_address(ann, billing=True).id == first.id  # type: ignore[union-attr]
    shop.accounts.delete_address(ann, second.id)
    assert shop.accounts.default_address(ann).id == first.id  # type: ignore[union-attr]
    other = register(shop, "sam@example.com")
    with pytest.raises(NotFound):
        shop.accounts.update_address(other, first.id, label="mine now")
    with pytest.raises(NotFound):
        shop.accounts.delete_address(other, first.id)
    assert [a.label for a in shop.accounts.addresses(ann)] == ["home"]
