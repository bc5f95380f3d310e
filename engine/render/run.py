"""What a run's result says, for both faces: the outcome (a headline first, details after), the
report a support person pastes into a ticket (`run_report`), and the same as JSON.

Everything comes from the run's own result (`UpgradeResult`), never from what a face showed
before: the file may have changed meanwhile. Nothing here reads an error's message to decide
what happened; the problem code and the versions decide.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from engine.core.errors import Cancelled
from engine.core.events import DoneEvent
from engine.core.verdicts import Method, Outcome, Phase, ProblemCode, RunKind, State
from engine.render.checks import preflight_lines
from engine.render.words import version_labels
from engine.state.findings import listing

if TYPE_CHECKING:
    from engine.runtime.result import UpgradeResult
    from engine.runtime.runchecks import RunCheck

RECOVERED = (
    "SQLite first rolled back an earlier write that had been cut off (the -journal beside the "
    "file); every committed change stays."
)
REPLANNED = "Another process upgraded the file meanwhile"
MARKS = {Outcome.OK: "✔ passed", Outcome.WARNING: "⚠ warning", Outcome.FAILED: "✘ FAILED"}


@dataclass(frozen=True)
class RunOutcome:
    """A run in words: `kind` (upgraded / unchanged / cancelled / failed), a `headline`, the
    versions, what to do (`hint`), the technical `detail`, one line per check and the rows."""

    kind: RunKind
    headline: str
    from_label: str
    to_label: str
    hint: str
    detail: str
    check_lines: tuple[str, ...]
    ledger_line: str

    @property
    def ok(self) -> bool:
        return self.kind == RunKind.UPGRADED


def run_outcome(result: UpgradeResult) -> RunOutcome:
    path = Path(result.path)
    start = version_labels(result.inspection)[0] if result.inspection is not None else "unknown"
    reached = None if result.to_version is None else f"v{result.to_version}"
    backup = f"; backup kept at {result.backup}" if result.backup else ""
    error = result.error
    hint = detail = ""
    if error is None:
        to_label = reached or start
        if result.dry_run and result.applied:  # applied on a temporary copy, not on the file
            kind = RunKind.UNCHANGED
            headline = (f"Dry run: {start} → {to_label} ran on a temporary copy; "
                        f"{path.name} was not touched.")
        elif result.applied:
            kind, headline = RunKind.UPGRADED, f"Upgraded {path.name}: {start} → {to_label}."
        elif _repaired(result) and not result.dry_run:
            kind, headline = RunKind.UPGRADED, f"Repaired {path.name} at {to_label}."
        else:  # nothing to do, a dry run, or another program did it while this run waited
            kind = RunKind.UNCHANGED
            headline = result.notes[0] if result.notes else "Nothing to do: no migration ran."
    else:
        # Nothing this run did stayed in the file unless it committed a new version.
        unchanged = reached is None or result.to_version == result.from_version
        to_label = start if unchanged else str(reached)
        if error.code == ProblemCode.CHANGED_SINCE_INSPECTION:
            kind, headline = RunKind.UNCHANGED, f"Not upgraded: {error.message}"
        elif error.code == ProblemCode.CANCELLED:
            state = (f"the file is unchanged (still {start})" if unchanged
                     else f"the file is at {to_label}, the last step that completed")
            kind, headline = RunKind.CANCELLED, f"Cancelled: {state}{backup}."
        else:
            kind, headline = RunKind.FAILED, f"Upgrade failed: {error.message}"
            if result.backup:
                headline += f" The backup is kept at {result.backup}."
        hint = error.hint
        detail = "\n".join(x for x in (
            f"problem code: {error.code}",
            f"migration file: {error.file}, line {error.line}" if error.file else "",
            error.detail,
        ) if x)
    return RunOutcome(
        kind=kind,
        headline=headline,
        from_label=start,
        to_label=to_label,
        hint=hint,
        detail=detail,
        check_lines=tuple(check_lines(result.checks)),
        ledger_line=ledger_line(result.ledger, result.checks),
    )


def _repaired(result: UpgradeResult) -> bool:
    return any(method == Method.REPAIRED for _step, method in result.steps)


def done_message(result: UpgradeResult) -> str:
    """The `done` event's message: what the run did, in one sentence."""
    after = f" {RECOVERED}" if result.recovered else ""
    if result.error is not None:
        return result.error.message + after
    if result.dry_run:
        steps = len(result.plan.steps) if result.plan else 0
        return f"Dry run: {steps} step(s) would run; nothing was written."
    repaired = [step for step, method in result.steps if method == Method.REPAIRED]
    made = f"{len(repaired)} repair(s) made ({listing(repaired)})" if repaired else ""
    if not result.applied:
        if repaired and not result.replanned:
            return f"Repaired the file at {_v(result.to_version)}: {made}.{after}"
        notes = [n for n in result.notes if n != RECOVERED]
        return (notes[0] if notes else "Nothing to do.") + after
    start = start_label(result) or _v(result.from_version)
    return (
        f"Upgraded from {start} to {_v(result.to_version)}: "
        f"{len(result.applied)} migration(s) recorded" + (f", {made}" if made else "") + "."
        + after
    )


def done_event(result: UpgradeResult, t: float) -> DoneEvent:
    """The run's one `done` event (what `sqlmig upgrade --json` prints last)."""
    problems = tuple(p.to_json() for p in result.error.problems()) if result.error else ()
    return DoneEvent(
        t,
        ok=result.ok,
        from_version=result.from_version,
        to_version=result.to_version,
        backup=str(result.backup) if result.backup else None,
        ledger=result.ledger,
        problems=problems,
        message=done_message(result),
        dry_run=result.dry_run,
        applied=tuple(result.applied),
    )


def start_label(result: UpgradeResult) -> str | None:
    """The start as found: vN, empty, legacy user_version N."""
    inspection = result.inspection
    if inspection is None:
        return None
    if inspection.state == State.LEGACY:
        return f"legacy user_version {inspection.user_version}"
    if inspection.state == State.FRESH:
        return "empty"
    return None if inspection.current_version is None else f"v{inspection.current_version}"


def _v(version: int | None) -> str:
    return "empty" if version is None else f"v{version}"


def after_run_lines(result: UpgradeResult) -> list[str]:
    """The plain-text end of a refused or failed upgrade: the go/no-go list that stopped it
    (its refusal already said, so named only), then what to do."""
    lines = []
    error = result.error
    if error is not None and not isinstance(error, Cancelled) and result.preflight is not None:
        failures = result.preflight.failures
        lines += preflight_lines(result.preflight, stopped_by=failures[0] if failures else None)
    if error is not None and error.hint:
        lines.append(f"hint: {error.hint}")
    return lines


def check_lines(checks: Sequence[RunCheck]) -> list[str]:
    """One line per check; the passed checks before the run share one line."""
    before = [c for c in checks if c.phase == Phase.BEFORE]
    passed = [c.name for c in before if c.outcome == Outcome.OK]
    lines = []
    if passed:
        lines.append(f"✔ passed — before the run, {len(passed)} checks: {', '.join(passed)}")
    lines += [f"{MARKS[Outcome(c.outcome)]} — before the run, {c.name}: {c.message}"
              for c in before if c.outcome != Outcome.OK]
    lines += [f"{MARKS[Outcome(c.outcome)]} — {c.name}: {c.message}"
              for c in checks if c.phase != Phase.BEFORE]
    return lines


def ledger_line(ledger: dict[str, list[int]], checks: Sequence[RunCheck]) -> str:
    if not ledger:
        return "No rows were counted."
    fewer = sorted(t for t, (before, after) in ledger.items() if after < before)
    before = sum(b for b, _a in ledger.values())
    after = sum(a for _b, a in ledger.values())
    line = f"{len(ledger)} tables, {before:,} rows before and {after:,} after"
    verdict = [c.outcome == Outcome.OK for c in checks if c.name == "ledger"]
    if verdict and verdict[-1]:
        moved = f" Rows moved to a new table from: {', '.join(fewer)}." if fewer else ""
        return f"{line}; no table lost rows (ledger check passed).{moved}"
    if fewer:
        return f"{line}; fewer rows in: {', '.join(fewer)} (see the table)."
    return f"{line}."
