"""What one upgrade did: the facts both faces report (engine/render/run.py words them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from engine.core.errors import EngineError
from engine.planning.planner import Plan
from engine.render.run import start_label
from engine.runtime.preflight import Preflight
from engine.runtime.runchecks import RunCheck
from engine.state.inspection import Inspection
from engine.state.space import Space


@dataclass
class UpgradeResult:
    ok: bool
    path: Path
    from_version: int | None
    to_version: int | None
    backup: Path | None = None
    applied: list[int] = field(default_factory=list)
    ledger: dict[str, list[int]] = field(default_factory=dict)
    error: EngineError | None = None
    dry_run: bool = False
    plan: Plan | None = None
    notes: list[str] = field(default_factory=list)
    preflight: Preflight | None = None  # the go/no-go list (None when nothing was to be done)
    inspection: Inspection | None = None  # the file as this run found it at its start
    checks: list[RunCheck] = field(default_factory=list)  # each check once, in the order made
    started_at: datetime = field(default_factory=lambda: datetime.now().astimezone())
    duration: float = 0.0  # seconds from the start to the `done` event
    recovered: bool = False  # a hot journal was rolled back before anything else
    replanned: bool = False  # another runner changed the file meanwhile; this run continued
    steps: list[tuple[str, str]] = field(default_factory=list)  # (step, method) of each step_end
    timings: list[tuple[str, float]] = field(default_factory=list)  # (step, seconds) likewise
    space: Space | None = None  # the file's size and free pages after a run that wrote to it

    @property
    def from_label(self) -> str | None:
        """The start as this run found it: vN, empty, legacy user_version N."""
        return start_label(self)

    @property
    def exit_code(self) -> int:
        return 0 if self.error is None else self.error.exit_code

    def merge(self, applied: list[int], ledger: dict[str, list[int]], notes: list[str]) -> None:
        """Add what one runner did (a re-planned run has several)."""
        self.applied.extend(applied)
        self.notes.extend(notes)
        for table, (before, after) in ledger.items():
            if table in self.ledger:
                self.ledger[table][1] = after
            else:
                self.ledger[table] = [before, after]
