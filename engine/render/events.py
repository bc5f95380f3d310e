"""Progress events in words: one line per event for the CLI's plain output and the window's log,
the plan as a list, the go/no-go list as it arrives."""

from __future__ import annotations

from engine.core.events import (
    BackupEvent,
    DoneEvent,
    Event,
    PlanEvent,
    PreflightEvent,
    StatementEvent,
    StepEndEvent,
    StepStartEvent,
    VerifyEvent,
)
from engine.core.planned import PlannedStep
from engine.core.verdicts import Outcome

PREFLIGHT_MARKS = {Outcome.OK: "yes", Outcome.WARNING: "warning", Outcome.FAILED: "NO"}


def describe_event(event: Event) -> str:
    """One line for a human reader (empty for events not worth a line of their own)."""
    if isinstance(event, StepStartEvent):
        return f"[{event.index}/{event.total}] {event.step} ({event.statements} statements)"
    if isinstance(event, StatementEvent):
        return f"    line {event.line}: {event.sql}"
    if isinstance(event, StepEndEvent):
        return f"    {event.method} in {event.duration_ms} ms"
    if isinstance(event, PreflightEvent):
        mark = {Outcome.OK: "ok", Outcome.WARNING: "warning"}.get(event.outcome, "FAILED")
        return f"check preflight:{event.check}: {mark} — {event.message}"
    if isinstance(event, VerifyEvent):
        mark = "warning" if "warning" in event.details else ("ok" if event.ok else "FAILED")
        return f"check {event.check}: {mark} — {event.message}"
    if isinstance(event, BackupEvent) and event.done:
        return f"backup written and verified: {event.path}"
    if isinstance(event, DoneEvent):
        return event.message
    return ""


def plan_lines(plan: PlanEvent, *, statements: bool) -> list[str]:
    """The plan: a heading, one line per step (and with `statements`, every statement)."""
    bridged = any(step.bridge for step in plan.steps)  # a legacy file has no version yet
    start = plan.from_version
    head = f"v{start}" if start is not None else ("a legacy file" if bridged else "empty")
    lines = [
        f"Plan: {head} → v{plan.to_version}, {len(plan.steps)} step(s), "
        f"mode {plan.mode}, {plan.segments} transaction(s)."
    ]
    for step in plan.steps:
        lines.append(f"  {step.kind} {step.label}{_flags(step)}")
        if statements:
            for line, sql in step.statements:
                text = sql.replace("\n", "\n" + " " * 14)
                lines.append(f"    line {line:>4}: {text}")
    return lines


def _flags(step: PlannedStep) -> str:
    flags = [
        flag
        for flag, on in (
            ("foreign keys off", step.foreign_keys_off),
            ("outside a transaction", not step.transaction),
        )
        if on
    ]
    return f" ({', '.join(flags)})" if flags else ""


def preflight_line(event: PreflightEvent, *, first: bool) -> list[str]:
    """One line of the go/no-go list as it arrives (the list's heading before the first)."""
    line = f"  [{PREFLIGHT_MARKS[event.outcome]:>7}] {event.check}: {event.message}"
    return ["Preflight (go/no-go):", line] if first else [line]
