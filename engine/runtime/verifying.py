"""`sqlmig verify`: quick_check (or integrity_check), foreign keys, every view and trigger
compiles, schema versus its version."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.core.cancel import CancelToken, watch
from engine.core.errors import EXIT_FAILED, EXIT_OK, Refused, from_sqlite
from engine.core.events import Clock, EventSink, HeartbeatEvent
from engine.core.tables import is_bookkeeping
from engine.core.verdicts import State
from engine.scripts.catalog import Catalog
from engine.state.drift import Drifted
from engine.state.inspect import inspect_file as _inspect_file

CANCELLED = "the checks did not finish; nothing was changed."


@dataclass
class VerifyReport:
    path: Path
    state: str
    version: int | None
    checks: dict[str, bool] = field(default_factory=dict)
    differences: list[str] = field(default_factory=list)
    extras: list[str] = field(default_factory=list)
    damage: list[str] = field(default_factory=list)
    integrity: list[str] = field(default_factory=list)
    broken: list[str] = field(default_factory=list)  # views and triggers that do not compile
    drift: list[Drifted] = field(default_factory=list)  # applied migrations whose file changed
    unverified: list[int] = field(default_factory=list)  # applied rows without a checksum

    @property
    def ok(self) -> bool:
        return all(self.checks.values())

    @property
    def exit_code(self) -> int:
        return EXIT_OK if self.ok else EXIT_FAILED

    def to_json(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "ok": self.ok,
            "state": self.state,
            "version": self.version,
            "checks": self.checks,
            "differences": self.differences,
            "extras": self.extras,
            "foreign_key_damage": self.damage,
            "integrity": self.integrity,
            "broken_objects": self.broken,
            "drift": [d.to_json() for d in self.drift],
            "unverified": self.unverified,
        }


def verify(
    path: str | Path,
    catalog: Catalog,
    *,
    full: bool = False,
    on_event: EventSink | None = None,
    cancel: CancelToken | None = None,
) -> VerifyReport:
    """quick_check (or integrity_check), foreign-key damage, schema versus the expected schema.

    `on_event` gets a `heartbeat` about every quarter second of a long check; `cancel` stops the
    checks (`Cancelled`)."""
    from engine.core.connect import open_readonly, read_facts
    from engine.runtime.checks import foreign_key_damage, quick_check
    from engine.runtime.compiles import broken_objects
    from engine.schema import compare, format_diff, snapshot
    from engine.state.auditlog import read_audit
    from engine.state.drift import drift_of
    from engine.state.expected import ExpectedSchemas

    inspection = _inspect_file(path, catalog, cancel=cancel)
    report = VerifyReport(Path(path), inspection.state, inspection.current_version)
    if inspection.state in (State.DAMAGED, State.INTERRUPTED):
        problem = inspection.problems[0]
        raise Refused(problem.message, hint=problem.hint, code=problem.code)
    clock = Clock()
    check = ["integrity_check" if full else "quick_check"]

    def beat(elapsed: float) -> None:
        if on_event is not None:
            on_event(HeartbeatEvent(clock(), report.version, check[0], 0, elapsed))

    conn = open_readonly(read_facts(Path(path)))
    try:
        with watch(conn, cancel, state=CANCELLED, beat=beat):
            try:
                report.integrity = quick_check(conn, full=full)
            except sqlite3.DatabaseError as exc:  # damage so bad that the check itself stops
                if cancel is not None:
                    cancel.check(CANCELLED)
                report.integrity = [f"{from_sqlite(exc, state='').message} ({exc})"]
            report.checks["integrity_check" if full else "quick_check"] = not report.integrity
            if report.integrity:
                return report
            check[0] = "foreign_keys"
            damage = foreign_key_damage(conn)
            report.damage = [
                f"{n} row(s) in {c} point to missing {p} rows."
                for (c, p), n in sorted(damage.items())
            ]
            report.checks["foreign_keys"] = not damage
            # SQLite checks a view's or trigger's body only when it is used: compile each one.
            check[0] = "views_and_triggers"
            report.broken = [b.sentence() for b in broken_objects(conn)]
            report.checks["views_and_triggers"] = not report.broken
            if inspection.state == State.TRACKED and inspection.current_version is not None:
                check[0] = "schema"
                expected = ExpectedSchemas(catalog, cancel=cancel).at(inspection.current_version)
                diff = compare(snapshot(conn, ignore=is_bookkeeping), expected)
                report.differences = format_diff(diff) if not diff.ok else []
                report.extras = list(diff.extras)
                report.checks["schema"] = diff.ok
            if inspection.applied:
                check[0] = "checksums"
                drift = drift_of(inspection.applied, catalog, read_audit(conn))
                report.drift = list(drift.drifted)
                report.unverified = list(drift.unverified)
                report.checks["checksums"] = drift.ok
    except sqlite3.Error as exc:
        raise from_sqlite(exc, state="Nothing was changed.") from exc
    finally:
        conn.close()
    return report
