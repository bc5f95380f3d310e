"""The run report a support person sends back: one function for the text (`run_report`), one for
the JSON (`run_report_json`), and the same for a batch of files (`batch_report`,
`batch_report_json`: one report holding every file's).

The JSON carries the run's `done` event exactly as `sqlmig upgrade --json` prints it last (without
its `t`), plus context: file facts, checks, ledger, versions before/after, timings, the backup,
the tool's versions (a face adds its own, the window Qt's), and the log the face kept.
Everything comes from the run's result, never from what a face showed before.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from engine.core.about import versions as engine_versions
from engine.core.verdicts import Phase
from engine.render.run import done_event, run_outcome
from engine.render.upkeep import space_line
from engine.render.words import file_facts

if TYPE_CHECKING:
    from engine.runtime.result import UpgradeResult
    from engine.runtime.runchecks import RunCheck

TITLE = "sqlmig upgrade report"
BATCH_TITLE = "sqlmig batch report"
TOOL_NAMES = {"python": "Python", "sqlite": "SQLite"}  # the JSON keys, as a person writes them


def report_versions(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """sqlmig, Python and SQLite, then what the face adds (Qt, PySide6)."""
    return {**engine_versions(), **dict(extra or {})}


def report_check_lines(checks: Sequence[RunCheck]) -> list[str]:
    """Each check once (`quick_check` before the run is the preflight's, after it the result's)."""
    before = [c for c in checks if c.phase == Phase.BEFORE]
    after = [c for c in checks if c.phase != Phase.BEFORE]
    lines = []
    for title, group in (("Before the run:", before), ("After the migrations:", after)):
        if group:
            lines.append(f"  {title}")
            lines += [f"    [{c.outcome}] {c.name}: {c.message}" for c in group]
    return lines or ["  (none ran)"]


def run_report(
    result: UpgradeResult,
    *,
    versions: Mapping[str, str] | None = None,
    log: Iterable[str] = (),
) -> str:
    """The plain-text report of one run, for a support ticket."""
    return "\n".join(_report_lines(result, report_versions(versions), list(log))) + "\n"


def _report_lines(result: UpgradeResult, versions: dict[str, str], log: list[str]) -> list[str]:
    outcome = run_outcome(result)
    lines = [
        TITLE,
        f"Date: {result.started_at:%Y-%m-%d %H:%M:%S %z} (took {result.duration:.1f} s)",
        f"File: {result.path}",
    ]
    if result.inspection is not None:
        lines.append(f"File before: {file_facts(result.inspection)}")
    if result.space is not None:
        lines.append(f"File after: {space_line(result.space)}")
    lines += [
        f"Result: {outcome.headline}",
        f"Version: {outcome.from_label} → {outcome.to_label}",
        f"Backup: {result.backup or 'none'}",
        "Tools: " + ", ".join(f"{TOOL_NAMES.get(name, name)} {v}" for name, v in versions.items()),
        "",
        "Checks:",
        *report_check_lines(result.checks),
    ]
    lines += ["", f"Rows: {outcome.ledger_line}"]
    lines += [f"  {t}: {b} → {a}" for t, (b, a) in sorted(result.ledger.items())]
    if result.timings:
        lines += ["", "Timings:", *(f"  {step}: {s:.3f} s" for step, s in result.timings)]
    if result.notes:
        lines += ["", "Notes:", *(f"  {n}" for n in result.notes)]
    if outcome.hint:
        lines += ["", f"What to do: {outcome.hint}"]
    if outcome.detail:
        lines += ["", "Details:", outcome.detail]
    if log:
        lines += ["", "Log:", *(f"  {line}" for line in log)]
    return lines


def run_report_json(
    result: UpgradeResult,
    *,
    versions: Mapping[str, str] | None = None,
    log: Iterable[str] = (),
) -> dict[str, Any]:
    """The same report as one JSON object: the `done` event plus the context."""
    outcome = run_outcome(result)
    done = done_event(result, result.duration).to_json()
    done.pop("t", None)
    inspection = result.inspection
    return {
        "report": TITLE,
        "file": str(result.path),
        "started_at": result.started_at.isoformat(timespec="seconds"),
        "duration": round(result.duration, 3),
        "ok": result.ok,
        "kind": str(outcome.kind),
        "headline": outcome.headline,
        "dry_run": result.dry_run,
        "from_version": result.from_version,
        "to_version": result.to_version,
        "from_label": outcome.from_label,
        "to_label": outcome.to_label,
        "backup": None if result.backup is None else str(result.backup),
        "applied": list(result.applied),
        "steps": [{"step": step, "method": method} for step, method in result.steps],
        "timings": [{"step": step, "seconds": round(s, 3)} for step, s in result.timings],
        "checks": [
            {"name": c.name, "outcome": str(c.outcome), "message": c.message,
             "phase": str(c.phase)}
            for c in result.checks
        ],
        "ledger": {table: list(pair) for table, pair in sorted(result.ledger.items())},
        "ledger_summary": outcome.ledger_line,
        "notes": list(result.notes),
        "problems": [p.to_json() for p in result.error.problems()] if result.error else [],
        "hint": outcome.hint,
        "detail": outcome.detail,
        "file_before": None if inspection is None else inspection.to_json(),
        "file_after": None if result.space is None else {
            "size": result.space.file_bytes, "free_bytes": result.space.free_bytes},
        "versions": report_versions(versions),
        "log": list(log),
        "done": done,
    }


def batch_report(
    results: Sequence[UpgradeResult],
    *,
    versions: Mapping[str, str] | None = None,
    log: Iterable[str] = (),
) -> str:
    """One text report for a batch: a summary line, then each file's report."""
    tools = report_versions(versions)
    parts = [f"{BATCH_TITLE}\n{batch_summary(results)}\n"]
    parts += ["\n".join(_report_lines(r, tools, [])) + "\n" for r in results]
    log = list(log)
    if log:
        parts.append("Log:\n" + "".join(f"  {line}\n" for line in log))
    return "\n".join(parts)


def batch_report_json(
    results: Sequence[UpgradeResult],
    *,
    versions: Mapping[str, str] | None = None,
    log: Iterable[str] = (),
) -> dict[str, Any]:
    """One JSON object for a batch: each file's `run_report_json` under `files`."""
    return {
        "report": BATCH_TITLE,
        "summary": batch_summary(results),
        "versions": report_versions(versions),
        "files": [run_report_json(r, versions=versions) for r in results],
        "log": list(log),
    }


def batch_summary(results: Sequence[UpgradeResult]) -> str:
    """"3 file(s): 2 upgraded, 1 failed"."""
    counts: dict[str, int] = {}
    for r in results:
        kind = str(run_outcome(r).kind)
        counts[kind] = counts.get(kind, 0) + 1
    parts = ", ".join(f"{n} {kind}" for kind, n in counts.items())
    return f"{len(results)} file(s)" + (f": {parts}" if parts else "")
