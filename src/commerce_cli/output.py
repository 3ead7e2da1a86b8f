"""How results are shown: Rich tables for people, ``--json`` for scripts.

Rich reads ``[...]`` as markup, so every value shown goes through :func:`shown_cell`: a name
like ``[/]`` would crash the table and ``[bold]`` would be rendered. Styled cells are
``rich.text.Text``, which is never read as markup.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from commerce_http.encoding import default

console = Console()
Json = Annotated[bool, typer.Option("--json", help="Print JSON, for scripts.")]


def group(help_text: str) -> typer.Typer:
    """A command group; docstrings read as Markdown, so wrapped lines join in --help."""
    return typer.Typer(help=help_text, no_args_is_help=True, rich_markup_mode="markdown")


def as_json(value: Any) -> str:
    return json.dumps(value, default=default, indent=2, ensure_ascii=False)


def cell(value: Any) -> str:
    """A value as plain text (not yet escaped)."""
    if value is None:
        return ""
    if isinstance(value, dict):
        return ", ".join(f"{k} {cell(v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(cell(v) for v in value)
    return str(value)


def shown_cell(value: Any) -> str | Text:
    """A value as a table cell: user data escaped, a ``Text`` (styled by us) kept."""
    return value if isinstance(value, Text) else escape(cell(value))


def emit(rows: Sequence[dict[str, Any]], columns: Sequence[str], json_out: bool,
         title: str = "") -> None:
    """A listing: one table row per record (these columns), or all of it as JSON."""
    if json_out:
        typer.echo(as_json(list(rows)))
        return
    table = Table(title=title or None)
    for name in columns:
        if name.endswith("_id"):  # ids are copied into the next command: never cut one short
            table.add_column(name, no_wrap=True, min_width=max(
                [len(name), *(len(cell(r.get(name))) for r in rows)]))
        else:
            table.add_column(name, overflow="fold")
    for row in rows:
        table.add_row(*(shown_cell(row.get(c)) for c in columns))
    console.print(table)


def emit_record(record: dict[str, Any], json_out: bool, title: str = "") -> None:
    """One record: a two-column table of its fields, or JSON."""
    if json_out:
        typer.echo(as_json(record))
        return
    table = Table("field", "value", title=title or None)
    for key, value in record.items():
        table.add_row(escape(key), shown_cell(value))
    console.print(table)
