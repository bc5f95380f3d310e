"""`upgrade --dry-run --execute`: any plan run on a temporary copy of the file, so the dry run
reports what the real run would: each step's time, the ledger, the checks before COMMIT, and the
schema changes it makes. The file itself is only read (copied with SQLite's backup API)."""

from __future__ import annotations

from pathlib import Path

from engine.core.events import VerifyEvent
from engine.planning.planner import Plan
from engine.render.diffs import schema_change_lines
from engine.runtime.diffing import read_schema
from engine.runtime.execution import Session, rehearse
from engine.schema import Snapshot, compare

REHEARSED = "Dry run: executed on a temporary copy; the file was not touched."


def rehearse_on_copy(session: Session, plan: Plan) -> None:
    """Run `plan` on a copy; the schema changes it made come as a `verify` event."""
    after: list[Snapshot] = []
    rehearse(session, plan, after=lambda copy: after.append(read_schema(copy)))
    changes = schema_change_lines(compare(read_schema(Path(session.path)), after[0]))
    shown = ", ".join(changes[:4]) + (", …" if len(changes) > 4 else "")
    message = (f"The run changes the schema in {len(changes)} way(s): {shown}." if changes
               else "The run leaves the schema as it is.")
    session.sink(VerifyEvent(session.clock(), "schema_changes", True, message, tuple(changes)))
    notes = session.result.notes
    notes[:] = [REHEARSED if n.startswith("Dry run: rehearsed") else n for n in notes]
