"""The issue's properties of one legacy-bridge upgrade, checked from the outside.

`check_reaches_head(path)` records the file's state, runs `engine.upgrade(path, backup=False)` and
asserts: ok; schema equal to head (extras allowed); user_version 18; history rows exactly 0…18
with the catalog's names; no row lost (per table family, in total, and by content for memory and
archived messages); no new foreign-key damage against the head constraints; integrity_check ok; a
second upgrade applies nothing. It returns an `Outcome` for test-specific assertions.
"""

from __future__ import annotations

import atexit
import shutil
import sqlite3
import tempfile
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import engine
from engine.schema import compare, format_diff, snapshot

HEAD = 18
TOOL_METHODS = {"adopted", "executed", "repaired"}
BOOKKEEPING = frozenset({"sqlite_sequence", "schema_migrations", "sqlmig_log"})
SUFFIXES = ("_backup", "_legacy", "_unplaced")
# Tables whose rows the bridge may move between layouts; checked by content, not only by count.
CONTENT_TABLES = ("agent_memory", "archived_messages")
# Columns a migration legitimately rewrites, left out of the row-by-row comparison: 0009 fills
# NULL `events.seq` with 1..n per (world, chat).
BACKFILLED = {"events": {"seq"}}


def q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def family(table: str) -> str:
    """`agent_memory_backup`, `agent_memory_unplaced`, `archive_statistics_legacy` → base name."""
    for suffix in SUFFIXES:
        if table.endswith(suffix):
            return table[: -len(suffix)]
    return table


# --------------------------------------------------------------------------------------------
# PRAGMA-level schema facts (shared with test_builders.py)


def tables_of(conn: sqlite3.Connection) -> list[str]:
    return [
        str(r[0])
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
    ]


def pragma_schema(conn: sqlite3.Connection) -> dict[str, Any]:
    """Tables (columns in cid order, FKs), index names, trigger names, by PRAGMAs."""
    tables = {}
    for name in tables_of(conn):
        cols = [tuple(r[1:]) for r in conn.execute(f"PRAGMA table_info({q(name)})")]
        fks = sorted(
            (str(r[2]), str(r[3]), str(r[4]), str(r[6]))
            for r in conn.execute(f"PRAGMA foreign_key_list({q(name)})")
        )
        tables[name] = {"columns": cols, "fks": fks}
    indexes = sorted(
        str(r[0]) for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")
    )
    triggers = sorted(
        str(r[0]) for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
    )
    return {"tables": tables, "indexes": indexes, "triggers": triggers}


def open_ro(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True)


# --------------------------------------------------------------------------------------------
# the head reference


_SCRATCH = Path(tempfile.mkdtemp(prefix="sqlmig-head-ref-"))
atexit.register(shutil.rmtree, _SCRATCH, True)


@cache
def head_reference() -> Path:
    """A file upgraded from empty by the bundled chain (the head schema)."""
    path = _SCRATCH / "head.db"
    sqlite3.connect(path).close()
    result = engine.upgrade(path, backup=False)
    assert result.ok, f"the bundled chain does not build head from empty: {result.error}"
    return path


@cache
def head_snapshot() -> Any:
    conn = open_ro(head_reference())
    try:
        return snapshot(conn, ignore=BOOKKEEPING.__contains__)
    finally:
        conn.close()


@cache
def head_foreign_keys() -> tuple[tuple[str, str, tuple[str, ...], tuple[str, ...]], ...]:
    """(child, parent, child columns, parent columns) of every head FK."""
    conn = open_ro(head_reference())
    try:
        out = []
        for table in tables_of(conn):
            groups: dict[int, list[Any]] = {}
            for row in conn.execute(f"PRAGMA foreign_key_list({q(table)})"):
                groups.setdefault(int(row[0]), []).append(row)
            for rows in groups.values():
                rows.sort(key=lambda r: int(r[1]))
                parent = str(rows[0][2])
                out.append(
                    (table, parent, tuple(str(r[3]) for r in rows), tuple(str(r[4]) for r in rows))
                )
        return tuple(out)
    finally:
        conn.close()


@cache
def catalog_names() -> dict[int, str]:
    return {m.version: m.name for m in engine.load_catalog().migrations}


# --------------------------------------------------------------------------------------------
# state before the upgrade


@dataclass
class Before:
    counts: dict[str, int]
    columns: dict[str, list[str]]
    history: dict[int, str] | None
    orphans: Counter[tuple[str, str]]
    contents: dict[str, Counter[str]]  # family → content values (agent_memory, archived_messages)
    summaries: list[str]  # non-null legacy `summary` values (no place in head)
    copy: Path  # an untouched copy, attached after the upgrade for row-by-row checks


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [str(r[1]) for r in conn.execute(f"PRAGMA table_info({q(table)})")]


def _parent_key(conn: sqlite3.Connection, parent: str, declared: tuple[str, ...]) -> list[str]:
    if all(declared) and declared and declared[0] != "None":
        return list(declared)
    return [
        str(r[1])
        for r in sorted(conn.execute(f"PRAGMA table_info({q(parent)})"), key=lambda r: r[5])
        if r[5]
    ]


def head_orphans(conn: sqlite3.Connection) -> Counter[tuple[str, str]]:
    """Rows that already violate a head FK (also counting rows waiting in `<table>_backup`)."""
    present = {t: set(_columns(conn, t)) for t in tables_of(conn)}
    counts: Counter[tuple[str, str]] = Counter()
    for child, parent, ccols, pcols in head_foreign_keys():
        for source in (child, child + "_backup"):
            have = present.get(source)
            if have is None or not set(ccols) <= have:
                continue
            not_null = " AND ".join(f"c.{q(c)} IS NOT NULL" for c in ccols)
            if parent not in present:
                sql = f"SELECT count(*) FROM {q(source)} AS c WHERE {not_null}"
            else:
                keys = _parent_key(conn, parent, pcols)
                if not set(keys) <= present[parent]:
                    continue
                match = " AND ".join(
                    f"p.{q(k)} = c.{q(c)}" for k, c in zip(keys, ccols, strict=False)
                )
                sql = (
                    f"SELECT count(*) FROM {q(source)} AS c WHERE {not_null} AND NOT EXISTS "
                    f"(SELECT 1 FROM {q(parent)} AS p WHERE {match})"
                )
            counts[(child, parent)] += int(conn.execute(sql).fetchone()[0])
    pragma = Counter(
        (family(str(t)), str(p)) for t, _r, p, _f in conn.execute("PRAGMA foreign_key_check")
    )
    for key, n in pragma.items():
        counts[key] = max(counts[key], n)
    return +counts


def capture(path: Path, scratch: Path) -> Before:
    copy = scratch / f"before-{path.name}"
    src = sqlite3.connect(path)
    dst = sqlite3.connect(copy)
    src.backup(dst)
    dst.close()
    src.close()
    conn = open_ro(copy)
    try:
        names = tables_of(conn)
        counts = {n: int(conn.execute(f"SELECT count(*) FROM {q(n)}").fetchone()[0]) for n in names}
        cols = {n: _columns(conn, n) for n in names}
        history = None
        if "schema_migrations" in names:
            history = {
                int(v): str(n)
                for v, n in conn.execute("SELECT version, name FROM schema_migrations")
            }
        contents: dict[str, Counter[str]] = {}
        for base in CONTENT_TABLES:
            bag: Counter[str] = Counter()
            for name in names:
                if family(name) == base and "content" in cols[name]:
                    bag.update(str(r[0]) for r in conn.execute(f"SELECT content FROM {q(name)}"))
            contents[base] = bag
        summaries = []
        for name in names:
            if "summary" in cols[name]:
                summaries += [
                    str(r[0])
                    for r in conn.execute(
                        f"SELECT summary FROM {q(name)} WHERE summary IS NOT NULL"
                    )
                ]
        return Before(counts, cols, history, head_orphans(conn), contents, summaries, copy)
    finally:
        conn.close()


# --------------------------------------------------------------------------------------------
# the check


@dataclass
class Outcome:
    result: Any
    second: Any
    before: Before
    after_counts: dict[str, int]
    after_history: list[tuple[Any, ...]]
    problems: list[str] = field(default_factory=list)


def _all_text(conn: sqlite3.Connection) -> Counter[str]:
    bag: Counter[str] = Counter()
    for name in tables_of(conn):
        if name in BOOKKEEPING:
            continue
        for col in _columns(conn, name):
            bag.update(
                str(r[0])
                for r in conn.execute(
                    f"SELECT {q(col)} FROM {q(name)} WHERE typeof({q(col)}) = 'text'"
                )
            )
    return bag


def _missing_rows(conn: sqlite3.Connection, table: str, before: Before) -> int:
    """Rows of `before.<table>` found in none of its family's tables after (common columns,
    the INTEGER PRIMARY KEY left out so a renumbered row still counts as kept)."""
    dests = [t for t in tables_of(conn) if family(t) == family(table)]
    if not dests:
        return before.counts[table]
    src_cols = before.columns[table]
    conds = []
    for dest in dests:
        have = set(_columns(conn, dest))
        skip = {"id"} | BACKFILLED.get(family(table), set())
        common = [c for c in src_cols if c in have and c not in skip]
        if not common:
            continue
        match = " AND ".join(f"d.{q(c)} IS s.{q(c)}" for c in common)
        conds.append(f"EXISTS (SELECT 1 FROM main.{q(dest)} AS d WHERE {match})")
    if not conds:
        return before.counts[table]
    sql = f"SELECT count(*) FROM b.{q(table)} AS s WHERE NOT ({' OR '.join(conds)})"
    return int(conn.execute(sql).fetchone()[0])


def check_reaches_head(
    path: str | Path,
    before_counts: Mapping[str, int] | None = None,
    *,
    accept_diverged: bool = False,
    scratch: Path | None = None,
) -> Outcome:
    """Upgrade `path` once and assert every property of the issue; see the module docstring.

    `before_counts` (e.g. a builder's `LegacyFile.counts`) is checked against the file first, so
    a builder that mis-records its rows fails loudly instead of weakening the check.
    """
    path = Path(path)
    own = None
    if scratch is None:
        own = tempfile.TemporaryDirectory(prefix="sqlmig-check-")
        scratch = Path(own.name)
    try:
        return _check(path, before_counts, accept_diverged, scratch)
    finally:
        if own is not None:
            own.cleanup()


def _upgrade(path: Path, accept_diverged: bool) -> Any:
    if accept_diverged:
        return engine.upgrade(path, backup=False, accept_diverged=True)  # type: ignore[call-arg]
    return engine.upgrade(path, backup=False)


def _check(
    path: Path, before_counts: Mapping[str, int] | None, accept_diverged: bool, scratch: Path
) -> Outcome:
    before = capture(path, scratch)
    if before_counts is not None:
        recorded = {k: v for k, v in before_counts.items() if k not in BOOKKEEPING}
        actual = {k: v for k, v in before.counts.items() if k in recorded}
        assert actual == recorded, f"builder record differs from the file: {recorded} vs {actual}"

    result = _upgrade(path, accept_diverged)
    error = result.error
    assert result.ok, (
        f"upgrade failed: {getattr(error, 'code', None)}: {getattr(error, 'message', error)}"
    )

    conn = sqlite3.connect(path)
    try:
        assert int(conn.execute("PRAGMA user_version").fetchone()[0]) == HEAD

        diff = compare(snapshot(conn, ignore=BOOKKEEPING.__contains__), head_snapshot())
        assert diff.ok, "schema differs from head:\n" + "\n".join(format_diff(diff))

        hist_cols = _columns(conn, "schema_migrations")
        method = "method" if "method" in hist_cols else "NULL"
        history = [
            tuple(r)
            for r in conn.execute(
                f"SELECT version, name, {method} FROM schema_migrations ORDER BY version"
            )
        ]
        names = catalog_names()
        assert [(v, n) for v, n, _m in history] == sorted(names.items()), (
            f"history is not exactly 0…{HEAD} with the catalog's names: {history}"
        )
        kept_from_app = {v for v, n in (before.history or {}).items() if names.get(v) == n}
        for version, _name, how in history:
            if version in kept_from_app and how is None:
                continue  # a row the app wrote may keep method NULL
            assert how in TOOL_METHODS, f"history row {version} has method {how!r}"

        after_names = tables_of(conn)
        after_counts = {
            n: int(conn.execute(f"SELECT count(*) FROM {q(n)}").fetchone()[0]) for n in after_names
        }
        ledger = dict(result.ledger or {})

        # -- no row lost: per family, in total, row by row, and by content ----------------
        fam_before: Counter[str] = Counter()
        fam_after: Counter[str] = Counter()
        for name, n in before.counts.items():
            if name not in BOOKKEEPING:
                fam_before[family(name)] += n
        for name, n in after_counts.items():
            if name not in BOOKKEEPING:
                fam_after[family(name)] += n
        lost = {f: (n, fam_after[f]) for f, n in fam_before.items() if fam_after[f] < n}
        assert not lost, f"rows lost (family: before, after): {lost}; ledger {ledger}"
        assert sum(fam_after.values()) >= sum(fam_before.values())
        for name, n in before.counts.items():
            if name in BOOKKEEPING:
                continue
            if after_counts.get(name, 0) < n:
                assert name in ledger, (
                    f"{name} shrank ({n} → {after_counts.get(name, 0)}) but the ledger does not say so: {ledger}"
                )
            if name in ledger:
                assert ledger[name][0] == n, f"ledger[{name}] = {ledger[name]} but it had {n} rows"

        conn.execute("ATTACH DATABASE ? AS b", (f"file:{before.copy}?mode=ro",))
        missing = {
            t: m
            for t in before.counts
            if t not in BOOKKEEPING and before.counts[t] and (m := _missing_rows(conn, t, before))
        }
        conn.execute("DETACH DATABASE b")
        assert not missing, f"rows of these tables are found nowhere after the upgrade: {missing}"

        for base, bag in before.contents.items():
            after_bag: Counter[str] = Counter()
            for name in after_names:
                if family(name) == base and "content" in _columns(conn, name):
                    after_bag.update(
                        str(r[0]) for r in conn.execute(f"SELECT content FROM {q(name)}")
                    )
            gone = set(bag) - set(after_bag)
            assert not gone, f"{len(gone)} {base} content value(s) lost, e.g. {sorted(gone)[:3]}"

        if before.summaries:
            everywhere = _all_text(conn)
            gone = [s for s in before.summaries if s not in everywhere]
            assert not gone, f"legacy summary values lost: {gone[:3]}"

        # -- no new foreign-key damage ----------------------------------------------------
        after_fk = Counter(
            (family(str(t)), str(p)) for t, _r, p, _f in conn.execute("PRAGMA foreign_key_check")
        )
        worse = {
            k: (before.orphans.get(k, 0), n)
            for k, n in after_fk.items()
            if n > before.orphans.get(k, 0)
        }
        assert not worse, f"new foreign-key violations (before, after): {worse}"

        integrity = [str(r[0]) for r in conn.execute("PRAGMA integrity_check")]
        assert integrity == ["ok"], f"integrity_check: {integrity}"
    finally:
        conn.close()

    second = engine.upgrade(path, backup=False)
    assert second.ok, f"second upgrade failed: {second.error}"
    assert list(second.applied) == [], f"second upgrade applied {second.applied}"
    return Outcome(result, second, before, after_counts, history)
