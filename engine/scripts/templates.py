"""Column-list templates for repair scripts, expanded against the live schema at run time.

A salvage script cannot name the columns of a table that differs from file to file (a left-over
`CREATE TABLE … AS SELECT *` copy keeps whatever columns its source had). `{{columns(a, b)}}`
becomes the double-quoted names of the columns that tables `a` and `b` both have, in `a`'s order;
`{{columns(a)}}` all of `a`'s columns.
"""

from __future__ import annotations

import re
import sqlite3

from engine.core.connect import quote_ident

_TEMPLATE = re.compile(r"\{\{\s*columns\(\s*(\w+)\s*(?:,\s*(\w+)\s*)?\)\s*\}\}")


def has_templates(sql: str) -> bool:
    return "{{" in sql


def expand(conn: sqlite3.Connection, sql: str) -> str:
    def columns(table: str) -> list[str]:
        return [
            str(r[1]) for r in conn.execute("SELECT cid, name FROM pragma_table_info(?)", (table,))
        ]

    def replace(hit: re.Match[str]) -> str:
        first = columns(hit.group(1))
        if hit.group(2):
            other = {c.lower() for c in columns(hit.group(2))}
            first = [c for c in first if c.lower() in other]
        if not first:
            raise sqlite3.OperationalError(
                f"template {hit.group(0)} found no columns (is a table missing?)"
            )
        return ", ".join(quote_ident(c) for c in first)

    return _TEMPLATE.sub(replace, sql)
