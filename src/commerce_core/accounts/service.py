"""Account use cases: register, sign in and out, authenticate a token, profile, addresses,
and the admin's user management."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

import attrs

from commerce_core.accounts.model import SavedAddress, User, normalize_email
from commerce_core.accounts.passwords import check_password
from commerce_core.accounts.policy import Action, Actor, Role, authorize
from commerce_core.accounts.ports import (
    PasswordHasher,
    RevokedTokens,
    TokenClaims,
    TokenService,
    UserQuery,
)
from commerce_core.address import Address
from commerce_core.clock import Clock
from commerce_core.errors import (
    Conflict,
    Forbidden,
    NotFound,
    Unauthenticated,
    ValidationError,
)
from commerce_core.ids import IdGenerator
from commerce_core.pagination import Page, PageRequest
from commerce_core.uow import Transactions, UnitOfWork
from commerce_core.validation import choice, given

TOKEN_TTL = timedelta(hours=24)
SELF_SERVICE_ROLES = frozenset({Role.CUSTOMER, Role.SELLER})


@attrs.frozen
class Session:
    token: str = attrs.field(repr=False)
    expires_at: datetime
    user: User


class AccountService:
    def __init__(self, tx: Transactions, revocations: RevokedTokens, hasher: PasswordHasher,
                 tokens: TokenService, ids: IdGenerator, clock: Clock,
                 token_ttl: timedelta = TOKEN_TTL) -> None:
        self._tx = tx
        self._revocations = revocations
        self._hasher = hasher
        self._tokens = tokens
        self._ids = ids
        self._clock = clock
        self._ttl = token_ttl
        self._decoy: str | None = None

    # Sign-up, sign-in -----------------------------------------------------------------------
    def register(self, email: str, password: str, name: str = "", phone: str = "",
                 role: Role | str = Role.CUSTOMER, *, first_name: str = "",
                 last_name: str = "") -> User:
        """A new customer or seller account (admins are made by :meth:`create_admin`).

        An email and a password are enough, as in the seed; every name is optional.
        """
        role = choice(Role, role, "role")
        if role not in SELF_SERVICE_ROLES:
            raise ValidationError("only customer and seller accounts can be registered",
                                  {"role": "customer or seller"})
        return self._create(email, password, role, name=name, phone=phone,
                            first_name=first_name, last_name=last_name)

    def create_admin(self, email: str, password: str, name: str = "") -> User:
        """An admin account. Trusted: for the operator holding the database (first admin)."""
        return self._create(email, password, Role.ADMIN, name=name)

    def create_user(self, actor: Actor, email: str, password: str, name: str = "",
                    role: Role | str = Role.CUSTOMER, phone: str = "", *,
                    first_name: str = "", last_name: str = "") -> User:
        """An account of any role, made by an admin."""
        authorize(actor, Action.MANAGE_USERS)
        return self._create(email, password, choice(Role, role, "role"), name=name,
                            phone=phone, first_name=first_name, last_name=last_name)

    def ensure_admin(self, email: str, password: str, name: str = "Administrator") -> bool:
        """Make this admin when the shop has none yet (first start-up); whether it did.
        Trusted, like :meth:`create_admin`. Safe when several processes start at once."""
        with self._tx.read() as uow:
            if uow.users.find(UserQuery(role=Role.ADMIN), PageRequest(1, 1)).total_count:
                return False
        try:
            self.create_admin(email, password, name)
        except Conflict:
            return False  # another worker made it a moment ago
        return True

    def _create(self, email: str, password: str, role: Role, *, name: str = "",
                phone: str = "", first_name: str = "", last_name: str = "") -> User:
        email = normalize_email(email)
        check_password(password, email)
        now = self._clock.now()
        user = User(self._ids.next_id(), email, self._hasher.hash(password), name, role,
                    now, now, phone=(phone or "").strip(), first_name=first_name,
                    last_name=last_name)
        with self._tx() as uow:
            if uow.users.by_email(email) is not None:
                raise Conflict("an account with this email exists", {"email": "taken"})
            uow.users.add(user)
        return user

    def login(self, email: str, password: str) -> Session:
        """A signed access token; Unauthenticated for a wrong email or password or a
        deactivated account. Unknown emails cost as much time as wrong passwords."""
        try:
            email = normalize_email(email)
        except ValidationError:
            email = ""
        with self._tx.read() as uow:
            user = uow.users.by_email(email) if email else None
        if user is None:
            self._hasher.verify(self._decoy_hash(), password)
            raise Unauthenticated("invalid email or password")
        if not self._hasher.verify(user.password_hash, password):
            raise Unauthenticated("invalid email or password")
        if not user.is_active:
            raise Unauthenticated("this account is deactivated")
        if self._hasher.needs_rehash(user.password_hash):
            self._store_hash(user.id, self._hasher.hash(password))
        return self._session(user)

    def _decoy_hash(self) -> str:
        if self._decoy is None:
            self._decoy = self._hasher.hash(uuid.uuid4().hex)
        return self._decoy

    def _session(self, user: User) -> Session:
        now = self._clock.now()
        claims = TokenClaims(user.id, user.role, uuid.uuid4().hex, now, now + self._ttl,
                             user.token_generation)
        return Session(self._tokens.issue(claims), claims.expires_at, user)

    def _store_hash(self, user_id: int, hashed: str, void_tokens: bool = False) -> None:
        with self._tx() as uow:
            user = uow.users.get(user_id)
            user.password_hash = hashed
            if void_tokens:
                user.void_tokens(self._clock.now())
            uow.users.update(user)

    def authenticate(self, token: str) -> Actor:
        """The actor a token speaks for. Refuses forged, expired and revoked tokens, tokens
        of deactivated accounts and tokens issued before a password change. The role comes
        from the account, so a demotion applies at once."""
        claims = self._tokens.verify(token)
        with self._tx.read(snapshot=False) as uow:  # one record: no transaction around it
            try:
                user = uow.users.get(claims.user_id)
            except NotFound:
                raise Unauthenticated("invalid token") from None
        if self._revocations.is_revoked(claims.token_id):
            raise Unauthenticated("this token has been signed out")
        if not user.is_active:
            raise Unauthenticated("this account is deactivated")
        if claims.generation != user.token_generation:
            raise Unauthenticated("this token is no longer valid; sign in again")
        return Actor(user.id, user.role)

    def act_as(self, actor: Actor, who: int | str) -> Actor:
        """The actor an active account (an id, or its email) would sign in as: for an
        admin's tools acting on its behalf, as the operator's CLI does for sellers."""
        authorize(actor, Action.MANAGE_USERS)
        with self._tx.read() as uow:
            user = (uow.users.get(who) if isinstance(who, int)
                    else uow.users.by_email(normalize_email(who)))
        if user is None:
            raise NotFound(f"no account with email {who}", {"email": who})
        if not user.is_active:
            raise Forbidden(f"{user.email} is deactivated", {"user_id": user.id})
        return Actor(user.id, user.role)

    def logout(self, token: str) -> None:
        """Revoke one token (other sessions stay signed in)."""
        claims = self._tokens.verify(token)
        self._revocations.revoke(claims.token_id, claims.expires_at)

    def purge_revocations(self) -> int:
        return self._revocations.purge(self._clock.now())

    # Profile --------------------------------------------------------------------------------
    def profile(self, actor: Actor, user_id: int | None = None) -> User:
        user_id = actor.user_id if user_id is None else user_id
        authorize(actor, Action.MANAGE_ACCOUNT, user_id, f"user {user_id}")
        with self._tx.read() as uow:
            return uow.users.get(user_id)

    def update_profile(self, actor: Actor, *, name: str | None = None,
                       phone: str | None = None, user_id: int | None = None,
                       first_name: str | None = None, last_name: str | None = None) -> User:
        """Change the given fields (None: keep; "" clears a name)."""
        user_id = actor.user_id if user_id is None else user_id
        authorize(actor, Action.MANAGE_ACCOUNT, user_id, f"user {user_id}")
        with self._tx() as uow:
            user = attrs.evolve(uow.users.get(user_id), updated_at=self._clock.now(),
                                **given(name=name, phone=phone and phone.strip(),
                                        first_name=first_name, last_name=last_name))
            uow.users.update(user)
            return user

    def change_password(self, actor: Actor, current: str, new: str) -> Session:
        """Set a new password: the current one is required (Unauthenticated when wrong), the
        new one must meet the policy (ValidationError on ``password``). Every token issued
        before stops working on every worker at once: the account's token generation moves
        on in the database, which :meth:`authenticate` reads anyway. A fresh session back."""
        with self._tx.read() as uow:
            user = uow.users.get(actor.user_id)
        if not self._hasher.verify(user.password_hash, current):
            raise Unauthenticated("the current password is wrong")
        check_password(new, user.email)
        self._store_hash(user.id, self._hasher.hash(new), void_tokens=True)
        return self._session(self.profile(actor))

    # Address book ---------------------------------------------------------------------------
    def addresses(self, actor: Actor, user_id: int | None = None) -> Sequence[SavedAddress]:
        user_id = actor.user_id if user_id is None else user_id
        authorize(actor, Action.MANAGE_ACCOUNT, user_id, f"user {user_id}")
        with self._tx.read() as uow:
            return uow.addresses.for_user(user_id)

    def add_address(self, actor: Actor, address: Address, label: str = "", *,
                    default_shipping: bool = False, default_billing: bool = False) -> SavedAddress:
        """Save an address for the actor; the first one becomes both defaults."""
        authorize(actor, Action.MANAGE_ACCOUNT, actor.user_id)
        with self._tx() as uow:
            first = not uow.addresses.for_user(actor.user_id)
            entry = SavedAddress(self._ids.next_id(), actor.user_id, address, label.strip())
            uow.addresses.add(entry)
            self._set_defaults(uow, entry, default_shipping or first, default_billing or first)
            return uow.addresses.get(entry.id)

    def update_address(self, actor: Actor, address_id: int, *, address: Address | None = None,
                       label: str | None = None, default_shipping: bool = False,
                       default_billing: bool = False) -> SavedAddress:
        """Change an address or its label, or make it a default (defaults are only moved,
        never cleared, so a user with addresses always has both)."""
        with self._tx() as uow:
            entry = self._own_address(uow, actor, address_id)
            if address is not None:
                entry.address = address
            if label is not None:
                entry.label = label.strip()
            uow.addresses.update(entry)
            self._set_defaults(uow, entry, default_shipping, default_billing)
            return uow.addresses.get(address_id)

    def delete_address(self, actor: Actor, address_id: int) -> None:
        """Remove an address; its default roles pass to the oldest remaining address."""
        with self._tx() as uow:
            entry = self._own_address(uow, actor, address_id)
            uow.addresses.delete(address_id)
            rest = uow.addresses.for_user(entry.user_id)
            if rest:
                self._set_defaults(uow, rest[0], entry.is_default_shipping,
                                   entry.is_default_billing)

    def default_address(self, actor: Actor, billing: bool = False) -> SavedAddress | None:
        for entry in self.addresses(actor):
            if (entry.is_default_billing if billing else entry.is_default_shipping):
                return entry
        return None

    def _own_address(self, uow: UnitOfWork, actor: Actor, address_id: int) -> SavedAddress:
        try:
            entry = uow.addresses.get(address_id)
        except NotFound:
            raise NotFound(f"address {address_id} not found") from None
        authorize(actor, Action.MANAGE_ACCOUNT, entry.user_id, f"address {address_id}")
        return entry

    @staticmethod
    def _set_defaults(uow: UnitOfWork, chosen: SavedAddress, shipping: bool,
                      billing: bool) -> None:
        if not (shipping or billing):
            return
        for entry in uow.addresses.for_user(chosen.user_id):
            is_chosen = entry.id == chosen.id
            if shipping:
                entry.is_default_shipping = is_chosen
            if billing:
                entry.is_default_billing = is_chosen
            uow.addresses.update(entry)

    # Admin: user management -----------------------------------------------------------------
    def find_users(self, actor: Actor, *, email: str | None = None,
                   role: Role | str | None = None, is_active: bool | None = None,
                   page: int = 1, limit: int = 20) -> Page[User]:
        authorize(actor, Action.MANAGE_USERS)
        query = UserQuery((email or "").strip().lower() or None,
                          choice(Role, role, "role") if role else None, is_active)
        with self._tx.read() as uow:
            return uow.users.find(query, PageRequest(page, limit))

    def deactivate(self, actor: Actor, user_id: int) -> User:
        """Block sign-in and void every token the user holds."""
        return self._admin_change(actor, user_id, is_active=False)

    def reactivate(self, actor: Actor, user_id: int) -> User:
        """Allow sign-in again; tokens from before the deactivation stay void."""
        return self._admin_change(actor, user_id, is_active=True)

    def set_active(self, actor: Actor, user_id: int, active: bool) -> User:
        """:meth:`reactivate` or :meth:`deactivate`, as ``active`` says."""
        return self._admin_change(actor, user_id, is_active=active)

    def change_role(self, actor: Actor, user_id: int, role: Role | str) -> User:
        return self._admin_change(actor, user_id, role=choice(Role, role, "role"))

    def _admin_change(self, actor: Actor, user_id: int, *, is_active: bool | None = None,
                      role: Role | None = None) -> User:
        authorize(actor, Action.MANAGE_USERS)
        if user_id == actor.user_id:
            raise ValidationError("admins cannot deactivate or demote themselves",
                                  {"user_id": "yourself"})
        now = self._clock.now()
        with self._tx() as uow:
            user = uow.users.get(user_id)
            if is_active is not None and is_active != user.is_active:
                user.is_active = is_active
                user.void_tokens(now)
            if role is not None:
                user.role = role
            user.updated_at = now
            uow.users.update(user)
            return user
