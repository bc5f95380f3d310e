"""Browsing a table or view page by page, read-only (the window's Data tab, the console's results).

A table in its key order (rowid, or a WITHOUT ROWID table's primary key), ascending or descending,
is read by keyset paging: each page is a fresh `WHERE key > last ORDER BY key LIMIT n`, so the
first page of a million-row table costs what the first page of a hundred-row table costs, and no
read transaction stays open between pages. Never `OFFSET`. Anything else (a view, a sort on
another column) streams from one forward cursor held by the caller's thread; a sort or filter no
index serves makes SQLite read every row first, which the result says (`scanning`).

A `Browser` and its connection belong to the thread that made it: the window's worker makes,
pages and closes it there.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.core.cancel import CancelToken, watch
from engine.core.connect import open_readonly, read_facts
from engine.core.errors import Refused, from_sqlite
from engine.scripts.sqlnorm import fold
from engine.state.rowfilter import quote_identifier, where_clause

PAGE_ROWS = 200
UNCHANGED = "Nothing was changed."
_ROWID_NAMES = ("rowid", "_rowid_", "oid")


@dataclass(frozen=True)
class BrowseRequest:
    table: str
    sort: str | None = None  # a column; None: the table's own order (its key)
    descending: bool = False
    filters: Mapping[str, str] = field(default_factory=dict)  # column → the user's filter text


@dataclass(frozen=True)
class Page:
    rows: tuple[tuple[Any, ...], ...]
    more: bool  # another page may follow


class CursorPages:
    """Pages from one forward cursor, with one row looked ahead so `more` is exact."""

    def __init__(self, cursor: sqlite3.Cursor, skip: int = 0) -> None:
        self._cursor = cursor
        self._skip = skip
        self._ahead: list[tuple[Any, ...]] = []
        self.done = False

    def next_page(self, limit: int) -> Page:
        if self.done:
            return Page((), False)
        rows = self._ahead + self._cursor.fetchmany(limit + 1 - len(self._ahead))
        self._ahead = rows[limit:]
        self.done = not self._ahead
        return Page(tuple(tuple(r[self._skip:]) for r in rows[:limit]), not self.done)

    def close(self) -> None:
        self._cursor.close()
        self.done = True


class Browser:
    """One table or view of one file, read in pages (see the module docstring)."""

    def __init__(self, path: str | Path, request: BrowseRequest) -> None:
        self.request = request
        self.conn = open_readonly(read_facts(Path(path)))
        try:
            self._plan(request)
        except sqlite3.Error as exc:
            self.conn.close()
            raise from_sqlite(exc, state=UNCHANGED) from exc
        except BaseException:
            self.conn.close()
            raise
        self._last: tuple[Any, ...] | None = None
        self._cursor: CursorPages | None = None
        self.exhausted = False

    def _plan(self, request: BrowseRequest) -> None:
        row = self.conn.execute(
            "SELECT type, sql FROM sqlite_master WHERE type IN ('table', 'view') "
            "AND name = ? COLLATE NOCASE", (request.table,)).fetchone()
        if row is None:
            raise Refused(f"{request.table} is not a table or view of this file.",
                          hint="Reload the file: its schema may have changed.", code="missing")
        self.is_view = row[0] == "view"
        self.table_sql = quote_identifier(request.table)
        info = self.conn.execute(f"PRAGMA table_xinfo({self.table_sql})").fetchall()
        self.columns = tuple(str(r[1]) for r in info if int(r[6]) in (0, 2, 3))
        names = {fold(c) for c in self.columns}
        for column in [request.sort or "", *request.filters]:
            if column and fold(column) not in names:
                raise Refused(f"{request.table} has no column {column}.",
                              hint="Reload the file: its schema may have changed.",
                              code="missing")
        self.condition = where_clause(dict(request.filters))
        self.key = () if self.is_view else self._key(info, str(row[1] or ""))
        key_order = request.sort is None or (
            len(self.key) == 1 and fold(request.sort) == fold(self.key[0]))
        self.keyset = bool(self.key) and key_order
        served = self._indexed_first_columns()
        wanted = [c for c in [request.sort, *request.filters] if c]
        self.scanning = self.is_view or any(
            fold(c) not in served and fold(c) not in {fold(k) for k in self.key} for c in wanted)

    def _key(self, info: list[Any], sql: str) -> tuple[str, ...]:
        """The columns whose order is the table's order: rowid (or its alias), or the primary
        key of a WITHOUT ROWID table; () when none can be named."""
        pk = sorted((r for r in info if int(r[5])), key=lambda r: int(r[5]))
        without_rowid = "without rowid" in " ".join(sql.lower().split())
        if without_rowid:
            return tuple(str(r[1]) for r in pk)
        if len(pk) == 1 and str(pk[0][2]).strip().upper() == "INTEGER":
            return (str(pk[0][1]),)  # the rowid's alias: its order is the rowid's
        taken = {fold(str(r[1])) for r in info}
        return next(((n,) for n in _ROWID_NAMES if n not in taken), ())

    def _indexed_first_columns(self) -> set[str]:
        if self.is_view:
            return set()
        served = set()
        for row in self.conn.execute(f"PRAGMA index_list({self.table_sql})").fetchall():
            first = self.conn.execute(
                f"PRAGMA index_info({quote_identifier(str(row[1]))})").fetchone()
            if first is not None and first[2] is not None:
                served.add(fold(str(first[2])))
        return served

    # -- pages -----------------------------------------------------------------------------------

    def next_page(self, limit: int = PAGE_ROWS, *, cancel: CancelToken | None = None) -> Page:
        """The next `limit` rows; a cancel stops a long read (`Cancelled`)."""
        if self.exhausted:
            return Page((), False)
        try:
            with watch(self.conn, cancel, state=UNCHANGED):
                page = self._keyset_page(limit) if self.keyset else self._cursor_page(limit)
        except sqlite3.Error as exc:
            raise from_sqlite(exc, state=UNCHANGED) from exc
        self.exhausted = not page.more
        return page

    def _select(self) -> str:
        keys = "".join(f"{quote_identifier(k)} AS _k{i}, " for i, k in enumerate(self.key)
                       if self.keyset)
        columns = ", ".join(quote_identifier(c) for c in self.columns)
        return f"SELECT {keys}{columns} FROM {self.table_sql}"

    def _keyset_page(self, limit: int) -> Page:
        order = "DESC" if self.request.descending else "ASC"
        keys = [quote_identifier(k) for k in self.key]
        conditions, params = [], list(self.condition.params)
        if self.condition.sql:
            conditions.append(f"({self.condition.sql})")
        if self._last is not None:
            op = "<" if self.request.descending else ">"
            marks = ", ".join("?" * len(keys))
            conditions.append(f"({', '.join(keys)}) {op} ({marks})")
            params.extend(self._last)
        where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
        sql = (f"{self._select()}{where} ORDER BY "
               f"{', '.join(f'{k} {order}' for k in keys)} LIMIT ?")
        rows = self.conn.execute(sql, (*params, limit + 1)).fetchall()
        shown = rows[:limit]
        if shown:
            self._last = tuple(shown[-1][: len(self.key)])
        return Page(tuple(tuple(r[len(self.key):]) for r in shown), len(rows) > limit)

    def _cursor_page(self, limit: int) -> Page:
        if self._cursor is None:
            where = f" WHERE {self.condition.sql}" if self.condition.sql else ""
            order = ""
            if self.request.sort:
                direction = "DESC" if self.request.descending else "ASC"
                order = f" ORDER BY {quote_identifier(self.request.sort)} {direction}"
            cursor = self.conn.execute(f"{self._select()}{where}{order}", self.condition.params)
            self._cursor = CursorPages(cursor)
        return self._cursor.next_page(limit)

    def close(self) -> None:
        """Close the cursor and the connection (in the thread that made them)."""
        if self._cursor is not None:
            self._cursor.close()
        self.conn.close()


def open_browser(path: str | Path, request: BrowseRequest) -> Browser:
    """A read-only `Browser` of `request.table` in `path` (close it when done)."""
    return Browser(path, request)
