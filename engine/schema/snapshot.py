"""Snapshot a schema with PRAGMAs: columns, types, NOT NULL, defaults, keys, indexes, foreign keys;
normalised SQL text only where PRAGMAs are blind (CHECK clauses, AUTOINCREMENT, table options,
expression and partial index bodies, trigger and view bodies). Reads sqlite_master and PRAGMAs
only: never a table row, never a view, never a trigger.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from engine.schema.model import Column, ForeignKey, Index, Snapshot, Table, Trigger, View
from engine.scripts import sqlnorm
from engine.scripts.sqlnorm import fold, normalize_default, normalize_sql, normalize_type


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


class SnapshotMemo:
    """What `snapshot` read, by the text SQLite derives it from: a table's PRAGMA facts follow
    from its CREATE TABLE text, its indexes from that text and its indexes' sqlite_master rows,
    a view's or trigger's body from its own text. Stepwise mode snapshots the file after every
    step; with one memo for the run, each snapshot reads only what the step created or changed.
    One memo per connection (the same SQLite build), for one run."""

    def __init__(self) -> None:
        self.tables: dict[tuple[str, str], Table] = {}
        self.indexes: dict[tuple[str, str, tuple[tuple[str, str | None], ...]], list[Index]] = {}
        self.bodies: dict[tuple[str, str], str] = {}


def snapshot(
    conn: sqlite3.Connection,
    *,
    schema: str = "main",
    ignore: Callable[[str], bool] | None = None,
    memo: SnapshotMemo | None = None,
) -> Snapshot:
    """Read the schema of one attached database (PRAGMAs and sqlite_master only).

    :param schema: attached schema name, e.g. "main".
    :param ignore: called with a table or view name; True leaves it (and its indexes and
        triggers) out of the snapshot, e.g. the tool's own bookkeeping tables.
    :param memo: what earlier snapshots of this connection read (stepwise mode's checks).
    """
    skip = ignore or (lambda _name: False)
    memo = memo or SnapshotMemo()
    master = conn.execute(
        f"SELECT type, name, tbl_name, sql FROM {_quote(schema)}.sqlite_master"
    ).fetchall()
    index_sql: dict[str, str | None] = {}
    index_rows: dict[str, list[tuple[str, str | None]]] = {}
    tables: dict[str, Table] = {}
    triggers: dict[str, Trigger] = {}
    views: dict[str, View] = {}
    for kind, name, tbl_name, sql in master:
        if kind == "index":
            index_sql[name] = sql
            index_rows.setdefault(fold(str(tbl_name)), []).append((str(name), sql))
    for kind, name, tbl_name, sql in master:
        if fold(str(name)).startswith("sqlite_") or skip(tbl_name):
            continue
        text = sql or ""
        if kind == "table":
            if (name, text) not in memo.tables:
                memo.tables[name, text] = _read_table(conn, schema, name, text)
            tables[name] = memo.tables[name, text]
        elif kind == "view":
            views[name] = View(name=name, body=_body(memo, kind, text), sql=text)
        elif kind == "trigger":
            triggers[name] = Trigger(
                name=name, table=tbl_name, body=_body(memo, kind, text), sql=text
            )
    indexes: dict[str, Index] = {}
    for table in tables:
        key = (table, tables[table].sql, tuple(sorted(index_rows.get(fold(table), []))))
        if key not in memo.indexes:
            memo.indexes[key] = list(_read_indexes(conn, schema, table, index_sql))
        for index in memo.indexes[key]:
            indexes[index.name] = index
    return Snapshot(tables=tables, indexes=indexes, triggers=triggers, views=views)


def _body(memo: SnapshotMemo, kind: str, sql: str) -> str:
    if (kind, sql) not in memo.bodies:
        read = sqlnorm.view_body if kind == "view" else sqlnorm.trigger_body
        memo.bodies[kind, sql] = read(sql)
    return memo.bodies[kind, sql]
