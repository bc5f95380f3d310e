"""The row and value ledger: no table loses rows, no column loses values, and no value changes
where no step of the plan writes (checked before COMMIT, SPEC §7.10).

Rows that move between tables (a rename, a salvage, a split into `<table>_unplaced`) are counted
across the tables they move between (`moves`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from engine.runtime.checks import table_names
from engine.scripts.sqltext import quote_ident

ValueCounts = dict[str, dict[str, int]]  # table -> column -> non-NULL values


def value_counts(conn: sqlite3.Connection) -> tuple[dict[str, int], ValueCounts]:
    """Rows per table, and non-NULL values per column, in one scan of each table.

    Row counts alone miss a rebuild that copies every row but leaves a column out.
    """
    rows, values, _ = counts_and_fingerprints(conn, {})
    return rows, values


def counts_and_fingerprints(
    conn: sqlite3.Connection, wanted: Mapping[str, set[str]]
) -> tuple[dict[str, int], ValueCounts, dict[str, Fingerprints]]:
    """`value_counts`, and in the same scan of each table the fingerprints (`fingerprints`) of
    the columns `wanted` names (lower-case table -> lower-case columns): a table whose values
    are compared before COMMIT is read once, not twice. Fingerprints are keyed by lower-case
    table name."""
    rows: dict[str, int] = {}
    values: ValueCounts = {}
    prints: dict[str, Fingerprints] = {}
    # Registered only for these queries of ours: the file's schema never sees the function.
    conn.create_aggregate(_SUMS, -1, _ColumnSums)  # type: ignore[arg-type]
    try:
        for name in table_names(conn):
            found = _scan(conn, name, wanted.get(name.lower(), set()))
            rows[name], values[name] = found[0], found[1]
            if found[2]:
                prints[name.lower()] = found[2]
    finally:
        conn.create_aggregate(_SUMS, -1, None)  # type: ignore[arg-type]
    return rows, values, prints


def _scan(
    conn: sqlite3.Connection, table: str, printed: set[str]
) -> tuple[int, dict[str, int], Fingerprints]:
    """One SELECT over `table`: its rows, each column's non-NULL values, and the fingerprints
    of the `printed` columns (lower-case names; `_SUMS` must be registered)."""
    info = list(conn.execute(f"PRAGMA table_info({quote_ident(table)})"))
    pks = [r for r in info if int(r[5])]
    # A rowid alias (the only INTEGER PRIMARY KEY column) is never NULL: it counts as a row.
    alias = str(pks[0][1]) if len(pks) == 1 and str(pks[0][2]).upper() == "INTEGER" else None
    columns = [str(r[1]) for r in info if str(r[1]) != alias]
    summed = [str(r[1]) for r in info if str(r[1]).lower() in printed]
    selected = ["count(*)", *(f"count({quote_ident(c)})" for c in columns)]
    if summed:
        selected.append(f"{_SUMS}({', '.join(f'CAST({quote_ident(c)} AS BLOB)' for c in summed)})")
    found = conn.execute(f"SELECT {', '.join(selected)} FROM {quote_ident(table)}").fetchone()
    rows = int(found[0])
    values = {c: int(n) for c, n in zip(columns, found[1 : 1 + len(columns)], strict=True)}
    if alias is not None:
        values[alias] = rows
    return rows, values, _sums_of(summed, found[-1]) if summed else {}


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
    return _sums_of(columns, found)


def _sums_of(columns: list[str], found: object) -> Fingerprints:
    """The aggregate's text (one sum per column; empty for a table without rows) as a dict."""
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


