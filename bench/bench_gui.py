"""GUI responsiveness and start-up, measured through the real window (offscreen).

    /tmp/venv0/bin/python bench/bench_gui.py            # 300 MB legacy file (built once, cached)
    /tmp/venv0/bin/python bench/bench_gui.py --mb 50    # smaller, quicker
    /tmp/venv0/bin/python bench/bench_gui.py --startup-only

1. Responsiveness: a legacy file (the demo database plus agent memory rows up to --mb MB) is
   backed up and upgraded through MainWindow, exactly as a support person would (the
   confirmation is answered by a script). A 10 ms QTimer ticks on the GUI thread the whole time;
   the figure is the largest gap between two ticks (goal <= 50 ms), plus the number of progress
   updates the window showed per second during the longest statement (goal >= 2).
2. Start-up: a whole process that shows the window and waits until a small file is inspected,
   vs `python -c "import PySide6.QtWidgets"` (ratio of medians).

The big file is cached under bench/.cache/ (keyed on the demo builder and --mb); every run
upgrades a fresh copy in a temp folder that is removed at the end.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
CACHE = BENCH / ".cache"
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


# -- the big legacy file --------------------------------------------------------------------------


def build_big_legacy(folder: Path, mb: int) -> Path:
    """The demo legacy file (v5) with agent_memory rows added until the file reaches `mb` MB."""
    from sqlmig_migrations.demo import build_demo_database

    path = build_demo_database(folder)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.execute("PRAGMA synchronous = OFF")
    agents = conn.execute("SELECT id, world_id FROM agents").fetchall()
    text = ("Lorem ipsum dolor sit amet — Größe, 你好, مرحبا. " * 20)[:900]
    target = mb * 1024 * 1024
    batch = 5_000
    n = 0
    while path.stat().st_size < target:
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT INTO agent_memory (agent_id, world_id, role, content, sender, chat_id) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [
                (*agents[(n + i) % len(agents)], "user" if i % 2 else "assistant",
                 f"{n + i}: {text}", "human" if i % 3 else None, None)
                for i in range(batch)
            ],
        )
        conn.execute("COMMIT")
        n += batch
    conn.execute("PRAGMA journal_mode = WAL")
    conn.close()
    return path


def cached_big_file(mb: int) -> Path:
    demo = b"".join((REPO / "migrations" / name).read_bytes()
                    for name in ("demo.py", "legacy_schema.py"))
    key = hashlib.sha256(demo + str(mb).encode() + b"v1").hexdigest()[:12]
    folder = CACHE / f"gui-legacy-{mb}mb-{key}"
    path = folder / "database.db"
    if not path.exists():
        shutil.rmtree(folder, ignore_errors=True)
        print(f"building a {mb} MB legacy file (once) in {folder} …", flush=True)
        build_big_legacy(folder, mb)
    return path


# -- 1. responsiveness -------------------------------------------------------------------------


class AutoPrompts:
    def __getattr__(self, name: str) -> Any:
        if name.startswith("confirm"):
            return lambda *a, **k: True
        return lambda *a, **k: None


def responsiveness(big: Path, work: Path) -> dict[str, Any]:
    from PySide6.QtCore import QElapsedTimer, QEventLoop, QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    import engine
    from sqlmig_gui.app import tune_interpreter
    from sqlmig_gui.main_window import MainWindow

    tune_interpreter()  # as sqlmig-gui does

    copy = work / "database.db"
    shutil.copyfile(big, copy)
    app = QApplication.instance() or QApplication([])
    settings = QSettings(str(work / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(prompts=AutoPrompts(), settings=settings)
    window.resize(1100, 780)
    window.show()

    loop = QEventLoop()
    window.inspectionShown.connect(loop.quit)
    window.open_file(copy)
    loop.exec()
    window.inspectionShown.disconnect(loop.quit)
    # A person reads the diagnosis before clicking: give the window a second, as they would.
    QTimer.singleShot(1000, loop.quit)
    loop.exec()

    clock = QElapsedTimer()
    clock.start()
    gaps: list[int] = []
    last = [0]

    slow: list[tuple[float, int]] = []  # (monotonic time, gap ms) of the gaps over 50 ms

    def tick() -> None:
        now = clock.elapsed()
        gaps.append(now - last[0])
        if now - last[0] > 50:
            slow.append((time.monotonic(), now - last[0]))
        last[0] = now

    arrivals: list[tuple[float, str]] = []  # (GUI-thread arrival time, event name)
    described: list[str] = []

    def arrived(event: Any) -> None:
        arrivals.append((time.monotonic(), type(event).__name__))
        described.append(engine.describe_event(event) or type(event).__name__)

    window.controller.runEvent.connect(arrived)
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(tick)
    done = QEventLoop()
    window.runShown.connect(done.quit)
    started = time.monotonic()
    timer.start()
    last[0] = clock.elapsed()
    window.upgrade_flow.upgrade()
    done.exec()
    timer.stop()
    seconds = time.monotonic() - started
    summary = window.result_panel.summary
    ok = summary is not None and bool(summary.result.ok)
    # The longest statement: from its `statement` event to the next statement or step end.
    longest = (0.0, 0.0, 0.0)
    longest_i = 0
    for i, (t, name) in enumerate(arrivals):
        if name != "StatementEvent":
            continue
        end = next((t2 for t2, n2 in arrivals[i + 1:] if n2 in
                    ("StatementEvent", "StepEndEvent", "DoneEvent", "VerifyEvent")), t)
        if end - t > longest[0]:
            longest = (end - t, t, end)
            longest_i = i
    duration, start, end = longest
    beats = sum(1 for t, n in arrivals if n == "HeartbeatEvent" and start <= t <= end)
    shown = sum(1 for t in window.run_panel.shown_at if start < t <= end)
    rate = shown / duration if duration > 0 else float("nan")
    beat_rate = beats / duration if duration > 0 else float("nan")
    if os.environ.get("SQLMIG_BENCH_DEBUG") and duration:
        print("  longest statement:", described[longest_i], "| next:",
              described[longest_i + 1: longest_i + 3])
    if os.environ.get("SQLMIG_BENCH_DEBUG"):
        for t, gap in slow:
            near = [(round(t2 - t, 3), n) for t2, n in arrivals
                    if -gap / 1000 - 0.01 <= t2 - t <= 0.01]
            print(f"  gap {gap} ms at {t - started:.2f} s; events around: {near[:6]}")
    window.close()
    window.deleteLater()
    app.sendPostedEvents(None, 0)
    return {
        "ok": ok,
        "headline": summary.headline if summary else "",
        "file_mb": big.stat().st_size / 1e6,
        "run_seconds": seconds,
        "max_gap_ms": max(gaps) if gaps else float("nan"),
        "p99_gap_ms": statistics.quantiles(gaps, n=100)[98] if len(gaps) > 100 else float("nan"),
        "ticks": len(gaps),
        "longest_statement_s": duration,
        "updates_per_s": rate,
        "heartbeats_per_s": beat_rate,
        "longest_statement": described[longest_i] if duration else "",
        "events": len(arrivals),
    }


# -- 2. start-up ---------------------------------------------------------------------------------

CHILD = """
import sys
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication
from sqlmig_gui.main_window import MainWindow
app = QApplication([])
window = MainWindow(settings=QSettings(sys.argv[2], QSettings.Format.IniFormat))
window.show()
window.inspectionShown.connect(app.quit)
window.open_file(sys.argv[1])
app.exec()
window.close()
window.deleteLater()
app.sendPostedEvents(None, 0)
sys.stdout.flush()
import os
os._exit(0)  # as main() below: PySide's final garbage collection can crash at exit
"""


def startup(small: Path, work: Path, runs: int) -> dict[str, float]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    gui_cmd = [sys.executable, "-c", CHILD, str(small), str(work / "startup.ini")]
    base_cmd = [sys.executable, "-c", "import PySide6.QtWidgets"]
    gui, base = [], []
    for i in range(runs + 1):
        for cmd, out in ((gui_cmd, gui), (base_cmd, base)):
            t = time.perf_counter()
            subprocess.run(cmd, check=True, env=env, capture_output=True)
            if i:  # the first round warms the disk cache
                out.append(time.perf_counter() - t)
    g, b = statistics.median(gui), statistics.median(base)
    return {"gui_s": g, "import_s": b, "ratio": g / b}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=300, help="size of the legacy file (MB)")
    parser.add_argument("--runs", type=int, default=7, help="start-up runs per side")
    parser.add_argument("--startup-only", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="sqlmig-bench-gui-") as folder:
        work = Path(folder)
        from sqlmig_migrations.demo import build_demo_database

        small = build_demo_database(work / "small")
        s = startup(small, work, args.runs)
        print(f"start-up to an inspected window (small file): {s['gui_s'] * 1000:.0f} ms; "
              f"import PySide6.QtWidgets: {s['import_s'] * 1000:.0f} ms; "
              f"ratio {s['ratio']:.2f}")
        if args.startup_only:
            return 0
        big = cached_big_file(args.mb)
        r = responsiveness(big, work)
        print(f"upgrade of a {r['file_mb']:.0f} MB legacy file through the window: "
              f"{'ok' if r['ok'] else 'FAILED'} in {r['run_seconds']:.1f} s ({r['headline']})")
        print(f"  largest gap between 10 ms GUI ticks: {r['max_gap_ms']} ms (goal <= 50); "
              f"p99 {r['p99_gap_ms']:.0f} ms over {r['ticks']} ticks")
        print(f"  longest statement {r['longest_statement_s']:.1f} s "
              f"({r['longest_statement'].strip()[:60]}): "
              f"{r['updates_per_s']:.1f} progress updates shown/s (goal >= 2); "
              f"engine heartbeats {r['heartbeats_per_s']:.1f}/s")
        return 0 if r["ok"] else 1


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    os._exit(code)  # see scripts/screenshots.py: skip PySide's final garbage collection
