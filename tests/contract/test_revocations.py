"""Contract of the RevokedTokens port (accounts/ports.py): a store outside any unit of work."""

from __future__ import annotations

from datetime import timedelta

from tests.contract.conftest import Backend


def test_revoked_tokens_are_kept_until_they_expire(backend_or_redis: Backend) -> None:
    backend = backend_or_redis
    now = backend.clock.now()
    tokens = backend.storage.revocations
    tokens.revoke("old", now - timedelta(minutes=1))
    tokens.revoke("live", now + timedelta(hours=1))
    assert tokens.is_revoked("old") and not tokens.is_revoked("other")
    assert tokens.purge(now) == 1
    assert not tokens.is_revoked("old") and tokens.is_revoked("live")


def test_a_revocation_needs_no_commit_and_no_unit_of_work_undoes_it(
        backend_or_redis: Backend) -> None:
    backend = backend_or_redis
    now = backend.clock.now()
    backend.storage.revocations.revoke("jti", now + timedelta(hours=1))
    with backend.storage.uow_factory() as uow:  # a unit of work rolled back leaves it alone
        uow.rollback()
    assert backend.storage.revocations.is_revoked("jti")
    with backend.storage.uow_factory(read_only=True):
        assert backend.storage.revocations.is_revoked("jti")  # seen while one is open


def test_revoking_twice_is_harmless(backend_or_redis: Backend) -> None:
    backend = backend_or_redis
    expires = backend.clock.now() + timedelta(hours=1)
    tokens = backend.storage.revocations
    tokens.revoke("jti", expires)
    tokens.revoke("jti", expires)
    assert tokens.is_revoked("jti")
    assert tokens.purge(expires + timedelta(seconds=1)) == 1  # one revocation, not two
    assert not tokens.is_revoked("jti")


def test_purge_drops_only_what_expired_before_the_moment(backend_or_redis: Backend) -> None:
    backend = backend_or_redis
    now = backend.clock.now()
    tokens = backend.storage.revocations
    assert tokens.purge(now) == 0  # nothing to drop
    tokens.revoke("a", now - timedelta(hours=2))
    tokens.revoke("b", now - timedelta(hours=1))
    tokens.revoke("edge", now)  # expiring at the very moment is not before it
    tokens.revoke("c", now + timedelta(hours=1))
    assert tokens.purge(now) == 2
    assert [t for t in ("a", "b", "edge", "c") if tokens.is_revoked(t)] == ["edge", "c"]
    assert tokens.purge(now) == 0  # already gone
    assert tokens.purge(now + timedelta(hours=2)) == 2
    assert not tokens.is_revoked("edge") and not tokens.is_revoked("c")


def test_the_first_revocation_of_a_token_sets_how_long_it_is_kept(
        backend_or_redis: Backend) -> None:
    backend = backend_or_redis
    now = backend.clock.now()
    tokens = backend.storage.revocations
    tokens.revoke("jti", now + timedelta(minutes=5))
    tokens.revoke("jti", now + timedelta(hours=5))  # a later expiry does not extend it
    assert tokens.purge(now + timedelta(minutes=10)) == 1
    assert not tokens.is_revoked("jti")
