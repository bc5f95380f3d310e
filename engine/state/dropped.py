"""What a rollback would drop that holds data (read-only): rows of the tables it drops, values of
the columns it drops. A column whose values are all NULL or all its default holds no data: the
up part that added it filled it so, and adding it again gives the same values."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from engine.scripts.sqltext import quote_ident
from engine.scripts.sqlwrites import tokens, writes

UNPLACED = "_unplaced"


def data_in_tables(conn: sqlite3.Connection, tables: Iterable[str]) -> list[str]:
    """One sentence per table that exists and has rows."""
    out = []
    for table in dict.fromkeys(tables):
        if not _exists(conn, table):
            continue
        rows = int(conn.execute(f"SELECT count(*) FROM {quote_ident(table)}").fetchone()[0])
        if rows:
            out.append(f"table {table} holds {rows} row(s)")
    return out


def data_in_columns(conn: sqlite3.Connection, columns: Iterable[tuple[str, str]]) -> list[str]:
    """One sentence per column that holds values other than NULL and its default."""
    out = []
    for table, column in dict.fromkeys(columns):
        if not _exists(conn, table):
            continue
        info = {str(r[1]).lower(): r for r in conn.execute(
            f"PRAGMA table_info({quote_ident(table)})")}
        if column.lower() not in info:
            continue
        default = info[column.lower()][4]
        c = quote_ident(column)
        other = f" AND {c} IS NOT ({default})" if default is not None else ""
        try:
            found = conn.execute(
                f"SELECT count(*) FROM {quote_ident(table)} WHERE {c} IS NOT NULL{other}"
            ).fetchone()[0]
        except sqlite3.Error:  # a default SQLite cannot evaluate here: count every value
            found = conn.execute(
                f"SELECT count({c}) FROM {quote_ident(table)}").fetchone()[0]
        if found:
            what = "non-NULL value(s)" if default is None else f"value(s) other than {default}"
            out.append(f"column {table}.{column} holds {found} {what}")
    return out


def _exists(conn: sqlite3.Connection, table: str) -> bool:
    row = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ? COLLATE NOCASE", (table,)
    ).fetchone()
    return row is not None


def rows_set_aside(conn: sqlite3.Connection, statements: Iterable[str]) -> list[str]:
    """One sentence per `INSERT INTO <table>_unplaced … SELECT …` that would move rows: the rows
    a down part cannot keep (counted with its own SELECT on the file as it is now; a SELECT that
    does not run here is left to the check inside the transaction)."""
    out = []
    for sql in statements:
        target = next((w for w in writes(sql) if w.kind == "insert"
                       and w.table.endswith(UNPLACED) and w.source), None)
        select = next((t.at for t in tokens(sql) if t.word == "SELECT"), None)
        if target is None or select is None:
            continue
        try:
            found = int(conn.execute(
                f"SELECT count(*) FROM ({sql[select:].strip().rstrip(';')})").fetchone()[0])
        except sqlite3.Error:
            continue
        if found:
            out.append(f"{found} row(s) of {target.source} cannot be kept and would move to "
                       f"{target.table}")
    return out
