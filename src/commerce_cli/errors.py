"""One way to fail: a domain error is one red line on stderr and exit code 1; a command line
that cannot work (``Usage``) is one line and exit code 2, as Typer's own usage errors are."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from commerce_core.errors import CommerceError

T = TypeVar("T")
err = Console(stderr=True)


class Usage(typer.BadParameter):
    """The options given cannot work together (found after parsing, so Typer could not
    tell): reported by Typer like its own usage errors, with exit code 2."""


@contextmanager
def domain_errors() -> Iterator[None]:
    """Turn a CommerceError (or a bad setting) into one line and exit code 1."""
    try:
        yield
    except CommerceError as ex:
        err.print(f"[red]error:[/red] {escape(ex.message)} ({ex.code})", highlight=False,
                  soft_wrap=True)
        raise typer.Exit(code=1) from None
    except (ValueError, ImportError) as ex:
        err.print(f"[red]error:[/red] {escape(str(ex))}", highlight=False, soft_wrap=True)
        raise typer.Exit(code=1) from None


def run(action: Callable[[], T]) -> T:
    with domain_errors():
        return action()
