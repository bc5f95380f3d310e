"""A batch's events (SPEC §7.23): `file_start`, `file_done` with the file's own `done` payload,
and one final `done` with the summary and every refused, failed or cancelled file named.

`file_progress` carries one event of a file's own run (plan, backup, statements, …) for a face
that shows per-file progress; the CLI's JSON Lines leave it out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from engine.core.events import Event
from engine.core.verdicts import BatchKind


@dataclass(frozen=True)
class FileOutcome:
    """How one file of a batch ended: the facts both faces show (picklable: it comes back from
    a worker process)."""

    path: str
    kind: BatchKind
    reason: str  # refused, failed, cancelled: the state or the problem code; else ""
    headline: str  # the run's outcome in the engine's words
    from_label: str  # where the file was ("legacy v5", "v9", "empty", "unknown")
    to_label: str  # where it is now
    state: str | None  # what the run found the file to be (None: never inspected)
    done: dict[str, Any]  # the file's own `done` event, as `sqlmig upgrade --json` prints it
    exit_code: int

    @property
    def problems(self) -> list[dict[str, Any]]:
        return list(self.done.get("problems", ()))

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "outcome": str(self.kind), "reason": self.reason,
                "message": self.headline, "problems": self.problems}


@dataclass(frozen=True)
class FileStartEvent(Event):
    name: ClassVar[str] = "file_start"
    path: str
    index: int  # 1-based position in the batch
    total: int


@dataclass(frozen=True)
class FileProgressEvent(Event):
    name: ClassVar[str] = "file_progress"
    path: str
    index: int
    event: Event  # one event of this file's own run

    def to_json(self) -> dict[str, Any]:
        return {"event": self.name, "t": round(self.t, 4), "path": self.path,
                "index": self.index, "run": self.event.to_json()}


@dataclass(frozen=True)
class FileDoneEvent(Event):
    name: ClassVar[str] = "file_done"
    index: int
    total: int
    outcome: FileOutcome

    def to_json(self) -> dict[str, Any]:
        o = self.outcome
        return {"event": self.name, "t": round(self.t, 4), "path": o.path, "index": self.index,
                "total": self.total, "outcome": str(o.kind), "reason": o.reason,
                "state": o.state, "message": o.headline, "done": o.done}


@dataclass(frozen=True)
class BatchDoneEvent(Event):
    name: ClassVar[str] = "done"
    ok: bool
    message: str  # "23 upgraded, 2 already current, 1 refused: damaged"
    counts: dict[str, int]  # BatchKind → files
    outcomes: tuple[FileOutcome, ...]
    exit_code: int

    def to_json(self) -> dict[str, Any]:
        def named(*kinds: BatchKind) -> list[dict[str, Any]]:
            return [o.to_json() for o in self.outcomes if o.kind in kinds]

        problems = [{**p, "path": o.path} for o in self.outcomes
                    if o.kind in (BatchKind.REFUSED, BatchKind.FAILED, BatchKind.CANCELLED)
                    for p in o.problems]
        return {"event": self.name, "t": round(self.t, 4), "ok": self.ok,
                "message": self.message, "summary": dict(self.counts),
                "files": len(self.outcomes), "exit_code": self.exit_code,
                "refused": named(BatchKind.REFUSED), "failed": named(BatchKind.FAILED),
                "cancelled": named(BatchKind.CANCELLED, BatchKind.NOT_STARTED),
                "problems": problems}
