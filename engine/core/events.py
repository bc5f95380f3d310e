"""Progress events: one stream of small dataclasses for every run.

The engine passes them to a callback; the CLI renders them as a progress bar or JSON Lines
(`{"event": NAME, "t": seconds_since_start, ...}`, SPEC §7.7) and the GUI relays them as signals.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from engine.core.planned import PlannedStep
from engine.core.verdicts import Outcome


@dataclass(frozen=True)
class Event:
    name: ClassVar[str] = "event"
    t: float

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"event": self.name}
        for item in dataclasses.fields(self):
            out[item.name] = _jsonable(getattr(self, item.name))
        out["t"] = round(self.t, 4)
        return out


def _jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {k: _jsonable(v) for k, v in dataclasses.asdict(value).items()}
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if hasattr(value, "__fspath__"):
        return str(value)
    return value


@dataclass(frozen=True)
class PlanEvent(Event):
    name: ClassVar[str] = "plan"
    from_version: int | None
    to_version: int | None
    mode: str
    dry_run: bool
    steps: tuple[PlannedStep, ...]
    # Transactions the plan needs: in atomic mode more than one only around no-transaction steps.
    segments: int


@dataclass(frozen=True)
class BackupEvent(Event):
    name: ClassVar[str] = "backup"
    path: str
    pages_done: int
    pages_total: int
    done: bool
    verified: bool = False


@dataclass(frozen=True)
class StepStartEvent(Event):
    name: ClassVar[str] = "step_start"
    index: int  # 1-based position in the plan
    total: int
    version: int | None
    step: str
    kind: str
    statements: int


@dataclass(frozen=True)
class StatementEvent(Event):
    name: ClassVar[str] = "statement"
    version: int | None
    step: str
    index: int  # 1-based statement number within the step
    total: int
    line: int
    sql: str  # first line of the statement, shortened
    skipped: bool = False  # the bridge found its object already there


@dataclass(frozen=True)
class HeartbeatEvent(Event):
    name: ClassVar[str] = "heartbeat"
    version: int | None
    step: str
    statement: int
    elapsed: float  # seconds spent in the current statement so far


@dataclass(frozen=True)
class StepEndEvent(Event):
    name: ClassVar[str] = "step_end"
    index: int
    version: int | None
    step: str
    method: str  # executed / adopted / repaired / skipped
    duration_ms: int


@dataclass(frozen=True)
class VerifyEvent(Event):
    name: ClassVar[str] = "verify"
    check: str  # quick_check / foreign_keys / schema / ledger / integrity_check
    ok: bool
    message: str
    details: tuple[str, ...] = ()


@dataclass(frozen=True)
class PreflightEvent(Event):
    """One line of the go/no-go list before anything is written (engine/runtime/preflight.py).

    Its JSON is a `verify` event whose check is `preflight:NAME`, with "warning" in its details
    for a warning: other tools parse exactly that (SPEC §7.7 never renames)."""

    name: ClassVar[str] = "verify"
    check: str  # the check's own name: paths, readable, quick_check, …
    outcome: Outcome
    message: str
    hint: str = ""

    @property
    def ok(self) -> bool:
        """A warning does not stop the run."""
        return self.outcome != Outcome.FAILED

    def to_json(self) -> dict[str, Any]:
        return {
            "event": self.name,
            "t": round(self.t, 4),
            "check": f"preflight:{self.check}",
            "ok": self.ok,
            "message": self.message,
            "details": ["warning"] if self.outcome == Outcome.WARNING else [],
        }


@dataclass(frozen=True)
class DoneEvent(Event):
    name: ClassVar[str] = "done"
    ok: bool
    from_version: int | None
    to_version: int | None
    backup: str | None
    ledger: dict[str, list[int]] = field(default_factory=dict)
    problems: tuple[dict[str, Any], ...] = ()
    message: str = ""
    dry_run: bool = False
    applied: tuple[int, ...] = ()


EventSink = Callable[[Event], None]


class Clock:
    """Seconds since the start of one command; every event of a run shares it."""

    def __init__(self) -> None:
        self._start = time.monotonic()

    def __call__(self) -> float:
        return time.monotonic() - self._start


def ignore_events(event: Event) -> None:
    """The default sink."""


def shorten(sql: str, limit: int = 100) -> str:
    first = " ".join(sql.strip().split())
    return first if len(first) <= limit else first[: limit - 1] + "…"
