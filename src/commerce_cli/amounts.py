"""Amounts on the command line: read as exact Decimals (never floats); how many decimals a
price may have is the core's rule, so ``10.001`` is refused there with the field named."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

import typer


def amount(text: str) -> Decimal:
    try:
        return Decimal(text.strip())
    except InvalidOperation:
        raise typer.BadParameter(f"{text!r} is not a decimal amount like 12.50") from None
