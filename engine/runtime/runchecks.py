"""The checks one run made, as a report lists them: each once, before the run or after it.

The go/no-go list (preflight) is the "before" part; every `verify` event the run itself emits
(ledger, foreign keys, schema before COMMIT, quick_check after it) is the "after" part. A face
reports from this list, never from the event stream, where `quick_check` also appears as the
preflight's summary event.
"""

from __future__ import annotations

from typing import NamedTuple

from engine.core.events import Event, EventSink, VerifyEvent
from engine.core.verdicts import Outcome, Phase
from engine.runtime.preflight import Preflight


class RunCheck(NamedTuple):
    """One check a run made: `outcome` is ok, warning or failed."""

    name: str
    outcome: Outcome
    message: str
    phase: Phase  # BEFORE: nothing was written yet; AFTER: the migrations' result


def before_run(preflight: Preflight) -> list[RunCheck]:
    return [RunCheck(c.name, Outcome.of(c.ok), c.message, Phase.BEFORE) for c in preflight.checks]


def recording(sink: EventSink, checks: list[RunCheck]) -> EventSink:
    """Pass events on; keep each `verify` event of the run as a check of its result."""

    def record(event: Event) -> None:
        if isinstance(event, VerifyEvent):
            # A lock wait is before anything was written.
            phase = Phase.BEFORE if event.check == "lock_wait" else Phase.AFTER
            checks.append(RunCheck(event.check, Outcome.of(event.ok), event.message, phase))
        sink(event)

    return record
