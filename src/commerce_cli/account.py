"""``commerce login`` / ``logout`` / ``whoami`` / ``password``: the remote mode's sign-in."""

from __future__ import annotations

from typing import Annotated

import typer

from commerce_cli import credentials
from commerce_cli.errors import Usage, domain_errors
from commerce_cli.target import target
from commerce_http.api import accounts
from commerce_http.client import ApiClient


def _api(ctx: typer.Context) -> str:
    api = target(ctx).api
    if not api:
        raise Usage("say which shop: commerce --api URL login")
    return api


def login(ctx: typer.Context, email: Annotated[str, typer.Option(prompt=True)],
          password: Annotated[str, typer.Option(
              prompt=True, hide_input=True, envvar="COMMERCE_PASSWORD",
              help="Asked for when not given; never echoed.")]) -> None:
    """Sign in to the shop at --api; the token is kept (0600) for the next commands."""
    api = _api(ctx)
    with domain_errors(), ApiClient(api) as client:
        token = client.login(email, password)
        where = credentials.save(api, email.strip().lower(), token)
    typer.echo(f"signed in to {api} as {email.strip().lower()} (token kept in {where})")


def logout(ctx: typer.Context) -> None:
    """Revoke the token of --api and forget it."""
    api = _api(ctx)
    token = credentials.token_for(api)
    if token is None:
        typer.echo(f"not signed in to {api}")
        return
    with domain_errors(), ApiClient(api, token) as client:
        try:
            client.logout()
        finally:
            credentials.forget(api)
    typer.echo(f"signed out of {api}")


def whoami(ctx: typer.Context) -> None:
    """The account the stored token of --api signs in as."""
    with domain_errors():
        me = target(ctx).client().me()
    typer.echo(f"{me['email']} ({me['role']}, {me['user_id']})")


def password(ctx: typer.Context,
             current: Annotated[str, typer.Option(
                 prompt="Current password", hide_input=True, envvar="COMMERCE_PASSWORD",
                 help="Asked for when not given; never echoed.")],
             new: Annotated[str, typer.Option(
                 prompt="New password", hide_input=True, confirmation_prompt=True,
                 envvar="COMMERCE_NEW_PASSWORD",
                 help="At least 8 characters; a passphrase is welcome.")]) -> None:
    """Change the password of the account signed in to --api. Every other session of it
    ends; this one is kept signed in with a new token."""
    api = _api(ctx)
    with domain_errors():
        client = target(ctx).client()
        session = client.call(accounts.change_password, body=accounts.PasswordChange(
            current_password=current, new_password=new))
        credentials.save(api, session.user.email, session.access_token)
    typer.echo(f"password changed for {session.user.email}; other sessions are signed out")
