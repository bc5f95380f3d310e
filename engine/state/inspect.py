"""Classify a database file without writing to it (SPEC §4.2, §7.1, §7.2).

Reads the 100-byte header, `sqlite_master` names, `user_version` and the history table: never the
data, so the cost does not grow with the file. Page-level damage is the preflight's job.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any, NamedTuple

from engine.core.cancel import CancelToken, watch
from engine.core.connect import FileFacts, open_readonly, read_facts
from engine.core.errors import Problem, Refused, from_sqlite, is_hot_journal
from engine.core.verdicts import APPLIED_STATUSES, State
from engine.scripts.catalog import Catalog
from engine.state import findings, legacy
from engine.state import history as hist
from engine.state.bookkeeping import foresee, is_audit_table
from engine.state.legacy import LegacyReport

FRESH, TRACKED, LEGACY, AHEAD, FOREIGN, DAMAGED, INTERRUPTED = (
    State.FRESH,
    State.TRACKED,
    State.LEGACY,
    State.AHEAD,
    State.FOREIGN,
    State.DAMAGED,
    State.INTERRUPTED,
)
# Tables this tool may add itself (SPEC §7.12); they never make a file foreign or app-made.
BOOKKEEPING = frozenset({hist.TABLE, hist.AUDIT_TABLE})


class AppliedMigration(NamedTuple):
    version: int
    name: str
    applied_at: str | None
    method: str | None
    checksum: str | None
    duration_ms: int | None
    status: str  # ok / changed / missing_file / unverified / renamed (SPEC §7.8)
    catalog_name: str | None = None


class PendingMigration(NamedTuple):
    version: int
    name: str
    filename: str


class Inspection(NamedTuple):
    path: Path
    state: State
    diagnosis: str
    user_version: int | None
    current_version: int | None
    head_version: int | None
    applied: tuple[AppliedMigration, ...] = ()
    pending: tuple[PendingMigration, ...] = ()
    problems: tuple[Problem, ...] = ()
    tables: tuple[str, ...] = ()
    extras: tuple[str, ...] = ()  # tables the profile does not list as the app's
    size: int = 0
    page_size: int | None = None
    page_count: int | None = None
    journal_mode: str | None = None
    sqlite_version: str = sqlite3.sqlite_version
    history_rows: int = 0
    legacy: LegacyReport | None = None  # the bridge's diagnosis (legacy, or a drifted tracked file)
    needs_repair: bool = False  # a tracked file whose shape lacks an effect its rows claim
    facts: FileFacts | None = None
    user_reserved: tuple[tuple[str, str], ...] = ()  # (type, name) named like sqlmig's tables

    @property
    def up_to_date(self) -> bool:
        return self.state == TRACKED and not self.pending

    def to_json(self) -> dict[str, Any]:
        legacy_json = self.legacy.to_json() if self.legacy is not None else None
        return {
            "path": str(self.path),
            "state": self.state,
            "diagnosis": self.diagnosis,
            "user_version": self.user_version,
            "current_version": self.current_version,
            "head_version": self.head_version,
            "pending": [{"version": p.version, "name": p.name} for p in self.pending],
            "applied": [
                {
                    "version": a.version,
                    "name": a.name,
                    "applied_at": a.applied_at,
                    "method": a.method,
                    "checksum": a.checksum,
                    "duration_ms": a.duration_ms,
                    "status": a.status,
                }
                for a in self.applied
            ],
            "problems": [p.to_json() for p in self.problems],
            "tables": list(self.tables),
            "extras": list(self.extras),
            "legacy": legacy_json,
            "file": {
                "size": self.size,
                "page_size": self.page_size,
                "page_count": self.page_count,
                "journal_mode": self.journal_mode,
                "sqlite_version": self.sqlite_version,
            },
        }


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
        if exc.code in ("missing", "is_directory"):
            raise
        return _damaged(path, head, exc.problem(), None)
    try:
        conn = open_readonly(facts)
    except Refused as exc:
        if is_hot_journal(exc):  # decided before `damaged` (SPEC §7.22)
            return _with_access(_interrupted(path, head, facts))
        return _damaged(path, head, exc.problem(), facts)
    try:
        with watch(conn, cancel):
            found = foresee(conn, _classify(conn, path, facts, catalog), catalog)
    except sqlite3.Error as exc:
        error = from_sqlite(exc, state="")
        if is_hot_journal(error):
            return _with_access(_interrupted(path, head, facts))
        return _damaged(path, head, error.problem(), facts)
    finally:
        conn.close()
    return _with_access(found)


def _interrupted(path: Path, head: int | None, facts: FileFacts) -> Inspection:
    return Inspection(
        path=path,
        state=INTERRUPTED,
        diagnosis=findings.INTERRUPTED,
        user_version=None,
        current_version=None,
        head_version=head,
        problems=(findings.interrupted(path),),
        size=facts.size,
        page_size=facts.page_size,
        journal_mode="delete",
        facts=facts,
    )


def _with_access(found: Inspection) -> Inspection:
    """Add a `read_only` problem when this process may not change the file where it is."""
    problem = findings.read_only(found.path, found.state) if found.state != DAMAGED else None
    return found if problem is None else found._replace(problems=(*found.problems, problem))


def _damaged(path: Path, head: int | None, problem: Problem, facts: FileFacts | None) -> Inspection:
    return Inspection(
        path=path,
        state=DAMAGED,
        diagnosis=f"Damaged: {problem.message}",
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


def _classify(
    conn: sqlite3.Connection, path: Path, facts: FileFacts, catalog: Catalog
) -> Inspection:
    names = {
        str(row[0])
        for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        if not str(row[0]).startswith("sqlite_")
    }
    user_version = hist.user_version(conn)
    page_count = int(conn.execute("PRAGMA page_count").fetchone()[0])
    history = hist.read_history(conn, names)
    # An incompatible schema_migrations (another tool's) is an ordinary table of the user's.
    audit = hist.AUDIT_TABLE not in names or is_audit_table(conn)  # else it is the user's table
    bookkeeping = {hist.AUDIT_TABLE} if audit else set()
    bookkeeping |= {hist.TABLE} if history.compatible else set()
    tables = tuple(sorted(names))
    data_tables = names - bookkeeping
    profile = catalog.profile
    app_tables = profile.app_tables if profile else frozenset()
    extras = tuple(sorted(data_tables - app_tables)) if profile else ()

    applied, problems = _applied(history, catalog)
    matching = {a.version for a in applied if a.status in APPLIED_STATUSES}
    current = _current_version(matching, catalog)
    pending = tuple(
        PendingMigration(m.version, m.name, m.filename)
        for m in catalog.migrations
        if m.version not in matching
    )
    head = catalog.head_version
    base = Inspection(
        path=path,
        state=FRESH,
        diagnosis="",
        user_version=user_version,
        current_version=None,
        head_version=head,
        applied=applied,
        tables=tables,
        extras=extras,
        size=facts.size,
        page_size=facts.page_size,
        page_count=page_count,
        journal_mode="wal" if facts.wal_mode else ("delete" if facts.size else None),
        history_rows=len(history.rows),
        facts=facts,
    )
    if history.garbage or history.truncated:
        problems.append(
            Problem(
                "bad_history",
                "The history table schema_migrations is not usable: "
                + f"{history.garbage} row(s) or its key are not what the app writes"
                + (", and it has more rows than sqlmig reads" if history.truncated else "")
                + ".",
                "Look at schema_migrations with a SQLite browser before upgrading.",
            )
        )

    if not data_tables and not history.rows:
        count = len(catalog.migrations)
        what = "Empty file (0 bytes)" if facts.empty else "Empty database (no tables)"
        todo = f"all {count} migrations are pending" if count else "there is nothing to apply"
        return base._replace(
            state=FRESH,
            diagnosis=f"{what}: {todo}.",
            current_version=None,
            pending=pending,
            problems=tuple(problems),
        )

    top_row = max((row.version for row in history.rows), default=-1)
    if head is not None and (top_row > head or user_version > head):
        newest = max(top_row, user_version)
        problems.append(
            Problem(
                "ahead",
                f"This file was written by a newer version (v{newest}); "
                f"this tool knows migrations up to v{head}.",
                "Use the newer application or a newer sqlmig; do not downgrade the file.",
            )
        )
        return base._replace(
            state=AHEAD,
            diagnosis=f"Newer than this tool (v{newest}; this tool knows up to v{head}).",
            current_version=current,
            pending=(),
            problems=tuple(problems),
        )

    has_catalog_rows = bool(matching)
    is_foreign = not (data_tables & app_tables) if profile else not has_catalog_rows
    if is_foreign and data_tables:
        diagnosis, problem = findings.not_ours(sorted(data_tables), catalog)
        return base._replace(
            state=FOREIGN,
            diagnosis=diagnosis,
            current_version=None,
            pending=(),
            problems=(*problems, problem),
        )

    renamed = [a for a in applied if a.status == "renamed"]
    first = catalog.migrations[0].version if catalog.migrations else None
    recorded = {row.version: row.name for row in history.rows}
    report = legacy.diagnose(conn, catalog, user_version=user_version, recorded=recorded)
    if current is not None and not renamed and first in matching:
        problems.extend(_checksum_problems(applied))
        drift = [v for v in report.missing if v in matching]
        if drift or report.repairs:
            # A tracked file whose shape lacks what its rows claim gets a repair in its plan.
            problems.extend(legacy.problems_for(report))
            diagnosis = (
                f"Tracked at v{current}, but {len(report.differences)} repair(s) needed; "
                "the upgrade makes them."
            )
            return base._replace(
                state=TRACKED,
                diagnosis=diagnosis,
                current_version=current,
                pending=pending,
                problems=tuple(problems),
                legacy=report,
                needs_repair=True,
            )
        if pending:
            diagnosis = (
                f"Tracked at v{current}: {len(pending)} migration(s) pending "
                f"({_span(p.version for p in pending)})."
            )
        else:
            diagnosis = f"Up to date (v{current})."
        return base._replace(
            state=TRACKED,
            diagnosis=diagnosis,
            current_version=current,
            pending=pending,
            problems=tuple(problems),
        )

    # Everything else with app tables is legacy: no history, an empty or partial one, or
    # rows whose names differ from the catalog's. The bridge places it by its shape.
    problems.extend(legacy.problems_for(report))
    app = profile.app_name if profile else "app"
    return base._replace(
        state=LEGACY,
        diagnosis=legacy.summary(report, app, head),
        current_version=None,
        pending=pending,
        problems=tuple(problems),
        legacy=report,
    )


def _applied(
    history: hist.History, catalog: Catalog
) -> tuple[tuple[AppliedMigration, ...], list[Problem]]:
    out: list[AppliedMigration] = []
    for row in history.rows:
        migration = catalog.get(row.version)
        if migration is None:
            status = "missing_file"
        elif migration.name != row.name:
            status = "renamed"
        elif row.checksum is None:
            status = "unverified"
        elif row.checksum == migration.checksum:
            status = "ok"
        else:
            status = "changed"
        out.append(
            AppliedMigration(
                version=row.version,
                name=row.name,
                applied_at=row.applied_at,
                method=row.method,
                checksum=row.checksum,
                duration_ms=row.duration_ms,
                status=status,
                catalog_name=migration.name if migration else None,
            )
        )
    return tuple(out), []


def _checksum_problems(applied: tuple[AppliedMigration, ...]) -> list[Problem]:
    problems = []
    changed = [a for a in applied if a.status == "changed"]
    missing = [a for a in applied if a.status == "missing_file"]
    if changed:
        problems.append(
            Problem(
                "changed",
                "The file(s) of applied migration(s) "
                + findings.listing([f"v{a.version}" for a in changed])
                + " changed since they were applied.",
                "Applied migrations should never be edited; write a new migration instead.",
            )
        )
    if missing:
        problems.append(
            Problem(
                "missing_file",
                "Applied migration(s) "
                + findings.listing([f"v{a.version} {a.name}" for a in missing])
                + " have no file in the migrations folder.",
                "Check that you use the right migrations folder.",
            )
        )
    return problems


def _current_version(matching: set[int], catalog: Catalog) -> int | None:
    current = None
    for migration in catalog.migrations:
        if migration.version not in matching:
            break
        current = migration.version
    return current


def _span(versions: Any) -> str:
    values = sorted(set(versions))
    if not values:
        return "none"
    if values == list(range(values[0], values[-1] + 1)):
        return f"{values[0]}–{values[-1]}" if len(values) > 1 else str(values[0])  # noqa: RUF001
    return ", ".join(str(v) for v in values)
