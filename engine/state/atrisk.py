"""Before a bridge runs (read-only): which of the user's own indexes, triggers and views it
cannot keep, named in `status`.

The bridge replaces some of the app's tables (a rebuild, a set-aside copy) and removes others
(salvage copies it empties and drops). An index, trigger or view of the user's on such a table is
recreated or keeps working only if what it uses is still there afterwards: a table of the head
schema, with its head columns (and those a repair adds), or a legacy column the plan renames
(`moves: t.old -> t.new`), which the run re-points. The prediction follows the steps that will
run: the migrations whose effect is missing, the repairs due now, and the repairs that act on
the tables those create.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterable

from engine.schema import Snapshot
from engine.scripts.catalog import Catalog
from engine.scripts.guards import dropped_tables, guard_of
from engine.scripts.sqltext import Statement
from engine.scripts.sqlwrites import renamed_table, tokens


def objects_at_risk(
    conn: sqlite3.Connection,
    catalog: Catalog,
    *,
    owned: Callable[[], frozenset[str]],
    missing: Iterable[int],
    due: Iterable[str],
    head_schema: Callable[[], Snapshot | None],
) -> list[str]:
    """Sentences naming the user's objects the bridge will drop or break. Costs nothing more
    than a look at sqlite_master unless such an object sits on a table the bridge replaces."""
    fate = _fate(catalog, set(missing), set(due))
    if not fate:
        return []
    master = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    tables = {str(r[0]).lower() for r in master}
    exposed = []
    for kind, name, table, sql in conn.execute(
        "SELECT type, name, tbl_name, sql FROM sqlite_master "
        "WHERE type IN ('index', 'trigger', 'view') AND sql IS NOT NULL"
    ):
        names = {t.name for t in tokens(str(sql)) if t.name}
        uses = {str(table).lower()} if kind != "view" else names & tables
        if uses & set(fate):
            exposed.append((str(kind), str(name), sorted(uses & set(fate)), names))
    exposed = [e for e in exposed if e[1].lower() not in owned()]
    head = head_schema() if exposed else None
    if head is None:
        return []
    head_columns = {n.lower(): {c.name.lower() for c in t.columns} for n, t in head.tables.items()}
    added, renamed = _repair_columns(catalog)
    out = []
    for kind, name, used, names in exposed:
        for table in used:
            final = fate[table]
            if final not in head_columns:
                out.append(_removed(kind, name, table))
                break
            keeps = head_columns[final] | added.get(final, set()) | set(renamed.get(final, {}))
            lost = sorted((names & _columns(conn, table)) - keeps)
            if lost:
                out.append(_loses(kind, name, table, lost[0]))
                break
    return out


def _fate(catalog: Catalog, missing: set[int], due: set[str]) -> dict[str, str]:
    """Tables that the steps that will run drop (after following their renames): table -> the
    name its last incarnation had when dropped. A head table of that name is its replacement."""
    running = set(due)
    while True:  # repairs that act on a table a running repair creates will run too
        created = {t for r in catalog.repairs if r.name in running for t in _creates(r.statements)}
        more = {
            r.name
            for r in catalog.repairs
            if r.name not in running and _words(r.directives.when or "") & created
        }
        if not more:
            break
        running |= more
    statements = [s.sql for m in catalog.migrations if m.version in missing for s in m.up]
    statements += [s.sql for r in catalog.repairs if r.name in running for s in r.statements]
    renames: dict[str, str] = {}
    dropped: set[str] = set()
    for sql in statements:
        moved = renamed_table(sql)
        if moved is not None:
            renames.setdefault(moved[0], moved[1])
        dropped |= {t.lower() for t in dropped_tables([sql])}
    fate = {}
    for table in {*renames, *dropped}:
        end, seen = table, {table}
        while end in renames and renames[end] not in seen:
            end = renames[end]
            seen.add(end)
        if end in dropped:
            fate[table] = end
    return fate


def _words(query: str) -> set[str]:
    """Names in a condition, also those in string literals (`name = 'archived_messages_legacy'`)."""
    return set(re.findall(r"[a-z_][a-z0-9_$]*", query.lower()))


def _creates(statements: Iterable[Statement]) -> set[str]:
    out = set()
    for statement in statements:
        guard = guard_of(statement.sql)
        if guard is not None and guard.kind == "table":
            out.add(guard.name.lower())
        moved = renamed_table(statement.sql)
        if moved is not None:
            out.add(moved[1])
    return out


def _repair_columns(catalog: Catalog) -> tuple[dict[str, set[str]], dict[str, dict[str, str]]]:
    """Columns repairs may add to a table, and the column moves the catalog declares."""
    added: dict[str, set[str]] = {}
    for repair in catalog.repairs:
        for statement in repair.statements:
            guard = guard_of(statement.sql)
            if guard is not None and guard.kind == "column" and guard.table:
                added.setdefault(guard.table.lower(), set()).add(guard.name.lower())
    renamed: dict[str, dict[str, str]] = {}
    for directives in [m.directives for m in catalog.migrations] + [
        r.directives for r in catalog.repairs
    ]:
        for source, targets in directives.moves:
            table, _, old = source.lower().partition(".")
            if old and targets:
                renamed.setdefault(table, {})[old] = targets[0].lower().partition(".")[2]
    return added, renamed


def _columns(conn: sqlite3.Connection, table: str) -> set[str]:
    quoted = '"' + table.replace('"', '""') + '"'
    return {str(r[1]).lower() for r in conn.execute(f"PRAGMA table_info({quoted})")}


def _removed(kind: str, name: str, table: str) -> str:
    if kind == "view":
        return (
            f"The view {name} uses table {table}, which the upgrade empties and removes: the "
            "view will stop working."
        )
    return (
        f"The {kind} {name} on {table} goes with that table, which the upgrade empties and removes."
    )


def _loses(kind: str, name: str, table: str, column: str) -> str:
    what = "will stop working" if kind != "index" else "cannot be recreated"
    return (
        f"The {kind} {name} uses {table}.{column}, which the upgraded {table} does not have: "
        f"the {kind} {what}."
    )


def at_risk_hint() -> str:
    return (
        "Upgrade anyway and recreate it by hand afterwards: the report names it, and an index's "
        "or trigger's SQL is kept in the table sqlmig_log."
    )
