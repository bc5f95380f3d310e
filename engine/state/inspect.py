"""Inspect a database file without writing to it (SPEC §4.2, §7.1, §7.2).

Reads the 100-byte header, `sqlite_master` names, `user_version` and the history table: never the
data, so the cost does not grow with the file. Page-level damage is the preflight's job. A file
whose header or schema cannot be read is `damaged`; a hot journal makes it `interrupted` (decided
first, SPEC §7.22); everything else is decided by engine/state/classify.py.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from engine.core.cancel import CancelToken, watch
from engine.core.connect import FileFacts, open_readonly, read_facts
from engine.core.errors import Problem, Refused, from_sqlite, is_hot_journal
from engine.core.tables import AUDIT_TABLE
from engine.core.verdicts import ProblemCode, State
from engine.scripts.catalog import Catalog
from engine.state import dialects, findings, legacy
from engine.state import history as hist
from engine.state.bookkeeping import is_audit_table, users_reserved
from engine.state.classify import FileRead, classify
from engine.state.inspection import Inspection


def inspect_file(
    path: str | Path, catalog: Catalog, *, cancel: CancelToken | None = None
) -> Inspection:
    """Classify `path`. Raises `Refused` only for a missing path or a folder (SPEC §7.9), and
    `Cancelled` when `cancel` is cancelled meanwhile."""
    path = Path(path)
    head = catalog.head_version
    if cancel is not None:
        cancel.check()
    try:
        facts = read_facts(path)
    except Refused as exc:
        if exc.code in (ProblemCode.MISSING, ProblemCode.IS_DIRECTORY):
            raise
        if is_hot_journal(exc):  # a header left half-written by a write that was cut off
            return _with_access(_interrupted(path, head, None))
        return _damaged(path, head, exc.problem(), None)
    try:
        conn = open_readonly(facts)
    except Refused as exc:
        if is_hot_journal(exc):  # decided before `damaged` (SPEC §7.22)
            return _with_access(_interrupted(path, head, facts))
        return _damaged(path, head, exc.problem(), facts)
    try:
        with watch(conn, cancel):
            found = _inspect(conn, _facts_only(path, head, facts), catalog)
    except sqlite3.Error as exc:
        error = from_sqlite(exc, state="")
        if is_hot_journal(error):
            return _with_access(_interrupted(path, head, facts))
        return _damaged(path, head, error.problem(), facts)
    finally:
        conn.close()
    return _with_access(found)


def _inspect(conn: sqlite3.Connection, base: Inspection, catalog: Catalog) -> Inspection:
    read = read_file(conn, catalog)

    def diagnose(recorded: dict[int, str]) -> legacy.LegacyReport:
        return legacy.diagnose(conn, catalog, user_version=read.user_version, recorded=recorded)

    found = classify(read, base, catalog, diagnose)
    return found._replace(user_reserved=users_reserved(conn, found, catalog))


def read_file(conn: sqlite3.Connection, catalog: Catalog) -> FileRead:
    """The schema's table names, `user_version`, the page count and the history rows."""
    names = frozenset(
        str(row[0])
        for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        if not str(row[0]).startswith("sqlite_")
    )
    return FileRead(
        names=names,
        user_version=hist.user_version(conn),
        page_count=int(conn.execute("PRAGMA page_count").fetchone()[0]),
        # An incompatible schema_migrations (another tool's) is an ordinary table of the user's.
        history=dialects.read_any(conn, names, catalog),
        audit_is_ours=AUDIT_TABLE not in names or is_audit_table(conn),
    )


def _facts_only(path: Path, head: int | None, facts: FileFacts) -> Inspection:
    """The header's facts, before anything is decided."""
    return Inspection(
        path=path,
        state=State.FRESH,
        diagnosis="",
        user_version=None,
        current_version=None,
        head_version=head,
        size=facts.size,
        page_size=facts.page_size,
        journal_mode="wal" if facts.wal_mode else ("delete" if facts.size else None),
        facts=facts,
    )


def _interrupted(path: Path, head: int | None, facts: FileFacts | None) -> Inspection:
    return Inspection(
        path=path,
        state=State.INTERRUPTED,
        diagnosis=findings.INTERRUPTED,
        user_version=None,
        current_version=None,
        head_version=head,
        problems=(findings.interrupted(path),),
        size=facts.size if facts else _size(path),
        page_size=facts.page_size if facts else None,
        journal_mode="delete",
        facts=facts,
    )


def _with_access(found: Inspection) -> Inspection:
    """Add a `read_only` problem when this process may not change the file where it is."""
    problem = findings.read_only(found.path, found.state) if found.state != State.DAMAGED else None
    return found if problem is None else found._replace(problems=(*found.problems, problem))


def _damaged(path: Path, head: int | None, problem: Problem, facts: FileFacts | None) -> Inspection:
    return Inspection(
        path=path,
        state=State.DAMAGED,
        diagnosis=findings.damaged(problem),
        user_version=None,
        current_version=None,
        head_version=head,
        problems=(problem,),
        size=facts.size if facts else _size(path),
        page_size=facts.page_size if facts else None,
        facts=facts,
    )


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
