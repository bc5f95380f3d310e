"""Snapshot a SQLite schema, compare two snapshots, and build an expected schema by replay.

Facts come from PRAGMAs wherever they can see them (columns, types, NOT NULL, defaults, keys,
indexes, foreign keys); normalised SQL text is used only where PRAGMAs are blind (CHECK clauses,
AUTOINCREMENT, table options, expression and partial index bodies, trigger and view bodies).
A snapshot reads sqlite_master and PRAGMAs only: never a table row, never a view, never a trigger.
"""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import zip_longest
from typing import Any, NamedTuple, TypeVar

from engine.scripts import sqlnorm
from engine.scripts.attach import guard_connection, in_memory
from engine.scripts.sqlnorm import fold, normalize_default, normalize_type
from engine.scripts.sqlnorm import normalize_sql as normalize_sql  # re-exported: part of the API
from engine.scripts.sqltext import first_keywords

# Public API: the dataclasses, snapshot, compare, replay, format_diff (and normalize_sql).


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


@dataclass(frozen=True)
class View:
    name: str
    body: str  # normalised text after AS, led by the view's column list if it has one


@dataclass(frozen=True)
class Snapshot:  # plain dicts keyed by name; treat as read-only
    tables: Mapping[str, Table]
    indexes: Mapping[str, Index]
    triggers: Mapping[str, Trigger]
    views: Mapping[str, View]


# ---------------------------------------------------------------------------------------------
# snapshot


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _pragma(conn: sqlite3.Connection, schema: str, name: str, arg: str) -> list[Any]:
    return conn.execute(f"PRAGMA {_quote(schema)}.{name}({_quote(arg)})").fetchall()


def _read_table(conn: sqlite3.Connection, schema: str, name: str, sql: str) -> Table:
    text = sqlnorm.parse_create_table(sql)
    try:
        xinfo = _pragma(conn, schema, "table_xinfo", name)
    except sqlite3.OperationalError:
        # A virtual table whose module is not loaded in this process: its text is all we have.
        if not normalize_sql(sql).startswith("create virtual"):
            raise
        xinfo = []
    # table_xinfo rows: cid, name, type, notnull, dflt_value, pk, hidden
    columns = tuple(
        Column(str(r[1]), normalize_type(r[2]), bool(r[3]), normalize_default(r[4]), r[5], r[6])
        for r in xinfo
    )
    groups: dict[int, list[Any]] = {}
    for r in _pragma(conn, schema, "foreign_key_list", name):
        groups.setdefault(r[0], []).append(r)
    fks = []
    for rows in groups.values():  # rows: id, seq, table, from, to, on_update, on_delete, match
        rows.sort(key=lambda r: int(r[1]))
        cols, parent_cols = tuple(r[3] for r in rows), tuple(r[4] for r in rows)
        fks.append(ForeignKey(cols, rows[0][2], parent_cols, *rows[0][5:8]))
    fk_tuple = tuple(sorted(fks, key=repr))
    opts = (text.autoincrement, text.without_rowid, text.strict)
    return Table(name, columns, fk_tuple, text.checks, *opts, sql=sql)


def _read_indexes(
    conn: sqlite3.Connection, schema: str, table: str, sqls: Mapping[str, str | None]
) -> Iterator[Index]:
    for row in _pragma(conn, schema, "index_list", table):
        name, unique, origin, partial = str(row[1]), bool(row[2]), str(row[3]), bool(row[4])
        sql = sqls.get(name)
        text = sqlnorm.parse_create_index(sql) if sql else None
        keys = [r for r in _pragma(conn, schema, "index_xinfo", name) if r[5]]
        columns = []
        for seq, (_, cid, col, desc, coll, _key) in enumerate(keys):
            if col is not None:
                term = str(col)
            elif cid == -1:
                term = "rowid"
            else:  # an expression key: only the CREATE INDEX text knows it
                term = text.terms[seq] if text and seq < len(text.terms) else "?"
            # Non-default order and collation are part of the key, so they are part of the term.
            if isinstance(coll, str) and fold(coll) != "binary":
                term += " collate " + fold(coll)
            if desc:
                term += " desc"
            columns.append(term)
        where = text.where if text and partial else None
        yield Index(name, table, unique, origin, tuple(columns), where, sql)


def snapshot(
    conn: sqlite3.Connection,
    *,
    schema: str = "main",
    ignore: Callable[[str], bool] | None = None,
) -> Snapshot:
    """Read the schema of one attached database (PRAGMAs and sqlite_master only).

    :param schema: attached schema name, e.g. "main".
    :param ignore: called with a table or view name; True leaves it (and its indexes and
        triggers) out of the snapshot, e.g. the tool's own bookkeeping tables.
    """
    skip = ignore or (lambda _name: False)
    master = conn.execute(
        f"SELECT type, name, tbl_name, sql FROM {_quote(schema)}.sqlite_master"
    ).fetchall()
    index_sql: dict[str, str | None] = {}
    tables: dict[str, Table] = {}
    triggers: dict[str, Trigger] = {}
    views: dict[str, View] = {}
    for kind, name, _tbl, sql in master:
        if kind == "index":
            index_sql[name] = sql
    for kind, name, tbl_name, sql in master:
        if fold(str(name)).startswith("sqlite_") or skip(tbl_name):
            continue
        if kind == "table":
            tables[name] = _read_table(conn, schema, name, sql or "")
        elif kind == "view":
            views[name] = View(name=name, body=sqlnorm.view_body(sql or ""))
        elif kind == "trigger":
            triggers[name] = Trigger(
                name=name, table=tbl_name, body=sqlnorm.trigger_body(sql or "")
            )
    indexes: dict[str, Index] = {}
    for table in tables:
        for index in _read_indexes(conn, schema, table, index_sql):
            indexes[index.name] = index
    return Snapshot(tables=tables, indexes=indexes, triggers=triggers, views=views)


# ---------------------------------------------------------------------------------------------
# compare


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


def _describe_column(c: Column) -> str:
    parts = [c.type or "(no type)", "NOT NULL" if c.notnull else ""]
    parts.append("" if c.default is None else f"DEFAULT {c.default}")
    parts.append(f"PRIMARY KEY #{c.pk}" if c.pk else "")
    parts.append(f"hidden={c.hidden}" if c.hidden else "")
    return " ".join(p for p in parts if p)


_COLUMN_ASPECTS = (("type", "type"), ("notnull", "NOT NULL"), ("default", "default"),
                   ("pk", "primary key position"), ("hidden", "generated/hidden flag"))  # fmt: skip


class _FkKey(NamedTuple):
    columns: tuple[str, ...]
    parent: str
    parent_columns: tuple[str, ...]
    on_update: str
    on_delete: str
    match: str

    def __str__(self) -> str:
        match = "" if self.match == "NONE" else f" MATCH {self.match}"
        return (
            f"({', '.join(self.columns)}) -> {self.parent}({', '.join(self.parent_columns)})"
            f" ON UPDATE {self.on_update} ON DELETE {self.on_delete}{match}"
        )


def _fk_key(fk: ForeignKey, snap: Snapshot) -> _FkKey:
    parent_cols = fk.parent_columns
    if any(c is None for c in parent_cols):
        # "REFERENCES p" means p's primary key; resolve it so it equals "REFERENCES p(id)".
        parent = snap.tables.get(fk.parent) or next(
            (t for k, t in snap.tables.items() if fold(k) == fold(fk.parent)), None
        )
        pk = sorted((c for c in parent.columns if c.pk), key=lambda c: c.pk) if parent else []
        if len(pk) == len(parent_cols):
            parent_cols = tuple(c.name for c in pk)
    return _FkKey(
        tuple(fold(c) for c in fk.columns),
        fold(fk.parent),
        tuple(fold(c) if c else "" for c in parent_cols),
        fk.on_update.upper(),
        fk.on_delete.upper(),
        fk.match.upper(),
    )


def _describe_fks(table: Table, snap: Snapshot) -> str:
    keys = sorted(_fk_key(fk, snap) for fk in table.foreign_keys)
    return "; ".join(str(k) for k in keys) or "(none)"


def _describe_checks(table: Table, _snap: Snapshot) -> str:
    return "; ".join(table.checks) or "(none)"


def _describe_options(table: Table, _snap: Snapshot) -> str:
    flags = {"AUTOINCREMENT": table.autoincrement, "WITHOUT ROWID": table.without_rowid,
             "STRICT": table.strict}  # fmt: skip
    return ", ".join(name for name, on in flags.items() if on) or "(none)"


# Table-level aspects compared as one normalised description each (order-insensitive).
_TABLE_ASPECTS = (
    ("foreign_keys_differ", "foreign keys", _describe_fks),
    ("checks_differ", "CHECK constraints", _describe_checks),
    ("table_options_differ", "table options", _describe_options),
)


def _compare_tables(actual: Snapshot, expected: Snapshot) -> Iterator[Difference | str]:
    act_names = {fold(k): k for k in actual.tables}
    exp_names = {fold(k) for k in expected.tables}
    for key in sorted(expected.tables):
        exp, t = expected.tables[key], expected.tables[key].name
        found = act_names.get(fold(key))
        if found is None:
            yield Difference("missing_table", f"table {t}", f"Table {t} is missing.", exp.sql)
            continue
        act = actual.tables[found]
        # One dict per table, not column() per column: 2,000-column tables stay linear.
        act_cols = {fold(c.name): c for c in act.columns}
        exp_cols = {fold(c.name) for c in exp.columns}
        for col in exp.columns:
            other, obj = act_cols.get(fold(col.name)), f"column {t}.{col.name}"
            if other is None:
                msg = f"Column {t}.{col.name} is missing."
                yield Difference("missing_column", obj, msg, _describe_column(col))
                continue
            changed = [w for a, w in _COLUMN_ASPECTS if getattr(col, a) != getattr(other, a)]
            if changed:
                msg = f"Column {t}.{col.name} has a different {' and '.join(changed)}."
                desc = _describe_column(col), _describe_column(other)
                yield Difference("column_differs", obj, msg, *desc)
        yield from (f"column {t}.{c.name}" for c in act.columns if fold(c.name) not in exp_cols)
        for kind, label, describe in _TABLE_ASPECTS:
            want, got = describe(exp, expected), describe(act, actual)
            if want != got:
                msg = f"Table {t} has different {label}."
                yield Difference(kind, f"table {t}", msg, want, got)
    yield from (f"table {k}" for k in actual.tables if fold(k) not in exp_names)


_T = TypeVar("_T")


def _compare_named(
    noun: str,
    actual: Mapping[str, _T],
    expected: Mapping[str, _T],
    shape: Callable[[_T], object],
    describe: Callable[[_T], str],
) -> Iterator[Difference | str]:
    """Missing / differing / extra objects of one kind, matched by case-folded name."""
    act = {fold(k): v for k, v in actual.items()}
    exp_keys = {fold(k) for k in expected}
    kind = noun.split()[-1]
    for name in sorted(expected):
        exp, other, obj = expected[name], act.get(fold(name)), f"{kind} {name}"
        if other is None:
            msg = f"{noun.capitalize()} {name} is missing."
            yield Difference(f"missing_{kind}", obj, msg, describe(exp))
        elif shape(exp) != shape(other):
            msg = f"{noun.capitalize()} {name} has a different definition."
            yield Difference(f"{kind}_differs", obj, msg, describe(exp), describe(other))
    yield from (f"{kind} {k}" for k in actual if fold(k) not in exp_keys)


def _index_shape(i: Index) -> tuple[object, ...]:
    return (fold(i.table), i.unique, i.origin, tuple(fold(c) for c in i.columns), i.where)


def _describe_index(i: Index) -> str:
    text = f"{'UNIQUE ' if i.unique else ''}ON {i.table}({', '.join(i.columns)})"
    return text + (f" WHERE {i.where}" if i.where else "")


def _is_auto(i: Index) -> bool:
    return i.origin != "c" or fold(i.name).startswith("sqlite_autoindex_")


def _auto_by_shape(snap: Snapshot) -> dict[tuple[object, ...], list[Index]]:
    out: dict[tuple[object, ...], list[Index]] = {}
    for idx in sorted(snap.indexes.values(), key=lambda i: i.name):
        if _is_auto(idx):
            key = (fold(idx.table), tuple(fold(c) for c in idx.columns))
            out.setdefault(key, []).append(idx)
    return out


def _compare_indexes(actual: Snapshot, expected: Snapshot) -> Iterator[Difference | str]:
    # Autoindexes are matched by table and key columns: their number suffix depends on the
    # order in which constraints were written, which is not part of the schema's meaning.
    act_auto = _auto_by_shape(actual)
    for shape, exp_list in _auto_by_shape(expected).items():
        act_list = act_auto.pop(shape, [])
        for exp, act in zip_longest(exp_list, act_list[: len(exp_list)]):
            what = f"The automatic index of table {exp.table} on ({', '.join(exp.columns)})"
            if act is None:
                msg = f"{what} is missing."
                yield Difference("missing_index", f"index {exp.name}", msg, _describe_index(exp))
            elif _index_shape(exp) != _index_shape(act):
                msg, desc = f"{what} differs.", (_describe_index(exp), _describe_index(act))
                yield Difference("index_differs", f"index {exp.name}", msg, *desc)
        yield from (f"index {i.name}" for i in act_list[len(exp_list) :])
    yield from (f"index {i.name}" for rest in act_auto.values() for i in rest)

    def named(snap: Snapshot) -> dict[str, Index]:
        return {k: i for k, i in snap.indexes.items() if not _is_auto(i)}

    yield from _compare_named(
        "index", named(actual), named(expected), _index_shape, _describe_index
    )


def compare(actual: Snapshot, expected: Snapshot) -> SchemaDiff:
    """Every expected object must be present and equal in actual; extra objects are listed.

    Columns are matched by name (order ignored), autoindexes by table and key columns, every
    other object by name; names match case-insensitively, as SQLite's do.
    """
    parts = itertools.chain(
        _compare_tables(actual, expected),
        _compare_indexes(actual, expected),
        _compare_named(
            "trigger", actual.triggers, expected.triggers,
            lambda t: (fold(t.table), t.body), lambda t: t.body,
        ),
        _compare_named(
            "view", actual.views, expected.views, lambda v: v.body, lambda v: v.body
        ),
    )  # fmt: skip
    differences: list[Difference] = []
    extras: list[str] = []
    for item in parts:
        if isinstance(item, Difference):
            differences.append(item)
        else:
            extras.append(item)
    differences.sort(key=lambda d: (KINDS.index(d.kind), d.object))
    extras.sort(key=lambda e: (_EXTRA_ORDER.index(e.split(" ", 1)[0]), e))
    return SchemaDiff(differences=tuple(differences), extras=tuple(extras))


def format_diff(diff: SchemaDiff) -> list[str]:
    """Readable lines for the CLI and the GUI."""
    if diff.ok and not diff.extras:
        return ["The schema matches the expected schema."]
    lines = []
    if diff.ok:
        lines.append("Every expected object is present and equal.")
    else:
        lines.append(f"{len(diff.differences)} difference(s) from the expected schema:")
    for d in diff.differences:
        lines.append(f"  - {d.message}")
        # Whitespace is collapsed so a multi-line CREATE statement stays one readable line.
        if d.expected is not None:
            lines.append(f"      expected: {' '.join(d.expected.split())}")
        if d.actual is not None:
            lines.append(f"      found:    {' '.join(d.actual.split())}")
    if diff.extras:
        lines.append(f"{len(diff.extras)} extra object(s), kept and not counted as errors:")
        lines.extend(f"  + {e}" for e in diff.extras)
    return lines


# ---------------------------------------------------------------------------------------------
# replay

# Statements that change data only (a CTE always leads one of them) or maintain the file.
_NOT_SCHEMA = frozenset(
    {"INSERT", "UPDATE", "DELETE", "REPLACE", "SELECT", "VALUES", "WITH"}
    | {"VACUUM", "ANALYZE", "REINDEX", "EXPLAIN"}
)


def replay(
    steps: Iterable[tuple[Sequence[str], bool]], *, progress: Callable[[], int] | None = None
) -> Snapshot:
    """Build the expected schema by running migration steps on a fresh in-memory database.

    Each step is (statements, foreign_keys_off). Only statements that can change the schema run:
    data statements would cost the time of the real migration for nothing (the database is
    empty), and VACUUM cannot run in the replay's transaction. An ATTACH (or VACUUM INTO) gets
    an in-memory database under the same name, and an authorizer makes sure that no statement
    ever reaches a file. sqlite3.Error propagates unchanged (a non-zero `progress()`, e.g. a
    cancel token's, stops it with SQLITE_INTERRUPT).
    """
    conn = sqlite3.connect(":memory:", isolation_level=None)
    guard_connection(conn, allowed=False)
    if progress is not None:
        conn.set_progress_handler(progress, 20_000)
    try:
        for statements, foreign_keys_off in steps:
            # PRAGMA foreign_keys is a no-op inside a transaction, so it is set before BEGIN.
            conn.execute(f"PRAGMA foreign_keys = {'OFF' if foreign_keys_off else 'ON'}")
            conn.execute("BEGIN")
            try:
                for statement in statements:
                    if set(first_keywords(statement, 1)) & _NOT_SCHEMA:
                        continue
                    conn.execute(in_memory(statement) or statement)
            except BaseException:
                if conn.in_transaction:
                    conn.rollback()
                raise
            conn.execute("COMMIT")
        return snapshot(conn)
    finally:
        conn.close()
