"""A step of a plan as both faces show it: what runs, how, and why.

Apart from the progress events (which carry the plan's steps) so that planning, and the quick
`sqlmig status` that plans, do not build every event class.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.core.verdicts import Method, StepKind


@dataclass(frozen=True)
class PlannedStep:
    version: int | None
    name: str
    kind: StepKind
    method: Method  # what the step is expected to do (a bridge decides again as it runs)
    statements: tuple[tuple[int, str], ...]  # (line, sql)
    transaction: bool
    foreign_keys_off: bool
    when: str | None
    bridge: bool = False  # statements whose object already exists are skipped at run time
    recorded: bool = False  # already in the file's history; only missing effects are added
    reason: str | None = None

    @property
    def label(self) -> str:
        """`0012_add_tool_role` for a migration, the script's name for a repair."""
        return f"{self.version:04d}_{self.name}" if self.version is not None else self.name
