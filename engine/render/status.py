"""`sqlmig status` in words and JSON: the file's state, its version, history and pending
migrations, the problems found, and whether an upgrade can run (from `engine.assess`)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.core.errors import Cancelled, EngineError, Problem
from engine.core.verdicts import UPGRADABLE_STATES, State
from engine.render.words import plan_summary
from engine.state.findings import listing

if TYPE_CHECKING:
    from engine.planning.assess import Assessment


def status_json(assessment: Assessment, catalog_problems: Sequence[Problem]) -> dict[str, Any]:
    """The one JSON object of `status --json` (SPEC §7.7)."""
    data = assessment.inspection.to_json()
    data["problems"] = data["problems"] + [p.to_json() for p in catalog_problems]
    data["can_upgrade"] = assessment.can_upgrade
    refusal = assessment.refusal
    data["refusal"] = None if refusal is None else refusal.to_json()
    catalog = assessment.catalog
    data["convention"] = catalog.convention if catalog is not None else "sqlmig"
    data["skipped"] = [
        {"file": s.file, "reason": s.reason} for s in (catalog.skipped if catalog else ())
    ]
    return data


def status_lines(assessment: Assessment, catalog_problems: Sequence[Problem]) -> list[str]:
    i = assessment.inspection
    rows = [("state", str(i.state)), ("file", f"{i.path}")]
    if i.state == State.INTERRUPTED:
        rows.append(("size", f"{i.size:,} bytes, and a -journal beside it"))
    elif i.state != State.DAMAGED:
        journal = f", {i.journal_mode.upper()} journal" if i.journal_mode else ""
        rows.append(
            ("size", f"{i.size:,} bytes, {i.page_count or 0} pages of {i.page_size or 0}{journal}")
        )
        rows.append(("user_version", str(i.user_version)))
        target = f"v{i.head_version}" if i.head_version is not None else "none"
        current = f"v{i.current_version}" if i.current_version is not None else "none"
        rows.append(("version", f"{current} → {target} (newest migration)"))
    if i.applied:
        statuses: dict[str, int] = {}
        for a in i.applied:
            statuses[a.status] = statuses.get(a.status, 0) + 1
        summary = ", ".join(f"{n} {s}" for s, n in sorted(statuses.items()))
        rows.append(("history", f"{len(i.applied)} row(s): {summary}"))
    if i.pending and i.state in (State.FRESH, State.TRACKED):
        shown = ", ".join(f"{p.version:04d} {p.name}" for p in i.pending[:4])
        more = f" … (+{len(i.pending) - 4})" if len(i.pending) > 4 else ""
        rows.append(("pending", shown + more))
    if i.extras:
        rows.append(("extra tables", listing(i.extras)))
    catalog = assessment.catalog
    if catalog is not None and catalog.convention != "sqlmig":
        decided = _DECIDED[catalog.decided_by]
        rows.append(("convention", f"{catalog.convention} (decided by {decided})"))
    for skipped in catalog.skipped if catalog is not None else ():
        rows.append(("skipped", f"{skipped.file}: {skipped.reason}"))
    if assessment.can_upgrade:
        rows.append(("upgrade", plan_summary(assessment)))
    elif assessment.refusal is not None and i.state in UPGRADABLE_STATES:
        rows.append(("upgrade", f"refused ({assessment.refusal.code}): see below"))
    lines = [f"{i.path.name}: {i.diagnosis}"]
    lines += [f"  {label:<13}{value}" for label, value in rows]
    return lines + problem_lines([*i.problems, *catalog_problems])


_DECIDED = {
    "history": "its history table in the file",
    "config": "the folder's sqlmig.toml or profile.toml",
    "features": "its files",
    "default": "default",
}


def problem_lines(problems: Sequence[Problem]) -> list[str]:
    """One line per problem; a hint shared by several problems once, after the last of them."""
    lines = []
    for n, problem in enumerate(problems):
        lines.append(f"  ! {problem.message}{problem.where()}")
        following = problems[n + 1].hint if n + 1 < len(problems) else None
        if problem.hint and problem.hint != following:
            lines.append(f"    hint: {problem.hint}")
    return lines


def error_json(error: EngineError, *, command: str | None, path: Path | None) -> dict[str, Any]:
    """A command that could not do its work under `--json`: the status object of no file for
    `status`, else a single `done` event with `ok: false` (SPEC §7.7)."""
    problems = [p.to_json() for p in error.problems()]
    if command == "status":
        return {
            "path": None if path is None else str(path),
            "state": None,
            "current_version": None,
            "head_version": None,
            "pending": [],
            "problems": problems,
        }
    from engine.core.events import DoneEvent  # only a failed command builds the events

    return DoneEvent(
        0.0,
        ok=False,
        from_version=None,
        to_version=None,
        backup=None,
        problems=tuple(problems),
        message=error.message,
    ).to_json()


def error_lines(error: EngineError) -> list[str]:
    """An error for stderr: the sentence and what to do; a cancel is the user's own request,
    so one sentence, not an error."""
    if isinstance(error, Cancelled):
        return [error.message]
    return [f"error: {error.message}"] + ([f"hint: {error.hint}"] if error.hint else [])
