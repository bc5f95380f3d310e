"""How `sqlmig` writes: plain lines (a progress bar on a terminal), JSON Lines.

The words come from the engine (`engine.describe_event`, `engine.plan_lines`, …); this module
only decides where they go. The engine itself never prints.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterable
from typing import Any, TextIO

import engine


class Output:
    """stdout that survives a reader going away (`sqlmig … | head`): the work still finishes."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._closed = False

    def write(self, text: str) -> int:
        if not self._closed:
            try:
                return self._stream.write(text)
            except BrokenPipeError:
                self._closed = True
                # Python would report the broken pipe again when it flushes stdout at exit.
                with contextlib.suppress(OSError):
                    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return len(text)

    def flush(self) -> None:
        if not self._closed:
            try:
                self._stream.flush()
            except BrokenPipeError:
                self._closed = True

    def isatty(self) -> bool:
        return not self._closed and self._stream.isatty()


def print_json(data: dict[str, Any], out: TextIO) -> None:
    import json  # only --json output needs it; plain `status` starts faster without

    out.write(json.dumps(_versions_as_written(data), ensure_ascii=False) + "\n")
    out.flush()


def _versions_as_written(value: Any) -> Any:
    """Versions stay JSON integers; a Flyway dotted version (an int that carries its `label`)
    is written as its string, 1.10 (SPEC §7.22)."""
    if isinstance(value, dict):
        return {k: _versions_as_written(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_versions_as_written(v) for v in value]
    if isinstance(value, int) and isinstance(getattr(value, "label", None), str):
        return str(value)
    return value


def print_lines(lines: Iterable[str], out: TextIO) -> None:
    for line in lines:
        print(line, file=out, flush=True)  # live even through a pipe


class JsonRenderer:
    """One JSON line per event (SPEC §7.7)."""

    def __init__(self, out: TextIO) -> None:
        self.out = out

    def __call__(self, event: engine.Event) -> None:
        print_json(event.to_json(), self.out)

    def __enter__(self) -> JsonRenderer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.out.flush()


class TextRenderer:
    """Plain lines; on a terminal a rich progress bar over the statements."""

    def __init__(self, out: TextIO, *, dry_run: bool) -> None:
        self.out = out
        self.dry_run = dry_run
        self.progress: Any = None
        self.task: Any = None
        self.total = 1
        self.preflight_shown = False
        self.tty = out.isatty() if hasattr(out, "isatty") else False

    def __enter__(self) -> TextRenderer:
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop_bar()

    def __call__(self, event: engine.Event) -> None:
        if isinstance(event, engine.PlanEvent):
            print_lines(engine.plan_lines(event, statements=self.dry_run), self.out)
            self.total = sum(len(s.statements) for s in event.steps) or 1
            return
        bar = (engine.StatementEvent, engine.HeartbeatEvent, engine.StepStartEvent)
        if self.tty and isinstance(event, bar):
            self._bar(event)
            return
        if isinstance(event, engine.DoneEvent):
            self._stop_bar()
        if isinstance(event, engine.PreflightEvent):
            print_lines(engine.preflight_line(event, first=not self.preflight_shown), self.out)
            self.preflight_shown = True
            return
        line = engine.describe_event(event)
        if line and not isinstance(event, engine.StatementEvent):
            print_lines([line], self.out)

    def _bar(self, event: engine.Event) -> None:
        if self.progress is None:
            from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

            self.progress = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                TimeElapsedColumn(),
                transient=True,
            )
            self.progress.start()
            self.task = self.progress.add_task("starting", total=self.total)
        if isinstance(event, engine.StatementEvent):
            self.progress.update(self.task, advance=1, description=event.step)

    def _stop_bar(self) -> None:
        if self.progress is not None:
            self.progress.stop()
            self.progress = None
