"""``commerce admin shop-settings``: tax rates, shipping rates and fraud thresholds as
data, through the same operations as ``/api/v1/admin/settings``; the next checkout charges
what is stored."""

from __future__ import annotations

import re
from typing import Annotated, Any

import typer

from commerce_cli.errors import domain_errors
from commerce_cli.output import Json, emit, emit_record, group
from commerce_cli.target import target
from commerce_core.errors import ValidationError
from commerce_http.api import settings as api
from commerce_http.contract.wire import to_builtins

app = group("Shop settings: tax and shipping rates, fraud thresholds (admins).")
TAX_COLUMNS = ["country", "region", "rate"]
SHIPPING_COLUMNS = ["name", "kind", "amount", "per_kg", "free_over", "countries"]
SECTIONS = ("tax", "shipping", "fraud")


def _pair(option: str, text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise ValidationError(f"{option} takes NAME=VALUE, not {text!r}", {option: text})
    return key.strip(), value.strip()


@app.command("show")
def show(ctx: typer.Context, json_out: Json = False) -> None:
    """Every section as it applies now, and whether it is stored or the defaults."""
    with domain_errors():
        found = to_builtins(target(ctx).as_admin().call(api.get_settings))
    if json_out:
        emit_record(found, True)
        return
    for name in SECTIONS:
        state = found[name]["state"]
        where = f"stored, version {state['version']}" if state["stored"] else "defaults"
        if name == "fraud":
            emit_record({k: v for k, v in found[name].items() if k != "state"}, False,
                        f"fraud ({where})")
            continue
        emit(found[name]["rates"], TAX_COLUMNS if name == "tax" else SHIPPING_COLUMNS,
             False, f"{name} ({where})")


@app.command("tax")
def tax(ctx: typer.Context, rate: Annotated[list[str], typer.Option(
        "--rate", help="COUNTRY[/REGION]=RATE, e.g. US=0.05 or US/CA=0.0725; repeatable.")],
        default_country: Annotated[str | None, typer.Option(
            help="Where a cart with no address is priced.")] = None,
        json_out: Json = False) -> None:
    """Replace the tax rates (those not given are dropped)."""
    with domain_errors():
        rates = []
        for given in rate:
            place, value = _pair("--rate", given)
            country, _, region = place.partition("/")
            rates.append(api.TaxRateIn(country=country, region=region, rate=value))  # type: ignore[arg-type]
        done = target(ctx).as_admin().call(api.set_tax, body=api.TaxIn(
            rates=rates, default_country=default_country))
    emit(to_builtins(done.rates), TAX_COLUMNS, json_out,
         f"tax rates stored (version {done.state.version})")


@app.command("shipping")
def shipping(ctx: typer.Context, rate: Annotated[list[str], typer.Option(
        "--rate", help="KIND:AMOUNT[:COUNTRIES], e.g. flat:7.50:US,CA or by_weight:12 "
                       "(no countries: everywhere else); repeatable.")],
        json_out: Json = False) -> None:
    """Replace the shipping rates and their zones."""
    with domain_errors():
        rates = []
        for given in rate:
            kind, _, rest = given.partition(":")
            amount, _, countries = rest.partition(":")
            rates.append(api.ShippingRateIn(
                kind=kind, amount=amount,  # type: ignore[arg-type]
                countries=[c for c in countries.split(",") if c]))
        done = target(ctx).as_admin().call(api.set_shipping, body=api.ShippingIn(rates=rates))
    emit(to_builtins(done.rates), SHIPPING_COLUMNS, json_out,
         f"shipping rates stored (version {done.state.version})")


@app.command("fraud")
def fraud(ctx: typer.Context, set_: Annotated[list[str], typer.Option(
        "--set", help="FIELD=VALUE (hold_at=70, high_amount=2500, velocity_window=1800 "
                      "seconds, weights.order_velocity=10); repeatable.")],
        json_out: Json = False) -> None:
    """Change the fraud thresholds named; the others stay."""
    with domain_errors():
        given: dict[str, Any] = {}
        for text in set_:
            key, value = _pair("--set", text)
            if key.startswith("weights."):
                given.setdefault("weights", {})[key.removeprefix("weights.")] = value
            else:
                given[key] = value
        body = _fraud_body(given)
        done = target(ctx).as_admin().call(api.set_fraud, body=body)
    emit_record({k: v for k, v in to_builtins(done).items() if k != "state"}, json_out,
                f"fraud settings stored (version {done.state.version})")


_WHOLE = re.compile(r"-?[0-9]+\Z")


def _fraud_body(given: dict[str, Any]) -> api.FraudIn:
    """The body: whole numbers as numbers, the rest as given (the API names a bad one)."""
    fields = api.FraudIn.__struct_fields__
    for key in given:
        if key not in fields:
            raise ValidationError(f"{key} is not a fraud setting (one of {', '.join(fields)})",
                                  {key: "unknown"})
    values = {k: _number(v) for k, v in given.items()}
    if "weights" in values:
        values["weights"] = {k: _number(v) for k, v in values["weights"].items()}
    return api.FraudIn(**values)


def _number(value: Any) -> Any:
    return int(value) if isinstance(value, str) and _WHOLE.match(value) else value


@app.command("reset")
def reset(ctx: typer.Context, section: Annotated[str, typer.Argument(
        help="tax, shipping or fraud.")]) -> None:
    """Go back to the defaults the shop was started with."""
    with domain_errors():
        if section not in api.RESET:
            raise ValidationError(f"section must be one of {', '.join(SECTIONS)}",
                                  {"section": section})
        target(ctx).as_admin().call(api.RESET[section])
    typer.echo(f"{section} settings reset to the defaults")
