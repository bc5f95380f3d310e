"""The names sqlmig writes into a user's file, and the user's own objects that carry one.

SPEC §7.12 fixes them: the audit table `sqlmig_log`, side tables `<table>_unplaced`, renamed
legacy tables `<table>_legacy`, plus the temporary names of a table rebuild (`<table>_sqlmig_…`,
which never survive a run). A user's table or view of such a name would make an upgrade write
into it, skip a repair, or fail with a raw SQLite error, so `status` foresees the clash and the
planner refuses before anything is written. Which names a plan writes is read from its own
statements and `moves:` targets; nothing here knows an application's tables.
"""

from __future__ import annotations

import functools
import re
import sqlite3
from collections.abc import Iterable
from contextlib import closing
from typing import TYPE_CHECKING

from engine.core.errors import Problem, Refused
from engine.scripts.catalog import Catalog
from engine.scripts.guards import guard_of, unquote
from engine.scripts.sqltext import Statement, strip_leading_comments
from engine.state import history as hist

if TYPE_CHECKING:
    from engine.planning.planner import Step
    from engine.state.inspect import Inspection

Moves = tuple[tuple[str, tuple[str, ...]], ...]

_SUFFIXES = ("_legacy", "_unplaced")
_IDENT = r'(?:"(?:[^"]|"")+"|\[[^\]]+\]|`(?:[^`]|``)+`|[A-Za-z_][\w$]*)'
_RENAME_TO = re.compile(
    rf"^ALTER\s+TABLE\s+(?:{_IDENT}\s*\.\s*)?{_IDENT}\s+RENAME\s+TO\s+({_IDENT})", re.IGNORECASE
)
_MAX_AUDIT_ROWS = 10_000  # reading the audit log stays cheap on a hostile file


def is_reserved(name: str) -> bool:
    low = name.lower()
    return "sqlmig" in low or low.endswith(_SUFFIXES)


def written_tables(
    statements: Iterable[str], moves: Iterable[tuple[str, tuple[str, ...]]]
) -> set[str]:
    """Reserved names (lower-case) that these statements create or rename to, or rows move to."""
    found: set[str] = set()
    for sql in statements:
        guard = guard_of(sql)
        if guard is not None and guard.kind == "table":
            found.add(guard.name.lower())
        renamed = _RENAME_TO.match(strip_leading_comments(sql))
        if renamed is not None:
            found.add(unquote(renamed.group(1)).lower())
    found.update(t.lower() for _, targets in moves for t in targets if "." not in t)
    return {name for name in found if is_reserved(name)}


def plan_writes(steps: Iterable[Step]) -> set[str]:
    """Every reserved name the plan's steps may write (whatever their `when:` decides)."""
    steps = list(steps)
    names = {hist.AUDIT_TABLE} if steps else set()  # any run may log to the audit table
    for step in steps:
        names |= written_tables((s.sql for s in step.statements), step.moves)
    return names


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
    if hist.AUDIT_TABLE in inspection.tables and is_audit_table(conn):
        ours.add(hist.AUDIT_TABLE)
        logged = {
            str(row[0])
            for row in conn.execute(
                f"SELECT DISTINCT name FROM {hist.AUDIT_TABLE} WHERE kind = 'repair' "
                f"LIMIT {_MAX_AUDIT_ROWS}"
            )
        }
        sources += [(r.statements, r.directives.moves) for r in catalog.repairs if r.name in logged]
    for applied in inspection.applied:
        migration = catalog.get(applied.version)
        if migration is not None and applied.status in ("ok", "unverified", "changed"):
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
    return _audit_columns() <= {c.lower() for c in hist.table_columns(conn, hist.AUDIT_TABLE)}


@functools.cache
def _audit_columns() -> frozenset[str]:
    with closing(sqlite3.connect(":memory:")) as model:
        model.execute(hist.AUDIT_SQL)
        return frozenset(hist.table_columns(model, hist.AUDIT_TABLE))


def clashes(users: Iterable[tuple[str, str]], written: set[str]) -> list[Problem]:
    """A `name_clash` problem for each of the user's objects whose name the plan writes."""
    return [_clash(kind, name) for kind, name in users if name.lower() in written]


def _clash(kind: str, name: str) -> Problem:
    low = name.lower()
    own = f"the file has its own {kind} {name}"
    if low == hist.AUDIT_TABLE:
        what = f"{own}, which is not sqlmig's audit table, but the upgrade logs there"
    elif "sqlmig" in low:
        what = f"{own}, a name the upgrade uses for a table it builds and then renames"
    elif low.endswith("_legacy"):
        old = name[: -len("_legacy")]
        what = f"{own}, the name under which the upgrade keeps the old {old} table"
    else:
        table = name[: -len("_unplaced")]
        what = f"{own}, where the upgrade keeps the {table} rows it cannot put back"
    return Problem(
        "name_clash",
        f"{what[0].upper()}{what[1:]}.",
        f"Rename your {kind} {name} (for example to {name}_own) with a SQLite tool, then "
        "upgrade again; the names sqlmig writes are fixed.",
    )


def foresee(conn: sqlite3.Connection, inspection: Inspection, catalog: Catalog) -> Inspection:
    """`inspection` with the user's reserved-name objects and the clashes an upgrade to the head
    would meet, as `status` shows them."""
    users = users_reserved(conn, inspection, catalog)
    if not users:
        return inspection
    from engine.planning.planner import plan_upgrade  # the planner refuses with this module's rules

    try:
        steps = plan_upgrade(inspection, catalog, accept_diverged=True).steps
    except Refused:
        steps = ()  # refused for another reason, which status already shows
    found = clashes(users, plan_writes(steps))
    return inspection._replace(user_reserved=users, problems=(*inspection.problems, *found))


def refuse_clashes(inspection: Inspection, steps: Iterable[Step]) -> None:
    found = clashes(inspection.user_reserved, plan_writes(steps))
    if found:
        more = f" (and {len(found) - 1} more such name(s))" if len(found) > 1 else ""
        raise Refused(
            f"{found[0].message}{more} Upgrade refused; nothing was changed.",
            hint=found[0].hint,
            code="name_clash",
        )
