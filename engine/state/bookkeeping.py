"""The names sqlmig writes into a user's file, and the user's own objects that carry one.

SPEC §7.12 fixes them: the audit table `sqlmig_log`, side tables `<table>_unplaced`, renamed
legacy tables `<table>_legacy`, plus the temporary names of a table rebuild (`<table>_sqlmig_…`,
which never survive a run). A user's table or view of such a name would make an upgrade write
into it, skip a repair, or fail with a raw SQLite error: inspection lists them here, and the
planner refuses a plan that writes one (engine/planning/clashes.py). Nothing here knows an
application's tables.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import TYPE_CHECKING

from engine.core.tables import AUDIT_COLUMNS, AUDIT_TABLE
from engine.core.verdicts import APPLIED_STATUSES
from engine.scripts.catalog import Catalog
from engine.scripts.sqltext import Statement
from engine.scripts.sqlwrites import tables_made
from engine.state import history as hist

if TYPE_CHECKING:
    from engine.state.inspection import Inspection

Moves = tuple[tuple[str, tuple[str, ...]], ...]

_SUFFIXES = ("_legacy", "_unplaced")
_MAX_AUDIT_ROWS = 10_000  # reading the audit log stays cheap on a hostile file


def is_reserved(name: str) -> bool:
    low = name.lower()
    return "sqlmig" in low or low.endswith(_SUFFIXES)


def written_tables(
    statements: Iterable[str], moves: Iterable[tuple[str, tuple[str, ...]]]
) -> set[str]:
    """Reserved names (lower-case) that these statements create or rename to, or rows move to."""
    found = tables_made(statements)
    found.update(t.lower() for _, targets in moves for t in targets if "." not in t)
    return {name for name in found if is_reserved(name)}


def users_reserved(
    conn: sqlite3.Connection, inspection: Inspection, catalog: Catalog
) -> tuple[tuple[str, str], ...]:
    """(type, name) of the file's objects with a reserved name that sqlmig did not make.

    Ours: a `sqlmig_log` table with the audit table's columns; a `<t>_legacy` or `<t>_unplaced`
    table that a repair logged there wrote, or that a migration recorded as applied wrote. A
    view, index or trigger of such a name is never ours (and the repairs' `when:` queries look
    for the name in sqlite_master whatever its type).
    """
    found = [("table", name) for name in inspection.tables if is_reserved(name)]
    found += [
        (str(kind), str(name))
        for kind, name in conn.execute(
            "SELECT type, name FROM sqlite_master WHERE type <> 'table' AND (name LIKE '%sqlmig%' "
            "OR name LIKE '%\\_legacy' ESCAPE '\\' OR name LIKE '%\\_unplaced' ESCAPE '\\')"
        )
    ]
    if not found:
        return ()
    ours: set[str] = set()
    sources: list[tuple[tuple[Statement, ...], Moves]] = []
    if AUDIT_TABLE in inspection.tables and is_audit_table(conn):
        ours.add(AUDIT_TABLE)
        logged = {
            str(row[0])
            for row in conn.execute(
                f"SELECT DISTINCT name FROM {AUDIT_TABLE} WHERE kind = 'repair' "
                f"LIMIT {_MAX_AUDIT_ROWS}"
            )
        }
        sources += [(r.statements, r.directives.moves) for r in catalog.repairs if r.name in logged]
    for applied in inspection.applied:
        migration = catalog.get(applied.version)
        if migration is not None and applied.status in APPLIED_STATUSES:
            sources.append((migration.up, migration.directives.moves))
    # Temporary names never survive a run, so one that exists is never ours.
    wanted = {n.lower() for k, n in found if k == "table" and "sqlmig" not in n.lower()} - ours
    for statements, moves in sources if wanted else ():
        # Only statements that mention a wanted name are parsed: status stays cheap.
        text = "\n".join(s.sql for s in statements).lower()
        if any(w in text for w in wanted) or moves:
            named = [s.sql for s in statements if any(w in s.sql.lower() for w in wanted)]
            ours |= written_tables(named, moves) & wanted
    return tuple(
        (kind, name) for kind, name in found if kind != "table" or name.lower() not in ours
    )


def is_audit_table(conn: sqlite3.Connection) -> bool:
    """Does the file's `sqlmig_log` have every column of sqlmig's audit table?"""
    columns = {c.lower() for c in hist.table_columns(conn, AUDIT_TABLE)}
    return {name for name, _declaration in AUDIT_COLUMNS} <= columns
