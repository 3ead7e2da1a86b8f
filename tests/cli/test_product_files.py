"""Product files: what each bad line is told, grouping by handle, and that what export
writes import reads back unchanged."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from commerce_cli.product_files import Refused, guess_format, parse, write

HEADER = "handle,name,category_id,sku,price,options,stock,tags,attributes\n"


def test_csv_rows_group_by_handle_and_bad_lines_say_why() -> None:
    text = HEADER + (
        "a,Floor lamp,7,FL-1,150,color=black,4,lamp|floor,material=steel\n"  # line 2
        "a,,,FL-2,155.50,color=white,2,,\n"                                  # line 3
        ",Bad price,7,BP-1,abc,,1,,\n"                                       # line 4
        ",Desk lamp,7,DL-1,45,,10,,\n"                                       # line 5
        "b,Half bad,7,HB-1,5,size=S,1,,\n"                                   # line 6
        "b,,,HB-2,5,size=M,-3,,\n"                                           # line 7
        ",No name,7,NN-1,5,,,,\n".replace("No name", "")                     # line 8
        + ",Odd,7,OD-1,5,colour,,,\n"                                        # line 9
        ",Long,7,LG-1,5,,,,,extra\n")                                        # line 10
    parsed = parse(text, "csv")
    assert [(d.line, d.name, [v.sku for v in d.variants]) for d in parsed.drafts] \
        == [(2, "Floor lamp", ["FL-1", "FL-2"]), (5, "Desk lamp", ["DL-1"])]
    floor = parsed.drafts[0]
    assert floor.tags == ["lamp", "floor"] and floor.attributes == {"material": "steel"}
    assert floor.variants[1].price == Decimal("155.50")
    assert floor.variants[1].options == {"color": "white"}
    assert parsed.refused == [
        Refused(4, "price must be a number, not 'abc'"),
        Refused(7, "stock must be a whole number >= 0 (so lines 6 of the same product are "
                   "not imported either)"),
        Refused(8, "name is missing"),
        Refused(9, "options must be key=value pairs separated by |, not 'colour'"),
        Refused(10, "more cells than the header has columns")]


def test_lines_are_counted_in_the_file_not_in_records() -> None:
    text = ('name,category_id,sku,price,description\r\n'
            'Lamp,7,L-1,5,"two\r\nlines"\r\n'
            'Shade,7,S-1,oops,\r\n')
    parsed = parse(text, "csv")
    assert parsed.drafts[0].description == "two\r\nlines"
    assert parsed.refused == [Refused(4, "price must be a number, not 'oops'")]


def test_a_bad_header_refuses_the_file_naming_the_columns() -> None:
    parsed = parse("title,price\nLamp,5\n", "csv")
    assert parsed.drafts == []
    assert parsed.refused[0].line == 1
    assert "missing category_id, name, sku" in parsed.refused[0].reason
    assert "unknown title" in parsed.refused[0].reason


def test_json_items_are_refused_at_the_line_they_start_on() -> None:
    text = """[
  {"name": "Lamp", "category_id": 7,
   "variants": [{"sku": "L-1", "price": 10}]},
  {"name": "No variants", "category_id": 7, "variants": []},
  "not an object",
  {"name": "Bad stock", "category_id": 7,
   "variants": [{"sku": "B-1", "price": "5", "stock": 1.5}]}
]"""
    parsed = parse(text, "json")
    assert [(d.line, d.name) for d in parsed.drafts] == [(2, "Lamp")]
    assert parsed.refused == [
        Refused(4, "variants must be a non-empty list of objects"),
        Refused(5, "each product must be an object"),
        Refused(6, "stock must be a whole number, not 1.5")]
    broken = parse('[\n {"name": "A", "category_id": 1, "variants": [{"sku": "A", '
                   '"price": 1}]},\n {"name": \n', "json")
    assert [d.name for d in broken.drafts] == ["A"]
    assert broken.refused == [Refused(4, "not valid JSON: Expecting value (in the product from "
                                         "line 3); nothing after it was read")]
    assert parse('{"name": "x"}', "json").refused[0].line == 1


def test_the_format_comes_from_the_name_unless_given() -> None:
    assert guess_format("lamps.CSV", None) == "csv"
    assert guess_format("lamps.txt", "json") == "json"
    try:
        guess_format("lamps.txt", None)
    except ValueError as ex:
        assert "--format" in str(ex)
    else:
        raise AssertionError("an unknown extension was accepted")


_text = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=12) \
    .map(str.strip).filter(bool)
_variant = st.fixed_dictionaries({
    "sku": _text, "price": st.decimals("0.01", "9999.99", places=2),
    "options": st.dictionaries(_text, _text, max_size=2),
    "weight_grams": st.integers(0, 5000), "stock": st.integers(0, 500),
    "reorder_level": st.integers(0, 50)})
_product = st.fixed_dictionaries({
    "name": _text, "category_id": st.integers(1, 10**18), "currency": st.just("USD"),
    "description": st.text(max_size=30).map(str.strip),
    "attributes": st.dictionaries(_text, _text, max_size=2),
    "images": st.lists(_text, max_size=2), "tags": st.lists(_text, max_size=3),
    "variants": st.lists(_variant, min_size=1, max_size=3)})


@settings(max_examples=150, deadline=None)
@given(st.lists(_product, max_size=4), st.sampled_from(["csv", "json"]))
def test_what_export_writes_import_reads_back(records: list[dict[str, Any]], fmt: str) -> None:
    out = io.StringIO()
    write(records, fmt, out)
    parsed = parse(out.getvalue(), fmt)
    assert parsed.refused == []
    back = [{**d.fields(), "variants": [
        {"sku": v.sku, "price": v.price, "options": dict(v.options),
         "weight_grams": v.weight_grams, "stock": v.stock, "reorder_level": v.reorder_level}
        for v in d.variants]} for d in parsed.drafts]
    assert back == records
