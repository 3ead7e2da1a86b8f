"""Product files for ``commerce seller products import`` / ``export``: CSV and JSON.

CSV has one row per variant; rows sharing a ``handle`` are one product (its own fields come
from the group's first row); a row without a handle is a product on its own. Lists are
``a|b`` and maps ``key=value|key=value``; a cell holding those characters is written as JSON,
and a cell that starts with ``[`` or ``{`` is read as JSON. JSON is a list of objects in the
API's ``POST /products`` shape. Every problem names the line it is on.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

import attrs

from commerce_core.catalog.service import VariantSpec
from commerce_core.errors import ValidationError
from commerce_core.money import minor_exponent

COLUMNS = ["handle", "name", "category_id", "currency", "description", "attributes", "images",
           "tags", "sku", "price", "options", "weight_grams", "stock", "reorder_level"]
_PRODUCT_FIELDS = ("name", "category_id", "currency", "description", "attributes", "images",
                   "tags")
FORMATS = ("csv", "json")


class RowError(ValueError):
    pass


@attrs.frozen
class Draft:
    """One product read from a file, ready for ``create_product``."""

    line: int  # where it starts
    name: str
    category_id: int
    variants: list[VariantSpec]
    currency: str = "USD"
    description: str = ""
    attributes: dict[str, str] = attrs.field(factory=dict)
    images: list[str] = attrs.field(factory=list)
    tags: list[str] = attrs.field(factory=list)

    def fields(self) -> dict[str, Any]:
        """Keyword arguments of ``create_product``."""
        return {"name": self.name, "category_id": self.category_id, "variants": self.variants,
                "currency": self.currency, "description": self.description,
                "attributes": self.attributes, "images": self.images, "tags": self.tags}


@attrs.frozen
class Refused:
    line: int
    reason: str


@attrs.frozen
class Parsed:
    drafts: list[Draft]
    refused: list[Refused]


def guess_format(name: str, given: str | None) -> str:
    fmt = (given or name.rsplit(".", 1)[-1]).lower()
    if fmt not in FORMATS:
        raise ValueError(f"cannot tell the format of {name!r}: use --format csv or json")
    return fmt


def parse(text: str, fmt: str) -> Parsed:
    return _parse_csv(text) if fmt == "csv" else _parse_json(text)


# Reading -----------------------------------------------------------------------------------
def _text(raw: Mapping[str, Any], name: str, required: bool = False, default: str = "") -> str:
    value = raw.get(name)
    if value is None or value == "":
        if required:
            raise RowError(f"{name} is missing")
        return default
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise RowError(f"{name} must be text")
    return str(value).strip()


def _whole(raw: Mapping[str, Any], name: str, default: int | None = None) -> int:
    value = raw.get(name)
    if value is None or value == "":
        if default is None:
            raise RowError(f"{name} is missing")
        return default
    try:
        number = int(value) if not isinstance(value, bool | float) else None
    except ValueError:
        number = None
    if number is None:
        raise RowError(f"{name} must be a whole number, not {value!r}")
    return number


def _price(raw: Mapping[str, Any]) -> Decimal:
    value = raw.get("price")
    if value is None or value == "" or isinstance(value, bool):
        raise RowError("price is missing")
    try:
        price = Decimal(str(value).strip())
    except InvalidOperation:
        raise RowError(f"price must be a number, not {value!r}") from None
    if not price.is_finite():
        raise RowError(f"price must be a number, not {value!r}")
    return price


def _cell(value: Any, name: str) -> Any:
    """A CSV cell holding a list or map: JSON if it looks like JSON, else the short form."""
    if not isinstance(value, str):
        return value
    stripped = value.strip()
    if stripped.startswith(("[", "{")):
        try:
            return json.loads(stripped)
        except ValueError:
            raise RowError(f"{name} is not valid JSON") from None
    return stripped


def _list(raw: Mapping[str, Any], name: str) -> list[str]:
    value = _cell(raw.get(name), name)
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split("|") if part.strip()]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    raise RowError(f"{name} must be a list of text")


def _map(raw: Mapping[str, Any], name: str) -> dict[str, str]:
    value = _cell(raw.get(name), name)
    if value is None or value == "":
        return {}
    if isinstance(value, str):
        pairs = {}
        for part in filter(None, (p.strip() for p in value.split("|"))):
            key, sep, item = part.partition("=")
            if not sep or not key.strip():
                raise RowError(f"{name} must be key=value pairs separated by |, not {part!r}")
            pairs[key.strip()] = item.strip()
        return pairs
    if isinstance(value, dict) and all(isinstance(v, str) for v in value.values()):
        return {str(k): v for k, v in value.items()}
    raise RowError(f"{name} must map names to text")


def _variant(raw: Mapping[str, Any]) -> VariantSpec:
    """The row's variant. Only the types are read here; what values are allowed is the
    core's to say (its refusals come back at the product's line when it is created)."""
    fields = (_text(raw, "sku", required=True), _price(raw), _map(raw, "options"),
              _whole(raw, "weight_grams", 0), _whole(raw, "stock", 0),
              _whole(raw, "reorder_level", 0))
    try:
        return VariantSpec(*fields)
    except ValidationError as ex:  # the spec's own checks: at this row's line
        raise RowError(ex.message) from None


def _draft(line: int, raw: Mapping[str, Any], variants: list[VariantSpec]) -> Draft:
    return Draft(line, _text(raw, "name", required=True), _whole(raw, "category_id"),
                 variants, _text(raw, "currency", default="USD").upper(),
                 _text(raw, "description"), _map(raw, "attributes"), _list(raw, "images"),
                 _list(raw, "tags"))


def _parse_csv(text: str) -> Parsed:
    reader = csv.DictReader(io.StringIO(text))
    unknown = set(reader.fieldnames or ()) - set(COLUMNS)
    missing = {"name", "category_id", "sku", "price"} - set(reader.fieldnames or ())
    if missing or unknown:
        problems = ([f"missing {', '.join(sorted(missing))}"] if missing else []) + (
            [f"unknown {', '.join(sorted(unknown))}"] if unknown else [])
        return Parsed([], [Refused(1, f"header: {'; '.join(problems)} (columns: "
                                      f"{', '.join(COLUMNS)})")])
    groups: dict[str, list[tuple[int, dict[str, str] | None]]] = {}
    last = reader.line_num  # lines, not records: a quoted value may span several
    for row in reader:
        number, last = last + 1, reader.line_num
        handle = (row.get("handle") or "").strip() or f"\0{number}"
        # None: more cells than the header names, so which is which cannot be told
        groups.setdefault(handle, []).append((number, None if None in row else row))
    drafts, refused = [], []
    for rows in groups.values():
        try:
            drafts.append(_group(rows))
        except _LineError as ex:
            refused.append(Refused(ex.line, _whole_product(str(ex), rows, ex.line)))
    return Parsed(sorted(drafts, key=lambda d: d.line), sorted(refused, key=lambda r: r.line))


def _group(rows: Sequence[tuple[int, dict[str, str] | None]]) -> Draft:
    """The product of one handle's rows; _LineError at the first bad line."""
    variants = []
    for number, row in rows:
        if row is None:
            raise _LineError("more cells than the header has columns", number)
        try:
            variants.append(_variant(row))
        except RowError as ex:
            raise _LineError(str(ex), number) from None
    line, first = rows[0]
    assert first is not None
    try:
        return _draft(line, first, variants)
    except RowError as ex:
        raise _LineError(str(ex), line) from None


class _LineError(Exception):
    def __init__(self, reason: str, line: int) -> None:
        super().__init__(reason)
        self.line = line


def _whole_product(reason: str, rows: Sequence[tuple[int, Any]], line: int) -> str:
    others = [n for n, _ in rows if n != line]
    return reason + (f" (so lines {', '.join(map(str, others))} of the same product are not "
                     "imported either)" if others else "")


def _elements(text: str) -> Iterator[tuple[int, Any]]:
    """The items of a top-level JSON array with the line each starts on."""
    decoder = json.JSONDecoder()
    pos = _skip(text, 0)
    if not text.startswith("[", pos):
        raise RowError("a JSON product file is a list of products: [ {...}, {...} ]")
    pos = _skip(text, pos + 1)
    if text.startswith("]", pos):
        return
    while True:
        line = text.count("\n", 0, pos) + 1
        try:
            item, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as ex:
            raise _LineError(f"not valid JSON: {ex.msg} (in the product from line {line})",
                             ex.lineno) from None
        yield line, item
        pos = _skip(text, pos)
        if text.startswith(",", pos):
            pos = _skip(text, pos + 1)
        elif text.startswith("]", pos):
            return
        else:
            raise _LineError("expected , or ] between products", text.count("\n", 0, pos) + 1)


def _skip(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    return pos


def _parse_json(text: str) -> Parsed:
    drafts, refused = [], []
    try:
        for line, item in _elements(text):
            try:
                if not isinstance(item, dict):
                    raise RowError("each product must be an object")
                raw_variants = item.get("variants")
                if not isinstance(raw_variants, list) or not raw_variants or not all(
                        isinstance(v, dict) for v in raw_variants):
                    raise RowError("variants must be a non-empty list of objects")
                drafts.append(_draft(line, item, [_variant(v) for v in raw_variants]))
            except RowError as ex:
                refused.append(Refused(line, str(ex)))
    except _LineError as ex:  # the rest of the file cannot be read
        refused.append(Refused(ex.line, f"{ex}; nothing after it was read"))
    except RowError as ex:
        refused.append(Refused(1, str(ex)))
    return Parsed(drafts, refused)


# Writing -----------------------------------------------------------------------------------
def _short_list(values: Sequence[str]) -> str:
    if any("|" in v or v != v.strip() for v in values) or (values and values[0][:1] in "[{"):
        return json.dumps(list(values), ensure_ascii=False)
    return "|".join(values)


def _short_map(values: Mapping[str, str]) -> str:
    text = "|".join(f"{k}={v}" for k, v in values.items())
    plain = all("|" not in k + v and "=" not in k and k == k.strip() and v == v.strip()
                for k, v in values.items())
    return text if plain and not text.startswith(("[", "{")) else json.dumps(
        dict(values), ensure_ascii=False)


def product_record(detail: Mapping[str, Any]) -> dict[str, Any]:
    """A product as its seller's listing gives it, in the file's JSON shape (what import
    reads back)."""
    # ids and prices as the API writes them ("386..." and "99.50"), whichever mode read them
    places = Decimal(1).scaleb(-minor_exponent(detail["currency"]))
    return {"name": detail["name"], "category_id": str(detail["category_id"]),
            "currency": detail["currency"], "description": detail["description"],
            "attributes": detail["own_attributes"], "images": detail["images"],
            "tags": detail["tags"],
            "variants": [{"sku": v["sku"], "price": str(Decimal(str(v["price"])).quantize(places)),
                          "options": v["options"],
                          "weight_grams": v["weight_grams"], "stock": v["available"],
                          "reorder_level": v["reorder_level"]} for v in detail["variants"]]}


def write(records: Sequence[Mapping[str, Any]], fmt: str, out: io.TextIOBase | Any) -> None:
    if fmt == "json":
        json.dump(list(records), out, indent=2, ensure_ascii=False,
                  default=lambda v: str(v) if isinstance(v, Decimal) else v)
        out.write("\n")
        return
    # RFC 4180 line ends: then a value holding \r or \n is quoted, and so read back whole
    writer = csv.DictWriter(out, COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for number, record in enumerate(records, start=1):
        for i, variant in enumerate(record["variants"]):
            row: dict[str, Any] = {"handle": f"p{number}", "sku": variant["sku"],
                                   "price": variant["price"],
                                   "options": _short_map(variant["options"]),
                                   "weight_grams": variant["weight_grams"],
                                   "stock": variant["stock"],
                                   "reorder_level": variant["reorder_level"]}
            if i == 0:
                row.update({f: record[f] for f in _PRODUCT_FIELDS})
                row.update(attributes=_short_map(record["attributes"]),
                           images=_short_list(record["images"]),
                           tags=_short_list(record["tags"]))
            writer.writerow(row)
