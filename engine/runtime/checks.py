"""Checks that prove a run lost nothing: row ledger, foreign-key damage, schema, quick_check.

Ledger, foreign-key and schema checks run inside the transaction before COMMIT (SPEC §7.10);
`quick_check` runs in the preflight and on the committed result.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from engine.core.cancel import CancelToken
from engine.core.connect import quote_ident
from engine.schema import Snapshot, replay
from engine.scripts.catalog import Catalog
from engine.scripts.guards import guard_of

FkKey = tuple[str, str]  # (child table, parent table)


def table_names(conn: sqlite3.Connection) -> list[str]:
    return [
        str(row[0])
        for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' "
            "ESCAPE '\\' ORDER BY name"
        )
    ]


def row_counts(conn: sqlite3.Connection, tables: Iterable[str] | None = None) -> dict[str, int]:
    names = table_names(conn) if tables is None else list(tables)
    return {
        name: int(conn.execute(f"SELECT count(*) FROM {quote_ident(name)}").fetchone()[0])
        for name in names
    }


ValueCounts = dict[str, dict[str, int]]  # table -> column -> non-NULL values


def value_counts(conn: sqlite3.Connection) -> tuple[dict[str, int], ValueCounts]:
    """Rows per table, and non-NULL values per column, in one scan of each table.

    Row counts alone miss a rebuild that copies every row but leaves a column out.
    """
    rows: dict[str, int] = {}
    values: ValueCounts = {}
    for name in table_names(conn):
        info = list(conn.execute(f"PRAGMA table_info({quote_ident(name)})"))
        pks = [r for r in info if int(r[5])]
        # A rowid alias (the only INTEGER PRIMARY KEY column) is never NULL: it counts as a row.
        alias = str(pks[0][1]) if len(pks) == 1 and str(pks[0][2]).upper() == "INTEGER" else None
        columns = [str(r[1]) for r in info if str(r[1]) != alias]
        selected = ", ".join(["count(*)", *(f"count({quote_ident(c)})" for c in columns)])
        found = conn.execute(f"SELECT {selected} FROM {quote_ident(name)}").fetchone()
        rows[name] = int(found[0])
        values[name] = {c: int(n) for c, n in zip(columns, found[1:], strict=True)}
        if alias is not None:
            values[name][alias] = rows[name]
    return rows, values


@dataclass(frozen=True)
class LedgerResult:
    ledger: dict[str, list[int]]  # table -> [before, after]
    losses: tuple[str, ...]  # sentences, one per table that lost rows

    @property
    def ok(self) -> bool:
        return not self.losses


def compare_ledger(
    before: Mapping[str, int],
    after: Mapping[str, int],
    moves: Mapping[str, tuple[str, ...]] | None = None,
    values: tuple[ValueCounts, ValueCounts] | None = None,
) -> LedgerResult:
    """No table loses rows; rows that moved are counted across the tables they moved between.

    `moves` maps a source table to the tables its rows went to (a rename, a salvage, a split
    into `<table>_unplaced`). Such tables are checked as one group: the group's rows after the
    run must be at least its rows before.
    """
    group = _groups(moves or {})
    ledger: dict[str, list[int]] = {}
    for table in sorted(set(before) | set(after)):
        ledger[table] = [before.get(table, 0), after.get(table, 0)]
    losses: list[str] = []
    for members in sorted(
        {tuple(sorted(m)) for m in group.values()} | {(t,) for t in before if t not in group}
    ):
        was = sum(before.get(t, 0) for t in members)
        now = sum(after.get(t, 0) for t in members)
        if now >= was:
            continue
        if len(members) == 1:
            table = members[0]
            gone = "is gone" if table not in after else f"has {now}"
            losses.append(f"Table {table} had {was} rows and {gone}.")
        else:
            losses.append(f"Tables {', '.join(members)} had {was} rows together and have {now}.")
    if values is not None:
        groups = {tuple(sorted(m)) for m in group.values()} | {
            (t,) for t in before if t not in group
        }
        losses.extend(_value_losses(groups, values, moves or {}))
    return LedgerResult(ledger, tuple(losses))


def _value_losses(
    groups: set[tuple[str, ...]],
    values: tuple[ValueCounts, ValueCounts],
    moves: Mapping[str, tuple[str, ...]],
) -> list[str]:
    """Per column, the values a group of tables holds must not shrink.

    A declared column move (`moves: t.old -> t.new`) counts the old column's values as the new
    one's, within the group.
    """
    before, after = values
    renamed = {
        source.split(".", 1)[1]: target.split(".", 1)[1]
        for source, targets in moves.items()
        if "." in source
        for target in targets
        if "." in target
    }
    losses = []
    for members in sorted(groups):
        was: dict[str, int] = {}
        now: dict[str, int] = {}
        for table in members:
            # Within one table an old column and its new name hold the same values (a run that
            # stopped half-way can leave both): count them once, not twice.
            per_table: dict[str, int] = {}
            for column, count in before.get(table, {}).items():
                key = renamed.get(column, column)
                per_table[key] = max(per_table.get(key, 0), count)
            for key, count in per_table.items():
                was[key] = was.get(key, 0) + count
            for column, count in after.get(table, {}).items():
                now[column] = now.get(column, 0) + count
        for column, count in sorted(was.items()):
            if now.get(column, 0) < count:
                where = members[0] if len(members) == 1 else "/".join(members)
                losses.append(
                    f"Column {where}.{column} had {count} values and has {now.get(column, 0)}."
                )
    return losses


Fingerprints = dict[str, int]  # column -> sum of its values' hashes, modulo 2**64
_MASK = (1 << 64) - 1
_SUMS = "sqlmig_column_sums"


class _ColumnSums:
    """One call per row: each non-NULL value's hash added to its column's sum. Values arrive as
    BLOBs (`CAST(c AS BLOB)`), so 5 and '5' (an affinity change, not a new value) are equal."""

    def __init__(self) -> None:
        self.sums: list[int] = []

    def step(self, *values: bytes | None) -> None:
        sums = self.sums
        if not sums:
            sums = self.sums = [0] * len(values)
        for i, value in enumerate(values):  # a plain loop beats map()/zip() here (measured)
            if value is not None:
                sums[i] += hash(value)

    def finalize(self) -> str:
        return ",".join(str(total & _MASK) for total in self.sums)


def fingerprints(
    conn: sqlite3.Connection,
    table: str,
    *,
    skip: Iterable[str] = (),
    only: set[str] | None = None,
) -> Fingerprints:
    """Per column of `table` (lower-case names: not those in `skip`; only those in `only`), an
    order-independent, additive fingerprint of its values (a sum of per-value hashes), so that
    tables whose rows moved between each other still compare. Hashes are those of this
    process: fingerprints compare only within one run."""
    skipped = set(skip)
    columns = [
        str(r[1])
        for r in conn.execute(f"PRAGMA table_info({quote_ident(table)})")
        if str(r[1]).lower() not in skipped and (only is None or str(r[1]).lower() in only)
    ]
    if not columns:
        return {}
    cast = ", ".join(f"CAST({quote_ident(c)} AS BLOB)" for c in columns)
    # Registered only for this one query of ours: the file's schema never sees the function.
    conn.create_aggregate(_SUMS, -1, _ColumnSums)  # type: ignore[arg-type]
    try:
        found = conn.execute(f"SELECT {_SUMS}({cast}) FROM {quote_ident(table)}").fetchone()[0]
    finally:
        conn.create_aggregate(_SUMS, -1, None)  # type: ignore[arg-type]
    sums = [int(x) for x in str(found).split(",")] if found else [0] * len(columns)
    return dict(zip(columns, sums, strict=True))


def fingerprint_changes(
    before: Mapping[str, Fingerprints],
    after: Mapping[str, Fingerprints],
    moves: Mapping[str, tuple[str, ...]],
    written: set[tuple[str, str]],
) -> list[str]:
    """Columns whose values changed although no step of the plan writes them.

    Tables linked by `moves` compare as one group (their sums add up); a (table, column) pair
    in `written` (lower-case; column "*" for every column) is not compared, nor is any column
    of that name in the table's group.
    """
    group = _groups(moves)
    out = []
    for members in sorted({tuple(sorted(group.get(t, {t}))) for t in before}):
        excluded = {c for t, c in written if t in {m.lower() for m in members}}
        if "*" in excluded:
            continue
        was: dict[str, int] = {}
        now: dict[str, int] = {}
        for table in members:
            for column, total in before.get(table, {}).items():
                was[column.lower()] = was.get(column.lower(), 0) + total
            for column, total in after.get(table, {}).items():
                now[column.lower()] = now.get(column.lower(), 0) + total
        where = "/".join(members)
        for column in sorted(was):
            if column not in excluded and (was[column] - now.get(column, 0)) & _MASK:
                out.append(
                    f"Values of column {where}.{column} changed, and no step of the plan writes "
                    "that column."
                )
    return out


def _groups(moves: Mapping[str, tuple[str, ...]]) -> dict[str, set[str]]:
    """Tables connected by moves, each mapped to its whole group."""
    group: dict[str, set[str]] = {}
    for source, targets in moves.items():
        if "." in source:
            continue  # a column move, not a table move
        members = {source, *targets}
        for table in list(members):
            members |= group.get(table, set())
        for table in members:
            group[table] = members
    return group


def foreign_key_damage(conn: sqlite3.Connection) -> Counter[FkKey]:
    """Rows whose foreign key points nowhere, counted per (child, parent)."""
    counts: Counter[FkKey] = Counter()
    for table, _rowid, parent, _fkid in conn.execute("PRAGMA foreign_key_check"):
        counts[(str(table), str(parent))] += 1
    return counts


def orphans_under(conn: sqlite3.Connection, expected: Snapshot) -> Counter[FkKey]:
    """Rows that would violate the expected schema's foreign keys, counted before a run.

    A constraint the run adds over rows that already pointed nowhere must count as existing damage,
    not as damage the run did (the issue's "also when a head constraint is added over them").
    """
    present = {name: _columns(conn, name) for name in table_names(conn)}
    counts: Counter[FkKey] = Counter()
    for table in expected.tables.values():
        columns = present.get(table.name)
        if columns is None:
            continue
        for fk in table.foreign_keys:
            if not set(fk.columns) <= columns:
                continue
            not_null = " AND ".join(f"c.{quote_ident(col)} IS NOT NULL" for col in fk.columns)
            parent_columns = present.get(fk.parent)
            if parent_columns is None:
                sql = f"SELECT count(*) FROM {quote_ident(table.name)} AS c WHERE {not_null}"
            else:
                keys = _parent_keys(conn, fk.parent, fk.parent_columns)
                if keys is None or not set(keys) <= parent_columns:
                    continue
                match = " AND ".join(
                    f"p.{quote_ident(pk)} = c.{quote_ident(ck)}"
                    for pk, ck in zip(keys, fk.columns, strict=False)
                )
                sql = (
                    f"SELECT count(*) FROM {quote_ident(table.name)} AS c WHERE {not_null} "
                    f"AND NOT EXISTS (SELECT 1 FROM {quote_ident(fk.parent)} AS p WHERE {match})"
                )
            found = int(conn.execute(sql).fetchone()[0])
            if found:
                key = (table.name, fk.parent)
                counts[key] = max(counts[key], found)
    return counts


def _columns(conn: sqlite3.Connection, table: str) -> set[str]:
    return {str(row[1]) for row in conn.execute(f"PRAGMA table_info({quote_ident(table)})")}


def _parent_keys(
    conn: sqlite3.Connection, parent: str, declared: tuple[str | None, ...]
) -> tuple[str, ...] | None:
    if all(col is not None for col in declared) and declared:
        return tuple(str(col) for col in declared)
    pk = sorted(
        (int(row[5]), str(row[1]))
        for row in conn.execute(f"PRAGMA table_info({quote_ident(parent)})")
        if int(row[5])
    )
    return tuple(name for _, name in pk) or None


def new_damage(before: Counter[FkKey], after: Counter[FkKey]) -> list[str]:
    out = []
    for key, count in sorted(after.items()):
        if count > before.get(key, 0):
            child, parent = key
            out.append(
                f"{count - before.get(key, 0)} new row(s) in {child} "
                f"point to missing {parent} rows."
            )
    return out


def existing_damage(before: Counter[FkKey]) -> list[str]:
    return [
        f"{count} row(s) in {child} already pointed to missing {parent} rows (kept as they were)."
        for (child, parent), count in sorted(before.items())
    ]


def quick_check(conn: sqlite3.Connection, *, full: bool = False) -> list[str]:
    pragma = "integrity_check" if full else "quick_check"
    rows = [str(row[0]) for row in conn.execute(f"PRAGMA {pragma}(20)")]
    return [] if rows == ["ok"] else rows


# Expected schemas per catalog checksum (SPEC §7.24 names the key), shared by every run in this
# process: a second upgrade, a verify or a diff with the same catalog does not replay it again.
_SHARED: dict[str, dict[int, Snapshot]] = {}
_SHARED_CATALOGS = 8  # the most recently used catalogs kept; a developer edits a folder often
_SHARED_LOCK = threading.Lock()


def _shared_for(key: str) -> dict[int, Snapshot]:
    with _SHARED_LOCK:
        found = _SHARED.pop(key, {})
        _SHARED[key] = found  # now the most recent
        while len(_SHARED) > _SHARED_CATALOGS:
            del _SHARED[next(iter(_SHARED))]
        return found


class ExpectedSchemas:
    """The expected schema after each version, built once per catalog by replaying it in memory."""

    def __init__(self, catalog: Catalog, *, cancel: CancelToken | None = None) -> None:
        self._catalog = catalog
        self._cancel = cancel
        self._cache = _shared_for(catalog.checksum)
        self._owned: frozenset[str] | None = None

    def names(self) -> dict[int, str]:
        return dict(self._catalog.names())

    def owned_names(self) -> frozenset[str]:
        """Names (lower-case) of the objects the catalog's migrations and repairs create.

        The chain decides what happens to those; a rebuild only keeps the others.
        """
        if self._owned is None:
            statements = [s.sql for m in self._catalog.migrations for s in m.up]
            statements += [s.sql for r in self._catalog.repairs for s in r.statements]
            self._owned = frozenset(
                g.name.lower() for g in map(guard_of, statements) if g is not None
            )
        return self._owned

    def versions(self) -> list[int]:
        return [m.version for m in self._catalog.migrations]

    def at(self, version: int) -> Snapshot:
        """The schema after `version`; raises `ReplayFailed` naming the migration that broke."""
        if version not in self._cache:
            current: list[str] = []

            def steps() -> Iterator[tuple[tuple[str, ...], bool]]:
                for m in self._catalog.migrations:
                    if m.version <= version:
                        current[:] = [m.filename]
                        yield tuple(s.sql for s in m.up), m.directives.foreign_keys_off

            cancel = self._cancel
            try:
                self._cache[version] = replay(steps(), progress=cancel.progress if cancel else None)
            except sqlite3.Error as exc:
                if cancel is not None:
                    cancel.check()
                raise ReplayFailed(current[0] if current else "?", exc) from exc
        return self._cache[version]


class ReplayFailed(Exception):
    """A migration fails on an empty in-memory database, so there is no expected schema."""

    def __init__(self, filename: str, error: sqlite3.Error) -> None:
        super().__init__(f"{filename} fails when replayed on an empty database: {error}")
        self.filename = filename
        self.error = error
