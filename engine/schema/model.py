"""The schema model: what a snapshot holds (tables, columns, indexes, triggers, views, foreign
keys) and what a comparison finds."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from engine.scripts.sqlnorm import fold


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # declared type, upper-cased, whitespace collapsed ("" if none)
    notnull: bool
    default: str | None  # normalised default expression, outer parentheses removed
    pk: int  # 1-based position in the primary key, 0 if not part of it
    hidden: int  # table_xinfo: 0 normal, 1 hidden (virtual tables), 2/3 generated columns


@dataclass(frozen=True)
class ForeignKey:
    columns: tuple[str, ...]
    parent: str
    parent_columns: tuple[str | None, ...]  # None: "REFERENCES p" (p's primary key)
    on_update: str
    on_delete: str
    match: str


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    foreign_keys: tuple[ForeignKey, ...]
    checks: tuple[str, ...]  # normalised CHECK(...) bodies, column and table level, sorted
    autoincrement: bool
    without_rowid: bool
    strict: bool
    sql: str  # raw CREATE text, for display only

    def column(self, name: str) -> Column | None:
        """The column of that name (case-insensitive, as in SQLite), or None."""
        wanted = fold(name)
        return next((c for c in self.columns if fold(c.name) == wanted), None)


@dataclass(frozen=True)
class Index:
    name: str
    table: str
    unique: bool
    origin: str  # "c" CREATE INDEX, "u" UNIQUE constraint, "pk" PRIMARY KEY
    # Key columns by name; an expression key as its normalised text. A non-default order or
    # collation is appended as in SQL: "name desc", "lower(x) collate nocase".
    columns: tuple[str, ...]
    where: str | None  # normalised partial-index WHERE text
    sql: str | None  # None for automatic indexes


@dataclass(frozen=True)
class Trigger:
    name: str
    table: str
    body: str  # normalised CREATE TRIGGER text from the trigger's name on
    sql: str = field(default="", compare=False)  # raw CREATE text, to recreate it (diff --sql)


@dataclass(frozen=True)
class View:
    name: str
    body: str  # normalised text after AS, led by the view's column list if it has one
    sql: str = field(default="", compare=False)  # raw CREATE text, to recreate it (diff --sql)


@dataclass(frozen=True)
class Snapshot:  # plain dicts keyed by name; treat as read-only
    tables: Mapping[str, Table]
    indexes: Mapping[str, Index]
    triggers: Mapping[str, Trigger]
    views: Mapping[str, View]


@dataclass(frozen=True)
class Difference:
    kind: str  # one of KINDS
    object: str  # "table worlds", "column worlds.mcp_config", "index idx_events_type", ...
    message: str  # one plain-English sentence
    expected: str | None = None
    actual: str | None = None


# The order in which differences are listed.
KINDS = ("missing_table", "missing_column", "column_differs", "missing_index", "index_differs",
         "missing_trigger", "trigger_differs", "missing_view", "view_differs",
         "foreign_keys_differ", "checks_differ", "table_options_differ")  # fmt: skip
_EXTRA_ORDER = ("table", "column", "index", "trigger", "view")


@dataclass(frozen=True)
class SchemaDiff:
    differences: tuple[Difference, ...]
    extras: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.differences
