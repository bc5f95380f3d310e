"""The words of `sqlmig diff` and `sqlmig new`: readable lines and the JSON `done` event."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from engine.core.events import Clock, DoneEvent
from engine.schema.compare import format_diff

EQUAL = "The schema matches the expected schema."  # format_diff's line for "no difference"

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from engine.runtime.diffing import DiffReport
    from engine.schema.model import SchemaDiff


def diff_lines(report: DiffReport, *, sql: bool = False) -> list[str]:
    """What differs, in sentences; with `sql`, the SQL that reconciles it after them."""
    rec = report.reconciliation
    lines = [f"{report.path.name} against {report.against}:"]
    diff = report.diff
    if report.against_file and diff.extras:  # not the user's to keep: the other file lacks them
        lines += [f"  {line}" for line in format_diff(replace(diff, extras=()))
                  if diff.differences or line != EQUAL]  # fmt: skip
        lines.append(f"  {len(diff.extras)} object(s) only this file has, which the SQL drops:")
        lines += [f"    + {extra}" for extra in diff.extras]
    else:
        lines += [f"  {line}" for line in format_diff(diff)]
    lines += [f"  {line}" for line in (*rec.renames, *rec.notes)]
    if sql:
        lines += ["", "-- SQL that reconciles the schema:", rec.script().rstrip("\n")]
    elif not rec.empty:
        lines.append("Add --sql to see the SQL that reconciles it.")
    return lines


def diff_events(report: DiffReport, clock: Clock) -> list[dict[str, Any]]:
    """`sqlmig diff --json`: the single `done` event carrying the comparison (SPEC §7.23)."""
    done = DoneEvent(
        clock(),
        ok=report.ok,
        from_version=report.file_version,
        to_version=report.against_version,
        backup=None,
        message="The schemas are equal." if report.ok else "The schemas differ.",
    ).to_json()
    done.update(report.to_json())
    return [done]


def new_lines(written: Sequence[Path]) -> list[str]:
    return [*(f"Wrote {path}" for path in written),
            "Edit its up and down parts, then run `sqlmig upgrade` on a copy."]


def new_events(written: Sequence[Path], clock: Clock) -> list[dict[str, Any]]:
    """One `done` event: `path` is the file with the up part, `paths` every file written."""
    names = " and ".join(path.name for path in written)
    done = DoneEvent(clock(), ok=True, from_version=None, to_version=None, backup=None,
                     message=f"Wrote {names}.").to_json()
    done["path"] = str(written[0])
    done["paths"] = [str(path) for path in written]
    return [done]


def schema_change_lines(before_vs_after: SchemaDiff) -> list[str]:
    """What a run did to the schema, from `compare(before, after)`: what the result has that the
    file lacked is added, what differs is changed, what only the file had is removed."""
    lines = []
    for d in before_vs_after.differences:
        verb = "adds" if d.kind.startswith("missing_") else "changes"
        lines.append(f"{verb} {d.object}")
    lines += [f"removes {extra}" for extra in before_vs_after.extras]
    return lines
