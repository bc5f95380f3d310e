"""The schema inspector's reading (read-only): every table, view, index and trigger of a file with
its columns, keys and CREATE text, each marked with how it differs from the expected schema of
the file's version; and row counts, one table at a time.

Differences reuse the schema model (engine/schema: snapshot, compare) and the expected schema
replayed once per catalog (engine/state/expected.py). The version a file is compared with is its
tracked version, or for a legacy file the position its shape shows (`LegacyReport.shape_version`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from engine.core.cancel import CancelToken, watch
from engine.core.connect import open_readonly, read_facts
from engine.core.errors import from_sqlite
from engine.core.tables import is_bookkeeping
from engine.core.verdicts import State
from engine.scripts.catalog import Catalog
from engine.scripts.sqlnorm import fold
from engine.state.expected import ExpectedSchemas, ReplayFailed
from engine.state.inspection import Inspection

UNCHANGED = "Nothing was changed."
KIND_ORDER = ("table", "view", "index", "trigger")


def quote(name: str) -> str:
    """An identifier quoted for SQL text (the only way a name reaches a statement)."""
    return '"' + name.replace('"', '""') + '"'


@dataclass(frozen=True)
class ColumnInfo:
    name: str
    type: str
    not_null: bool
    default: str | None
    primary_key: int  # 1-based position in the primary key, 0 when not part of it
    hidden: int  # PRAGMA table_xinfo: 0 normal, 1 hidden, 2 generated virtual, 3 generated stored


@dataclass(frozen=True)
class IndexInfo:
    name: str
    unique: bool
    origin: str  # "c" CREATE INDEX, "u" UNIQUE, "pk" PRIMARY KEY
    columns: tuple[str, ...]
    partial: bool


@dataclass(frozen=True)
class ForeignKeyInfo:
    table: str  # the child table
    columns: tuple[str, ...]
    parent: str
    parent_columns: tuple[str, ...]
    on_delete: str
    on_update: str


@dataclass(frozen=True)
class SchemaObject:
    kind: str  # "table", "view", "index" or "trigger"
    name: str
    table: str  # the table an index or trigger belongs to (its own name for a table or view)
    sql: str  # the CREATE statement ("" for an automatic index)
    columns: tuple[ColumnInfo, ...] = ()
    indexes: tuple[IndexInfo, ...] = ()
    references: tuple[ForeignKeyInfo, ...] = ()  # this table's foreign keys
    referenced_by: tuple[ForeignKeyInfo, ...] = ()  # other tables' foreign keys pointing here
    triggers: tuple[str, ...] = ()
    differences: tuple[str, ...] = ()  # sentences: how it differs from the expected schema

    @property
    def differs(self) -> bool:
        return bool(self.differences)


@dataclass(frozen=True)
class SchemaReport:
    path: Path
    objects: tuple[SchemaObject, ...]
    expected_version: int | None  # None: nothing to compare with (fresh, foreign, …)
    missing: tuple[str, ...] = ()  # expected objects the file lacks, as sentences
    note: str = ""  # why nothing was compared, when nothing was

    def of_kind(self, kind: str) -> tuple[SchemaObject, ...]:
        return tuple(o for o in self.objects if o.kind == kind)

    def find(self, name: str) -> SchemaObject | None:
        return next((o for o in self.objects if fold(o.name) == fold(name)), None)

    @property
    def tables(self) -> tuple[str, ...]:
        return tuple(o.name for o in self.objects if o.kind in ("table", "view"))


@dataclass
class _Diffs:
    by_object: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)


def expected_version(inspection: Inspection) -> int | None:
    """The version whose expected schema a file is compared with (None: none applies)."""
    if inspection.state == State.TRACKED:
        return inspection.current_version
    if inspection.state == State.LEGACY and inspection.legacy is not None:
        return inspection.legacy.shape_version
    return None


def inspect_schema(
    inspection: Inspection, catalog: Catalog, *, cancel: CancelToken | None = None
) -> SchemaReport:
    """Read the schema of `inspection.path` (read-only) and compare it with the expected one."""
    version = expected_version(inspection)
    conn = open_readonly(read_facts(Path(inspection.path)))
    try:
        with watch(conn, cancel):
            master = conn.execute(
                "SELECT type, name, tbl_name, coalesce(sql, '') FROM sqlite_master "
                "WHERE type IN ('table', 'view', 'index', 'trigger')"
            ).fetchall()
            diffs, note = _differences(conn, catalog, version)
            objects = _objects(conn, master, diffs)
    except sqlite3.Error as exc:
        raise from_sqlite(exc, state=UNCHANGED) from exc
    finally:
        conn.close()
    return SchemaReport(Path(inspection.path), objects, version if not note else None,
                        tuple(diffs.missing), note)


def _differences(
    conn: sqlite3.Connection, catalog: Catalog, version: int | None
) -> tuple[_Diffs, str]:
    from engine.schema import compare, snapshot  # loaded only when a comparison is made

    diffs = _Diffs()
    if version is None:
        return diffs, "No expected schema applies to this file."
    try:
        expected = ExpectedSchemas(catalog).at(version)
    except ReplayFailed as exc:
        return diffs, str(exc)
    for d in compare(snapshot(conn, ignore=is_bookkeeping), expected).differences:
        kind, _, name = d.object.partition(" ")
        if kind == "column":
            kind, name = "table", name.split(".", 1)[0]
        sentence = " ".join([d.message, *(f"{label}: {' '.join(text.split())}." for label, text
                                          in (("Expected", d.expected), ("Found", d.actual))
                                          if text)])
        if d.kind.startswith("missing_") and d.kind != "missing_column":
            diffs.missing.append(d.message)
        else:
            diffs.by_object.setdefault((kind, fold(name)), []).append(sentence)
    return diffs, ""


def _objects(
    conn: sqlite3.Connection, master: list[tuple[str, str, str, str]], diffs: _Diffs
) -> tuple[SchemaObject, ...]:
    tables = [name for kind, name, _t, _s in master if kind == "table"]
    keys = {t: _foreign_keys(conn, t) for t in tables}
    incoming: dict[str, list[ForeignKeyInfo]] = {}
    for fks in keys.values():
        for fk in fks:
            incoming.setdefault(fold(fk.parent), []).append(fk)
    triggers: dict[str, list[str]] = {}
    for kind, name, table, _sql in master:
        if kind == "trigger":
            triggers.setdefault(fold(table), []).append(name)
    objects = []
    for kind, name, table, sql in master:
        has_rows = kind in ("table", "view")
        objects.append(SchemaObject(
            kind, name, table, sql,
            columns=_columns(conn, name) if has_rows else (),
            indexes=_indexes(conn, name) if kind == "table" else (),
            references=tuple(keys.get(name, ())),
            referenced_by=tuple(incoming.get(fold(name), ())) if kind == "table" else (),
            triggers=tuple(sorted(triggers.get(fold(name), ()))) if has_rows else (),
            differences=tuple(diffs.by_object.get((kind, fold(name)), ())),
        ))
    objects.sort(key=lambda o: (KIND_ORDER.index(o.kind), fold(o.name)))
    return tuple(objects)


def _columns(conn: sqlite3.Connection, table: str) -> tuple[ColumnInfo, ...]:
    try:
        rows = conn.execute(f"PRAGMA table_xinfo({quote(table)})").fetchall()
    except sqlite3.OperationalError:  # a virtual table whose module is not loaded here
        return ()
    # cid, name, type, notnull, dflt_value, pk, hidden
    return tuple(ColumnInfo(str(r[1]), str(r[2] or ""), bool(r[3]), r[4], int(r[5]), int(r[6]))
                 for r in rows)


def _indexes(conn: sqlite3.Connection, table: str) -> tuple[IndexInfo, ...]:
    found = []
    for row in conn.execute(f"PRAGMA index_list({quote(table)})").fetchall():
        name = str(row[1])
        info = conn.execute(f"PRAGMA index_info({quote(name)})").fetchall()
        columns = tuple(str(r[2]) if r[2] is not None else "(expression)" for r in info)
        found.append(IndexInfo(name, bool(row[2]), str(row[3]), columns, bool(row[4])))
    return tuple(sorted(found, key=lambda i: fold(i.name)))


def _foreign_keys(conn: sqlite3.Connection, table: str) -> list[ForeignKeyInfo]:
    groups: dict[int, list[tuple[int, ...]]] = {}
    for r in conn.execute(f"PRAGMA foreign_key_list({quote(table)})").fetchall():
        groups.setdefault(int(r[0]), []).append(r)
    found = []
    for rows in groups.values():  # id, seq, table, from, to, on_update, on_delete, match
        rows.sort(key=lambda r: int(r[1]))
        found.append(ForeignKeyInfo(
            table, tuple(str(r[3]) for r in rows), str(rows[0][2]),
            tuple(str(r[4]) if r[4] is not None else "(primary key)" for r in rows),
            str(rows[0][6]), str(rows[0][5])))
    return found


def count_rows(
    path: str | Path,
    tables: Iterable[str],
    on_count: Callable[[str, int], None],
    *,
    cancel: CancelToken | None = None,
) -> dict[str, int]:
    """Count the rows of each table, one at a time, calling `on_count(table, n)` as each count
    arrives; a cancel stops between tables and inside a long count (`Cancelled`)."""
    counts: dict[str, int] = {}
    conn = open_readonly(read_facts(Path(path)))
    try:
        for table in tables:
            if cancel is not None:
                cancel.check(UNCHANGED)
            with watch(conn, cancel, state=UNCHANGED):
                try:
                    row = conn.execute(f"SELECT count(*) FROM {quote(table)}").fetchone()
                except sqlite3.OperationalError:
                    if cancel is not None:
                        cancel.check(UNCHANGED)
                    continue  # a view that no longer compiles, a virtual table without module
            counts[table] = int(row[0])
            on_count(table, counts[table])
    except sqlite3.Error as exc:
        raise from_sqlite(exc, state=UNCHANGED) from exc
    finally:
        conn.close()
    return counts
