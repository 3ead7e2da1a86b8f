"""Sign-up, sign-in and out, the caller's own profile."""

from __future__ import annotations

from typing import Literal

from commerce_core.accounts.model import User
from commerce_core.accounts.service import Session
from commerce_core.errors import ValidationError
from commerce_core.facade import Commerce
from commerce_http.contract.operation import Call, Operation
from commerce_http.contract.wire import (
    Body,
    Email,
    Id,
    Model,
    Password,
    Text40,
    Text100,
    Text200,
    Timestamp,
)


class UserOut(Model):
    user_id: Id
    email: str
    name: str | None  # the display name: given, or first and last names
    first_name: str | None
    last_name: str | None
    phone: str | None
    role: Literal["customer", "seller", "admin"]
    is_active: bool
    created_at: Timestamp


def user_out(user: User) -> UserOut:
    return UserOut(user_id=Id(user.id), email=user.email, name=user.display_name or None,
                   first_name=user.first_name or None, last_name=user.last_name or None,
                   phone=user.phone or None, role=user.role.value, is_active=user.is_active,
                   created_at=user.created_at)


class Registration(Body):
    """The seed's body: email and password; names are optional."""

    email: Email
    password: Password
    first_name: Text100 = ""
    last_name: Text100 = ""
    name: Text200 = ""  # a display name, when not first and last
    phone: Text40 = ""
    role: Literal["customer", "seller"] = "customer"


class Credentials(Body):
    email: Email
    password: Password


class SessionOut(Model):
    access_token: str
    expires_in: int
    user: UserOut
    token_type: Literal["Bearer"] = "Bearer"


class ProfileChange(Body):
    """A field left out (or null) is unchanged."""

    name: Text200 | None = None
    first_name: Text100 | None = None
    last_name: Text100 | None = None
    phone: Text40 | None = None


class PasswordChange(Body):
    current_password: Password
    new_password: Password


def _register(call: Call[object, Registration]) -> UserOut:
    b = call.body
    return user_out(call.shop.accounts.register(b.email, b.password, b.name, b.phone,
                                                role=b.role, first_name=b.first_name,
                                                last_name=b.last_name))


def _session(shop: Commerce, session: Session) -> SessionOut:
    left = session.expires_at - shop.clock.now()
    return SessionOut(access_token=session.token, expires_in=int(left.total_seconds()),
                      user=user_out(session.user))


def _login(call: Call[object, Credentials]) -> SessionOut:
    return _session(call.shop, call.shop.accounts.login(call.body.email, call.body.password))


def _change_password(call: Call[object, PasswordChange]) -> SessionOut:
    try:
        session = call.shop.accounts.change_password(call.who(), call.body.current_password,
                                                     call.body.new_password)
    except ValidationError as ex:  # the policy names "password": here it is the new one
        if "password" not in ex.details:
            raise
        details = {k if k != "password" else "new_password": v for k, v in ex.details.items()}
        raise ValidationError(ex.message, details) from None
    return _session(call.shop, session)


def _logout(call: Call[object, None]) -> None:
    call.who()
    call.shop.accounts.logout(call.token or "")


def _me(call: Call[object, None]) -> UserOut:
    return user_out(call.shop.accounts.profile(call.who()))


def _change_me(call: Call[object, ProfileChange]) -> UserOut:
    b = call.body
    return user_out(call.shop.accounts.update_profile(
        call.who(), name=b.name, phone=b.phone, first_name=b.first_name, last_name=b.last_name))


API = "/api/v1"
register = Operation("POST", f"{API}/users/register", "register",
                     "Register a customer or seller", _register, body=Registration,
                     response=UserOut, status=201, auth=False, errors=(409,), tag="accounts")
login = Operation("POST", f"{API}/auth/login", "login", "Sign in: an access token", _login,
                  body=Credentials, response=SessionOut, auth=False, errors=(401,),
                  tag="accounts")
logout = Operation("POST", f"{API}/auth/logout", "logout", "Revoke this token", _logout,
                   status=204, tag="accounts")
me = Operation("GET", f"{API}/users/me", "get_me", "My profile", _me, response=UserOut,
               tag="accounts")
change_me = Operation("PUT", f"{API}/users/me", "change_me",
                      "Change my profile (left out or null: unchanged)", _change_me,
                      body=ProfileChange, response=UserOut, tag="accounts")

change_password = Operation(
    "POST", f"{API}/users/me/password", "change_password",
    "Change my password: every token issued before stops working; a new one is in the answer",
    _change_password, body=PasswordChange, response=SessionOut, errors=(401,), tag="accounts")

OPERATIONS = (register, login, logout, me, change_me, change_password)
