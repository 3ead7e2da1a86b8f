"""``commerce admin coupons`` (every coupon) and ``commerce seller coupons`` (my own):
create, list, disable, enable and count the use of coupons, through the declared operations."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Annotated

import typer

from commerce_cli.amounts import amount
from commerce_cli.errors import domain_errors
from commerce_cli.output import Json, emit, emit_record, group
from commerce_cli.target import Shop, target
from commerce_http.api import coupons as api
from commerce_http.contract.wire import AmountIn, to_builtins

COLUMNS = ["code", "kind", "value", "currency", "seller_id", "is_active", "times_used",
           "max_uses"]


def commands(who: Callable[[typer.Context], Shop], help_text: str) -> typer.Typer:
    """The coupon commands acting as ``who`` (the admin, or the seller)."""
    app = group(help_text)

    @app.command("list")
    def list_coupons(ctx: typer.Context, page: Annotated[int, typer.Option(min=1)] = 1,
                     limit: Annotated[int, typer.Option(min=1, max=100)] = 50,
                     json_out: Json = False) -> None:
        """Coupons, newest first."""
        with domain_errors():
            found = who(ctx).call(api.list_coupons, query=api.CouponQuery(page=page,
                                                                          limit=limit))
        emit(to_builtins(found.coupons), COLUMNS, json_out, f"{found.total_count} coupons")

    @app.command("create")
    def create(ctx: typer.Context, code: str,
               kind: Annotated[str, typer.Option(help="percent, fixed or free_shipping.")],
               value: Annotated[Decimal | None, typer.Option(
                   parser=amount, help="The percent, or the amount off.")] = None,
               currency: Annotated[str | None, typer.Option(help="For fixed: USD...")] = None,
               max_uses: Annotated[int | None, typer.Option(min=1)] = None,
               per_user: Annotated[int | None, typer.Option(min=1)] = None) -> None:
        """Create a coupon (a seller's applies to their own products)."""
        with domain_errors():
            made = who(ctx).call(api.create_coupon, body=api.NewCoupon(
                code=code, kind=kind,  # type: ignore[arg-type]  # checked by the server
                value=None if value is None else AmountIn(value), currency=currency,
                max_uses=max_uses, max_uses_per_user=per_user))
        typer.echo(f"created coupon {made.code} ({made.kind} {made.value})")

    @app.command("disable")
    def disable(ctx: typer.Context, code: str) -> None:
        """No cart may apply it, no checkout redeem it; its uses stand."""
        with domain_errors():
            done = who(ctx).call(api.disable_coupon, code=code)
        typer.echo(f"coupon {done.code} disabled")

    @app.command("enable")
    def enable(ctx: typer.Context, code: str) -> None:
        """Make a disabled coupon usable again."""
        with domain_errors():
            done = who(ctx).call(api.enable_coupon, code=code)
        typer.echo(f"coupon {done.code} enabled")

    @app.command("usage")
    def usage(ctx: typer.Context, code: str, json_out: Json = False) -> None:
        """How often a coupon was used, by whom, on which order."""
        with domain_errors():
            used = who(ctx).call(api.coupon_usage, code=code)
        if json_out:
            emit_record(to_builtins(used), json_out)
            return
        emit(to_builtins(used.redemptions), ["user_id", "order_id", "redeemed_at"], False,
             f"{used.code}: used {used.times_used} times")

    return app


admin = commands(lambda ctx: target(ctx).as_admin(), "Every coupon of the shop.")
seller = commands(lambda ctx: target(ctx).as_seller(), "My coupons (for my products).")
