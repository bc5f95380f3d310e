"""Deciding a file's state from what inspection read (SPEC §7.1, §7.2), in the order of §7.2:
`fresh`, `ahead`, `foreign`, `tracked`, `legacy` (`damaged` and `interrupted` are decided while
reading, engine/state/inspect.py). The sentences come from engine/state/findings.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from engine.core.errors import Problem
from engine.core.tables import AUDIT_TABLE
from engine.core.verdicts import APPLIED_STATUSES, HistoryStatus, State
from engine.scripts.catalog import Catalog
from engine.state import findings, legacy
from engine.state.history import History
from engine.state.inspection import AppliedMigration, Inspection, PendingMigration
from engine.state.legacy import LegacyReport

# Reads the legacy bridge's diagnosis from the file, given the history's {version: name}.
Diagnose = Callable[[dict[int, str]], LegacyReport]


class FileRead(NamedTuple):
    """What inspection read: schema names and history, never a row of data."""

    names: frozenset[str]  # table names (not sqlite_*)
    user_version: int
    page_count: int
    history: History
    audit_is_ours: bool  # no `sqlmig_log`, or one with sqlmig's columns


def classify(read: FileRead, base: Inspection, catalog: Catalog, diagnose: Diagnose) -> Inspection:
    """`base` (the file's facts) with its state, versions, history, pending and problems."""
    history = read.history
    bookkeeping = ({AUDIT_TABLE} if read.audit_is_ours else set()) | (
        {history.table} if history.compatible else set()
    )
    data_tables = read.names - bookkeeping
    profile = catalog.profile
    app_tables = profile.app_tables if profile else frozenset()
    applied = applied_rows(history, catalog)
    matching = {a.version for a in applied if a.status in APPLIED_STATUSES}
    current = catalog.current_version(matching)
    pending = tuple(
        PendingMigration(m.version, m.name, m.filename)
        for m in catalog.migrations
        if m.version not in matching
    )
    problems: list[Problem] = []
    if history.garbage or history.truncated:
        problems.append(findings.bad_history(history.garbage, history.truncated, history.table))
    if history.dirty:
        problems.append(findings.dirty(history.table, catalog.convention))
    found = base._replace(
        user_version=read.user_version,
        applied=applied,
        tables=tuple(sorted(read.names)),
        extras=tuple(sorted(data_tables - app_tables)) if profile else (),
        page_count=read.page_count,
    )

    if not data_tables and not history.rows:
        diagnosis = findings.empty(zero_bytes=base.size == 0, migrations=len(catalog.migrations))
        return found._replace(
            state=State.FRESH, diagnosis=diagnosis, pending=pending, problems=tuple(problems)
        )

    head = catalog.head_version
    top_row = max((row.version for row in history.rows), default=-1)
    if head is not None and (top_row > head or read.user_version > head):
        diagnosis, problem = findings.ahead(max(top_row, read.user_version), head)
        return found._replace(
            state=State.AHEAD, diagnosis=diagnosis, current_version=current,
            problems=(*problems, problem),
        )

    is_foreign = not (data_tables & app_tables) if profile else not matching
    if is_foreign and data_tables:
        diagnosis, problem = findings.not_ours(sorted(data_tables), catalog)
        return found._replace(
            state=State.FOREIGN, diagnosis=diagnosis, problems=(*problems, problem)
        )

    renamed = [a for a in applied if a.status == HistoryStatus.RENAMED]
    first = catalog.migrations[0].version if catalog.migrations else None
    report = diagnose({row.version: row.name for row in history.rows})
    if current is not None and not renamed and first in matching:
        problems.extend(checksum_problems(applied))
        tracked = found._replace(state=State.TRACKED, current_version=current, pending=pending)
        if [v for v in report.missing if v in matching] or report.repairs:
            # A tracked file whose shape lacks what its rows claim gets a repair in its plan.
            problems.extend(legacy.problems_for(report))
            diagnosis = findings.needs_repair(current, len(report.differences))
            return tracked._replace(
                diagnosis=diagnosis, problems=tuple(problems), legacy=report, needs_repair=True
            )
        diagnosis = findings.tracked(current, [p.version for p in pending])
        return tracked._replace(diagnosis=diagnosis, problems=tuple(problems))

    # Everything else with app tables is legacy: no history, an empty or partial one, or
    # rows whose names differ from the catalog's. The bridge places it by its shape.
    problems.extend(legacy.problems_for(report))
    app = profile.app_name if profile else "app"
    return found._replace(
        state=State.LEGACY,
        diagnosis=legacy.summary(report, app, head),
        pending=pending,
        problems=tuple(problems),
        legacy=report,
    )


def applied_rows(history: History, catalog: Catalog) -> tuple[AppliedMigration, ...]:
    """Each history row with its status against the catalog (SPEC §7.8)."""
    out: list[AppliedMigration] = []
    for row in history.rows:
        migration = catalog.get(row.version)
        if migration is None:
            status = HistoryStatus.MISSING_FILE
        elif migration.name != row.name:
            status = HistoryStatus.RENAMED
        elif row.checksum is None:
            status = HistoryStatus.UNVERIFIED
        elif row.checksum == (migration.tool_checksum or migration.checksum):
            status = HistoryStatus.OK
        else:
            status = HistoryStatus.CHANGED
        out.append(
            AppliedMigration(
                version=row.version,
                name=row.name,
                applied_at=row.applied_at,
                method=row.method,
                checksum=row.checksum,
                duration_ms=row.duration_ms,
                status=status,
            )
        )
    return tuple(out)


def checksum_problems(applied: tuple[AppliedMigration, ...]) -> list[Problem]:
    changed = [a.version for a in applied if a.status == HistoryStatus.CHANGED]
    missing = [(a.version, a.name) for a in applied if a.status == HistoryStatus.MISSING_FILE]
    problems = [findings.changed_files(changed)] if changed else []
    return problems + ([findings.missing_files(missing)] if missing else [])
