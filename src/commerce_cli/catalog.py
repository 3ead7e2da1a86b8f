"""``commerce seller products`` and ``variants``: list, add, change, price, withdraw, and
import or export whole catalogs as CSV or JSON."""

from __future__ import annotations

import itertools
import re
import sys
from collections.abc import Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from commerce_cli import product_files
from commerce_cli.amounts import amount
from commerce_cli.errors import domain_errors, err
from commerce_cli.output import Json, as_json, emit, emit_record, group
from commerce_cli.target import Shop, target
from commerce_core.catalog.service import VariantSpec
from commerce_core.errors import CommerceError, ValidationError

products = group("My products: list, add, change, price, withdraw, import, export.")
variants = group("Variants of my products.")
PRODUCT_COLUMNS = ["product_id", "name", "price", "currency", "variants", "quantity",
                   "is_active"]
Pairs = Annotated[list[str] | None, typer.Option(help="name=value; repeat for more.")]
Many = Annotated[list[str] | None, typer.Option(help="Repeat for more.")]
FormatOption = Annotated[str | None, typer.Option(
    "--format", help="csv or json (default: from the file name).")]


def _pairs(values: list[str] | None, option: str) -> dict[str, str]:
    pairs = {}
    for value in values or []:
        name, sep, item = value.partition("=")
        if not sep or not name.strip():
            raise typer.BadParameter(f"expected name=value, got {value!r}",
                                     param_hint=f"--{option}")
        pairs[name.strip()] = item.strip()
    return pairs


def _row(detail: dict[str, Any]) -> dict[str, Any]:
    return {**detail, "variants": len(detail["variants"]),
            "quantity": detail["availability"]["quantity"]}


def _summary(detail: dict[str, Any]) -> str:
    skus = ", ".join(f"{v['sku']} {v['price']}" for v in detail["variants"])
    return f"{detail['name']} ({detail['product_id']}): {skus}"


@products.command("list")
def list_products(ctx: typer.Context, page: Annotated[int, typer.Option(min=1)] = 1,
                  limit: Annotated[int, typer.Option(min=1, max=100)] = 50,
                  json_out: Json = False) -> None:
    """My products, newest first, withdrawn ones included."""
    with domain_errors():
        found = target(ctx).as_seller().my_products(page, limit)
    if json_out:
        emit(found.items, [], True)
        return
    emit([_row(d) for d in found.items], PRODUCT_COLUMNS, False,
         f"{found.total_count} products (page {page})")


@products.command("add")
def add(ctx: typer.Context, name: str,
        category: Annotated[int, typer.Option(help="Category id.")],
        sku: Annotated[str, typer.Option(help="SKU of its first variant.")],
        price: Annotated[Decimal, typer.Option(parser=amount,
                                             help="Price of its first variant.")],
        stock: Annotated[int, typer.Option(min=0, help="Opening stock.")] = 0,
        reorder_level: Annotated[int, typer.Option(min=0)] = 0,
        option: Pairs = None, attribute: Pairs = None, image: Many = None, tag: Many = None,
        currency: str = "USD", description: str = "", json_out: Json = False) -> None:
    """List a product with its first variant (add more with ``variants add``)."""
    spec = VariantSpec(sku, price, _pairs(option, "option"), stock=stock,
                       reorder_level=reorder_level)
    with domain_errors():
        detail = target(ctx).as_seller().create_product(
            name=name, category_id=category, variants=[spec], currency=currency.upper(),
            description=description, attributes=_pairs(attribute, "attribute"),
            images=image or [], tags=tag or [])
    if json_out:
        emit_record(detail, True)
        return
    typer.echo(f"added {_summary(detail)}")


@products.command("update")
def update(ctx: typer.Context, product_id: int,
           name: Annotated[str | None, typer.Option()] = None,
           description: Annotated[str | None, typer.Option()] = None,
           category: Annotated[int | None, typer.Option(help="Category id.")] = None,
           attribute: Pairs = None,
           image: Annotated[list[str] | None, typer.Option(
               help="Replaces the images; repeat for more.")] = None,
           tag: Annotated[list[str] | None, typer.Option(
               help="Replaces the tags; repeat for more.")] = None) -> None:
    """Change a product's name, description, category, attributes, images or tags."""
    changes: dict[str, Any] = {"name": name, "description": description,
                               "category_id": category, "images": image, "tags": tag,
                               "attributes": _pairs(attribute, "attribute") or None}
    changes = {k: v for k, v in changes.items() if v is not None}
    if not changes:
        raise typer.BadParameter("give at least one change (see --help)")
    with domain_errors():
        detail = target(ctx).as_seller().update_product(product_id, **changes)
    typer.echo(f"updated {_summary(detail)}")


@products.command("price")
def set_price(ctx: typer.Context, variant_id: int,
              price: Annotated[Decimal, typer.Argument(parser=amount)]) -> None:
    """Set a variant's price."""
    with domain_errors():
        variant = target(ctx).as_seller().set_price(variant_id, price)
    typer.echo(f"{variant['sku']} now costs {variant['price']} {variant['currency']}")


def _set_active(ctx: typer.Context, product_id: int, active: bool) -> None:
    with domain_errors():
        detail = target(ctx).as_seller().update_product(product_id, is_active=active)
    typer.echo(f"{detail['name']} ({product_id}) "
               f"{'is on sale again' if active else 'is withdrawn from sale'}")


@products.command("deactivate")
def deactivate(ctx: typer.Context, product_id: int) -> None:
    """Withdraw a product from sale (it stays in your list and your orders)."""
    _set_active(ctx, product_id, False)


@products.command("activate")
def activate(ctx: typer.Context, product_id: int) -> None:
    """Put a withdrawn product on sale again."""
    _set_active(ctx, product_id, True)


@variants.command("add")
def add_variant(ctx: typer.Context, product_id: int, sku: str,
                price: Annotated[Decimal, typer.Argument(parser=amount)],
                option: Pairs = None, stock: Annotated[int, typer.Option(min=0)] = 0,
                weight_grams: Annotated[int, typer.Option(min=0)] = 0,
                reorder_level: Annotated[int, typer.Option(min=0)] = 0) -> None:
    """Add a variant (its options tell it apart, e.g. --option size=XL)."""
    spec = VariantSpec(sku, price, _pairs(option, "option"), weight_grams, stock, reorder_level)
    with domain_errors():
        detail = target(ctx).as_seller().add_variant(product_id, spec)
    typer.echo(f"added {sku}: {_summary(detail)}")


@variants.command("list")
def list_variants(ctx: typer.Context, product_id: int, json_out: Json = False) -> None:
    """A product's variants with their stock."""
    with domain_errors():
        detail = target(ctx).as_seller().my_product(product_id)
    emit(detail["variants"], ["variant_id", "sku", "price", "options", "available",
                              "reorder_level"], json_out,
         detail["name"])


def _all_products(shop: Shop, progress: Progress) -> list[dict[str, Any]]:
    """Every product of the seller, page by page (100 a request)."""
    found: list[dict[str, Any]] = []
    task = progress.add_task("reading", total=None)
    for page in itertools.count(1):
        batch = shop.my_products(page, 100)
        progress.update(task, total=batch.total_count, advance=len(batch.items))
        found += batch.items
        if not batch.items or len(found) >= batch.total_count:
            break
    return found


def _progress() -> Progress:
    # on stderr, so stdout stays the data (JSON, or a file written to -); only for a person
    console = Console(stderr=True)
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    console=console, transient=True, disable=not console.is_terminal)


IMPORT_ROWS = 200       # products per request
IMPORT_BYTES = 400_000  # and about this much JSON: well under the server's 1 MB body limit
_ROW = re.compile(r"^products\.(\d+)\.?")


def _import_batches(drafts: Sequence[product_files.Draft]
                    ) -> Iterator[list[product_files.Draft]]:
    batch: list[product_files.Draft] = []
    size = 0
    for draft in drafts:
        weight = _weight(draft)
        if batch and (len(batch) == IMPORT_ROWS or size + weight > IMPORT_BYTES):
            yield batch
            batch, size = [], 0
        batch.append(draft)
        size += weight
    if batch:
        yield batch


def _weight(d: product_files.Draft) -> int:
    """About the JSON a draft becomes: its text, and a little more for the syntax."""
    texts = [d.name, d.description, *d.attributes, *d.attributes.values(), *d.images, *d.tags]
    for v in d.variants:
        texts += [v.sku, *v.options, *v.options.values()]
    return sum(len(t) for t in texts) + 100 + 150 * len(d.variants) + 10 * len(texts)


def _import_batch(shop: Shop, batch: list[product_files.Draft]
                  ) -> tuple[list[dict[str, Any]], list[product_files.Refused]]:
    """One request for the batch. A row the API cannot read refuses the request, naming
    the row: that row is refused on its own and the others are sent again."""
    rows = list(batch)
    refused: list[product_files.Refused] = []
    while rows:
        try:
            report = shop.import_products([d.fields() for d in rows])
        except ValidationError as ex:
            row = next((int(m.group(1)) for f in ex.details if (m := _ROW.match(f))), None)
            if row is None or row >= len(rows):
                raise
            refused.append(product_files.Refused(
                rows.pop(row).line, f"{_ROW.sub('', ex.message)} ({ex.code})"))
            continue
        made = [{"line": rows[c["row"]].line, "product_id": c["product_id"],
                 "name": rows[c["row"]].name} for c in report["created"]]
        refused += [product_files.Refused(rows[r["row"]].line, f"{r['message']} ({r['code']})")
                    for r in report["refused"]]
        return made, refused
    return [], refused


@products.command("import")
def import_products(ctx: typer.Context, file: Annotated[Path, typer.Argument(
        exists=True, dir_okay=False, readable=True, help="A .csv or .json product file.")],
                    fmt: FormatOption = None, json_out: Json = False) -> None:
    """Create the products of a file. Bad rows are reported with their line and reason and
    the good products imported; each product is written whole or not at all."""
    with domain_errors():
        with file.open(encoding="utf-8-sig", newline="") as source:  # CSV keeps its \r\n
            text = source.read()
        parsed = product_files.parse(text, product_files.guess_format(file.name, fmt))
        shop = target(ctx).as_seller()
    refused = list(parsed.refused)
    made: list[dict[str, Any]] = []
    stopped: CommerceError | None = None  # the shop cannot take more: the rest is not tried
    untried = sent = 0
    with _progress() as progress:
        task = progress.add_task("importing", total=len(parsed.drafts))
        for batch in _import_batches(parsed.drafts):
            try:
                made_now, refused_now = _import_batch(shop, batch)
            except CommerceError as ex:  # the request as a whole: unreachable, signed out...
                stopped, untried = ex, len(parsed.drafts) - sent
                break
            made += made_now
            refused += refused_now
            sent += len(batch)
            progress.advance(task, len(batch))
    refused.sort(key=lambda r: r.line)
    if json_out:
        typer.echo(as_json({"imported": [{"line": m["line"], "product_id": m["product_id"],
                                          "name": m["name"]} for m in made],
                            "refused": [{"line": r.line, "reason": r.reason}
                                        for r in refused], "not_tried": untried}))
    else:
        for r in refused:
            err.print(escape(f"{file.name}:{r.line}: {r.reason}"), highlight=False, soft_wrap=True)
        typer.echo(f"imported {len(made)} products; {len(refused)} refused"
                   + (f"; {untried} not tried" if untried else ""))
    if stopped is not None:
        # a product sent as the connection failed may exist: a second run names it taken
        err.print(f"[red]error:[/red] stopped: {escape(stopped.message)} ({stopped.code})",
                  highlight=False, soft_wrap=True)
    if refused or stopped is not None:
        raise typer.Exit(1)


@products.command("export")
def export_products(ctx: typer.Context, file: Annotated[str, typer.Argument(
        help="Where to write (.csv or .json); - for standard output.")],
                    fmt: FormatOption = None,
                    inactive: Annotated[bool, typer.Option(
                        "--include-inactive", help="Withdrawn products too.")] = False) -> None:
    """Write my products to a file that ``import`` reads back."""
    with domain_errors():
        fmt = product_files.guess_format(file, fmt if fmt or file != "-" else "csv")
        shop = target(ctx).as_seller()
        with _progress() as progress:
            details = _all_products(shop, progress)
    records = [product_files.product_record(d) for d in reversed(details)
               if inactive or d["is_active"]]  # oldest first, as they were made
    if file == "-":
        product_files.write(records, fmt, sys.stdout)
        return
    with open(file, "w", encoding="utf-8", newline="") as out:
        product_files.write(records, fmt, out)
    typer.echo(f"exported {len(records)} products to {file}")
