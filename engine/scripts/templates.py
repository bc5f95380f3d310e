"""Column-list templates for repair scripts: one grammar, checked by the catalog and expanded by
the runner against the live schema.

A salvage script cannot name the columns of a table that differs from file to file (a left-over
`CREATE TABLE … AS SELECT *` copy keeps whatever columns its source had). `{{columns(a, b)}}`
becomes the double-quoted names of the columns that tables `a` and `b` both have, in `a`'s order;
`{{columns(a)}}` all of `a`'s columns. Nothing here reads a file: the caller says which columns a
table has.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from engine.core.lazyre import LazyPattern
from engine.scripts.sqltext import quote_ident

_ANY = LazyPattern(r"\{\{(.*?)\}\}", re.S)  # whatever is written between double braces
_COLUMNS = LazyPattern(r"^\s*columns\(\s*([A-Za-z_]\w*)\s*(?:,\s*([A-Za-z_]\w*)\s*)?\)\s*$")

ColumnsOf = Callable[[str], list[str]]  # a table's column names, in order


class TemplateError(ValueError):
    """A template that expands to nothing (is a table missing?)."""


def has_templates(sql: str) -> bool:
    return "{{" in sql


def unknown_templates(sql: str) -> list[str]:
    """The bodies of `{{...}}` in `sql` that are not a `columns(...)` template."""
    return [hit.group(1).strip() for hit in _ANY.finditer(sql) if not _COLUMNS.match(hit.group(1))]


def expand(sql: str, columns_of: ColumnsOf) -> str:
    """`sql` with each `{{columns(...)}}` replaced by the quoted column names."""

    def replace(hit: re.Match[str]) -> str:
        found = _COLUMNS.match(hit.group(1))
        if found is None:
            raise TemplateError(f"unknown template {hit.group(0)}")
        first = columns_of(found.group(1))
        if found.group(2):
            other = {c.lower() for c in columns_of(found.group(2))}
            first = [c for c in first if c.lower() in other]
        if not first:
            raise TemplateError(f"template {hit.group(0)} found no columns (is a table missing?)")
        return ", ".join(quote_ident(c) for c in first)

    return _ANY.sub(replace, sql)
