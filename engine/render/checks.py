"""Checks in words: the go/no-go list before an upgrade, and a `verify` report (text, and the
JSON Lines events `sqlmig verify --json` prints)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from engine.core.events import Clock, DoneEvent, VerifyEvent
from engine.render.events import PREFLIGHT_MARKS
from engine.state.findings import listing

if TYPE_CHECKING:
    from engine.runtime.preflight import Preflight
    from engine.runtime.preflight_checks import Check
    from engine.runtime.verifying import VerifyReport

DAMAGED_HINT = "The file is damaged: work on a backup; `sqlite3 FILE .recover` can rescue rows."
# What to do when a verify check fails, per check.
VERIFY_HINTS = {
    "quick_check": DAMAGED_HINT,
    "integrity_check": DAMAGED_HINT,
    "foreign_keys": "Some rows point to rows that do not exist; the app may not show them.",
    "schema": "The schema differs from what its version should have; `sqlmig upgrade` or a "
    "developer can repair it.",
    "views_and_triggers": "A view or trigger names a table or column the file no longer has; "
    "the app fails when it uses it. Recreate or drop it (a developer's job).",
    "checksums": "A migration file changed after it was applied. Undo the edit, or record it "
    "with `sqlmig accept PATH VERSION --reason TEXT` when the change is intended.",
}


def preflight_lines(preflight: Preflight, *, stopped_by: Check | None = None) -> list[str]:
    """The go/no-go list for a human reader. `stopped_by` (the refusal already shown) is
    listed by name only, so its sentence is not printed twice."""
    out = [f"Preflight for {preflight.path.name}: {'go' if preflight.go else 'NO-GO'}"]
    for check in preflight.checks:
        mark = PREFLIGHT_MARKS[check.outcome]
        if check is stopped_by:
            out.append(f"  [{mark:>7}] {check.name}: stopped here (see above)")
            continue
        out.append(f"  [{mark:>7}] {check.name}: {check.message}")
        if check.ok is not True and check.hint:
            out.append(f"            hint: {check.hint}")
    return out


def verify_lines(report: VerifyReport) -> list[str]:
    version = f"v{report.version}" if report.version is not None else "no version"
    verdict = "all checks passed." if report.ok else "problems found."
    out = [f"{report.path.name} ({report.state}, {version}): {verdict}"]
    for name, ok in report.checks.items():
        out.append(f"  {'ok    ' if ok else 'FAILED'} {name}")
    found = report.integrity + report.differences + report.damage + report.broken
    out += [f"  - {line}" for line in found]
    for drifted in report.drift:
        out.append(f"  - {drifted.sentence()}")
        out += [f"      {line}" for line in drifted.diff]
    if report.unverified:
        out.append("  unverified (no checksum recorded, applied by another tool): "
                   + listing([f"{v:04d}" for v in report.unverified]))
    if report.extras:
        out.append("  extra objects (kept): " + listing(report.extras))
    return out


def verify_events(report: VerifyReport, clock: Clock) -> list[dict[str, Any]]:
    """`sqlmig verify --json`: one `verify` event per check, then the `done` event carrying the
    whole report (SPEC §7.23)."""
    details = {
        "quick_check": report.integrity,
        "integrity_check": report.integrity,
        "readable": report.integrity,
        "foreign_keys": report.damage,
        "schema": report.differences or report.extras,
        "views_and_triggers": report.broken,
        "checksums": [d.sentence() for d in report.drift],
    }
    out = []
    for check, ok in report.checks.items():
        lines = tuple(details.get(check, []))
        message = "passed" if ok else (lines[0] if lines else "failed")
        out.append(VerifyEvent(clock(), check, ok, message, lines).to_json())
    problems = tuple(
        {"code": "check_failed", "message": f"The {check} check failed.",
         "hint": VERIFY_HINTS[check]}
        for check, ok in report.checks.items()
        if not ok
    )
    done = DoneEvent(
        clock(),
        ok=report.ok,
        from_version=report.version,
        to_version=report.version,
        backup=None,
        problems=problems,
        message="All checks passed." if report.ok else "Problems found.",
    ).to_json()
    done.update(report.to_json())
    out.append(done)
    return out
