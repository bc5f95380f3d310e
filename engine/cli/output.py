"""How `sqlmig` writes: plain lines (a progress bar on a terminal), JSON Lines, the status table.

Only engine/cli.py uses this module; the engine itself never prints.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TextIO

from engine.core.errors import Problem
from engine.state.findings import listing

if TYPE_CHECKING:
    from engine.core.events import Event
    from engine.state.inspect import Inspection


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

    out.write(json.dumps(data, ensure_ascii=False) + "\n")
    out.flush()


def print_status(inspection: Inspection, catalog_problems: Sequence[Problem], out: TextIO) -> None:
    i = inspection
    print(f"{i.path.name}: {i.diagnosis}", file=out)
    rows = [("state", i.state), ("file", f"{i.path}")]
    if i.state == "interrupted":
        rows.append(("size", f"{i.size:,} bytes, and a -journal beside it"))
    elif i.state != "damaged":
        journal = f", {i.journal_mode.upper()} journal" if i.journal_mode else ""
        rows.append(
            ("size", f"{i.size:,} bytes, {i.page_count or 0} pages of {i.page_size or 0}{journal}")
        )
        rows.append(("user_version", str(i.user_version)))
        target = f"v{i.head_version}" if i.head_version is not None else "none"
        current = f"v{i.current_version}" if i.current_version is not None else "none"
        rows.append(("version", f"{current} → {target} (newest migration)"))
    if i.applied:
        statuses: dict[str, int] = {}
        for a in i.applied:
            statuses[a.status] = statuses.get(a.status, 0) + 1
        summary = ", ".join(f"{n} {s}" for s, n in sorted(statuses.items()))
        rows.append(("history", f"{len(i.applied)} row(s): {summary}"))
    if i.pending and i.state in ("fresh", "tracked"):
        shown = ", ".join(f"{p.version:04d} {p.name}" for p in i.pending[:4])
        more = f" … (+{len(i.pending) - 4})" if len(i.pending) > 4 else ""
        rows.append(("pending", shown + more))
    if i.extras:
        rows.append(("extra tables", listing(i.extras)))
    for label, value in rows:
        print(f"  {label:<13}{value}", file=out)
    problems = list(i.problems) + list(catalog_problems)
    for n, problem in enumerate(problems):
        print(f"  ! {problem.message}{problem.where()}", file=out)
        following = problems[n + 1].hint if n + 1 < len(problems) else None
        if problem.hint and problem.hint != following:  # a shared hint once, after its group
            print(f"    hint: {problem.hint}", file=out)


class JsonRenderer:
    def __init__(self, out: TextIO) -> None:
        self.out = out

    def __call__(self, event: Event) -> None:
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
        self.tty = out.isatty() if hasattr(out, "isatty") else False

    def __enter__(self) -> TextRenderer:
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop_bar()

    def __call__(self, event: Event) -> None:
        data = event.to_json()
        name = data["event"]
        if name == "plan":
            self._plan(data)
            return
        if self.tty and name in ("statement", "heartbeat", "step_start"):
            self._bar(data)
            return
        if name == "done":
            self._stop_bar()
        if name == "verify" and str(data["check"]).startswith("preflight:"):
            self._preflight(data)
            return
        from engine.runtime.upgrader import describe_event

        line = describe_event(event)
        if line and name != "statement":
            print(line, file=self.out, flush=True)  # live even through a pipe

    def _plan(self, data: dict[str, Any]) -> None:
        steps = data["steps"]
        frm = data["from_version"]
        bridged = any(step["bridge"] for step in steps)  # a legacy file has no version yet
        head = f"v{frm}" if frm is not None else ("a legacy file" if bridged else "empty")
        print(
            f"Plan: {head} → v{data['to_version']}, {len(steps)} step(s), "
            f"mode {data['mode']}, {data['segments']} transaction(s).",
            file=self.out,
        )
        for step in steps:
            label = (
                f"{step['version']:04d}_{step['name']}"
                if step["version"] is not None
                else step["name"]
            )
            flags = [
                f
                for f, on in (
                    ("foreign keys off", step["foreign_keys_off"]),
                    ("outside a transaction", not step["transaction"]),
                )
                if on
            ]
            extra = f" ({', '.join(flags)})" if flags else ""
            print(f"  {step['kind']} {label}{extra}", file=self.out)
            if self.dry_run:
                for line, sql in step["statements"]:
                    text = sql.replace("\n", "\n" + " " * 14)
                    print(f"    line {line:>4}: {text}", file=self.out)
        self.total = sum(len(s["statements"]) for s in steps) or 1

    def _preflight(self, data: dict[str, Any]) -> None:
        """One line of the go/no-go list (a heading before the first)."""
        if not getattr(self, "preflight_shown", False):
            self.preflight_shown = True
            print("Preflight (go/no-go):", file=self.out)
        mark = "warning" if "warning" in data["details"] else ("yes" if data["ok"] else "NO")
        name = str(data["check"]).removeprefix("preflight:")
        print(f"  [{mark:>7}] {name}: {data['message']}", file=self.out)

    def _bar(self, data: dict[str, Any]) -> None:
        if self.progress is None:
            from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

            self.progress = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                TimeElapsedColumn(),
                transient=True,
            )
            self.progress.start()
            self.task = self.progress.add_task("starting", total=getattr(self, "total", 1))
        if data["event"] == "statement":
            self.progress.update(self.task, advance=1, description=data["step"])

    def _stop_bar(self) -> None:
        if self.progress is not None:
            self.progress.stop()
            self.progress = None
