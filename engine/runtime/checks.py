"""Checks of a file's data that a run makes: row counts, foreign-key damage (existing vs new,
also under the target's constraints), `quick_check`.

Foreign-key checks run inside the transaction before COMMIT (SPEC §7.10); `quick_check` runs in
the preflight and on the committed result. The row and value ledger is engine/runtime/ledger.py.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Iterable

from engine.schema import Snapshot
from engine.scripts.sqltext import quote_ident

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
    A constraint the table already declares is left out: `foreign_key_damage` counts its rows
    under the same key, and the caller keeps the larger count per key (one scan, not two).
    """
    present = {name: _columns(conn, name) for name in table_names(conn)}
    counts: Counter[FkKey] = Counter()
    for table in expected.tables.values():
        columns = present.get(table.name)
        if columns is None:
            continue
        declared = _declared_keys(conn, table.name)
        for fk in table.foreign_keys:
            if not set(fk.columns) <= columns:
                continue
            if (fk.parent, tuple(fk.columns), tuple(fk.parent_columns)) in declared:
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


def _declared_keys(
    conn: sqlite3.Connection, table: str
) -> set[tuple[str, tuple[str, ...], tuple[str | None, ...]]]:
    """The foreign keys `table` declares now, as (parent, columns, parent columns)."""
    groups: dict[int, list[tuple[int, int, str, str, str | None]]] = {}
    for row in conn.execute(f"PRAGMA foreign_key_list({quote_ident(table)})"):
        groups.setdefault(int(row[0]), []).append(tuple(row[:5]))
    keys = set()
    for rows in groups.values():
        rows.sort(key=lambda r: int(r[1]))
        keys.add((rows[0][2], tuple(r[3] for r in rows), tuple(r[4] for r in rows)))
    return keys


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


