"""What the parts of one run share: the connection, the plan, the event sink, the kept objects,
the rows the plan may move; and what a run reports back to the upgrade (`RunOutcome`)."""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from engine.core.events import Clock, EventSink
from engine.planning.planner import Plan
from engine.runtime.checks import FkKey
from engine.runtime.kept import KeptObjects
from engine.runtime.pulse import Pulse
from engine.runtime.valuewatch import ValueWatch
from engine.state.expected import ExpectedSchemas

Moves = dict[str, tuple[str, ...]]  # source table (or table.column) -> where its rows went


@dataclass
class RunContext:
    conn: sqlite3.Connection
    plan: Plan
    expected: ExpectedSchemas
    sink: EventSink
    clock: Clock
    pulse: Pulse
    kept: KeptObjects
    applied: set[int] = field(default_factory=set)  # versions committed (compare-and-set)
    moves: Moves = field(default_factory=dict)  # grows as steps run
    watch: ValueWatch | None = None  # set by the baseline, before the first change
    broken_before: set[str] = field(default_factory=set)  # the user's views/triggers broken

    def add_moves(self, moves: Iterable[tuple[str, tuple[str, ...]]]) -> None:
        for source, targets in moves:
            self.moves[source] = tuple(dict.fromkeys((*self.moves.get(source, ()), *targets)))


@dataclass
class RunOutcome:
    replan: bool = False  # another runner changed the file: plan again from what it did
    applied: list[int] = field(default_factory=list)
    ledger: dict[str, list[int]] = field(default_factory=dict)
    existing_damage: Counter[FkKey] = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)
