"""A stand-in for `engine.assess` until the engine provides it (issue 9: delete this module then).

It answers, from the engine's public face, the questions the window must not decide itself: the
file's state, whether it can be upgraded, what would run (repair scripts included), the newest
version and the app's name. Only `worker.inspect_job` uses it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import engine


class State(StrEnum):
    FRESH = "fresh"
    LEGACY = "legacy"
    TRACKED = "tracked"
    AHEAD = "ahead"
    FOREIGN = "foreign"
    DAMAGED = "damaged"
    INTERRUPTED = "interrupted"


@dataclass(frozen=True)
class PlannedStep:
    kind: str  # migrate / adopt / repair
    version: int | None
    name: str
    label: str  # "0012_add_tool_role", or the repair script's name
    method: str
    reason: str | None
    statements: tuple[tuple[int, str], ...]  # (line, sql)


@dataclass(frozen=True)
class Assessment:
    inspection: Any  # engine.Inspection
    plan: Any  # engine.Plan | None
    refusal: Any  # engine.Problem | None: why there is no plan
    newest_version: int | None
    app_name: str

    @property
    def state(self) -> State:
        return State(self.inspection.state)

    @property
    def can_upgrade(self) -> bool:
        return self.plan is not None and bool(self.plan.steps)

    @property
    def steps(self) -> tuple[PlannedStep, ...]:
        if self.plan is None:
            return ()
        return tuple(
            PlannedStep(
                kind=s.kind,
                version=s.version,
                name=s.name,
                label=s.name if s.version is None else f"{s.version:04d}_{s.name}",
                method=s.method,
                reason=s.reason,
                statements=tuple((st.line, st.sql) for st in s.statements),
            )
            for s in self.plan.steps
        )


def assess(path: str | Path, catalog: Any = None, *, cancel: Any = None) -> Assessment:
    catalog = catalog or engine.load_catalog()
    inspection = engine.inspect_file(path, catalog, cancel=cancel)
    plan = refusal = None
    try:
        plan = engine.plan(path, catalog)
    except engine.EngineError as exc:
        refusal = engine.Problem(exc.code, exc.message, exc.hint)
    profile = catalog.profile
    return Assessment(inspection, plan, refusal, catalog.head_version,
                      profile.app_name if profile is not None else "")
