"""Cancel latency: from SIGINT (or SIGTERM) to the `sqlmig` process's exit, in each long phase.

    python bench/bench_interrupt.py                # ~1.5 M rows (~170 MB), 3 rounds per phase
    python bench/bench_interrupt.py --rows 300000  # a quick look

Goal (hardening item 13): a cancel is honoured within a second, even inside a long statement.
Every phase is a real process (`python -m engine … --json`); the signal is sent when the phase is
known to be running, and the figure is the time from the signal to the process's exit (rollback,
the `done` event and interpreter shutdown included), median of the rounds:

| phase | how the run is in it when the signal goes |
| --- | --- |
| preflight quick_check | half-way through the time a first run takes to its first event |
| lock wait | 1 s after the start while this script holds the write lock (`--wait 60`) |
| expected-schema replay | after the last preflight line; a migration that is slow on any file |
| backup copy | at the first backup progress event (`upgrade`) |
| migration statement | at the first heartbeat of a migration that is slow on this file |
| verify --full | at the first heartbeat of integrity_check |
| backup command | at the first backup progress event (`backup`) |

Each run must end with exit 1 and one `done` whose problem is `cancelled`; a run that does not is
printed as FAIL. The database lives in a temporary folder that is removed at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
SQLMIG = [sys.executable, "-m", "engine"]
GOAL = 1.0
ENDLESS = "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 4000000000)"
CATALOG = {
    "0000_create_items.sql": (
        "CREATE TABLE items (id INTEGER PRIMARY KEY, body TEXT NOT NULL, n INTEGER);\n"
        "CREATE INDEX items_body ON items (body);\nCREATE INDEX items_n ON items (n);\n"
    ),
    "0001_slow_update.sql": (
        f"UPDATE items SET n = n + 0 * ({ENDLESS} SELECT count(*) FROM c) WHERE id = 1;\n"
    ),
}
REPLAY = {
    "0000_create_items.sql": CATALOG["0000_create_items.sql"],
    "0001_slow_table.sql": f"CREATE TABLE slow AS {ENDLESS} SELECT count(*) AS n FROM c;\n",
}
Marker = Callable[[dict[str, Any]], bool]


def env() -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=str(REPO))


def write(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def build(path: Path, migrations: Path, rows: int) -> None:
    path.write_bytes(b"")
    subprocess.run([*SQLMIG, "upgrade", str(path), "--migrations", str(migrations), "--to", "0",
                    "--no-backup"], check=True, env=env(), capture_output=True, cwd=REPO)
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute(
            "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < ?) "
            "INSERT INTO items (body, n) SELECT printf('%040d', i * 7919 % 1000003), i % 1000 "
            "FROM c",
            (rows,),
        )


def run(argv: list[str], *, marker: Marker | None = None, after: float | None = None,
        sig: int = signal.SIGINT) -> tuple[float | None, float, int, dict[str, Any] | None]:
    """(signal → exit seconds or None if never sent, seconds to the first event, exit code,
    last event)."""
    started = time.monotonic()
    proc = subprocess.Popen([*SQLMIG, *argv, "--json"], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, env=env(), cwd=REPO)
    sent: list[float] = []

    def send() -> None:
        if proc.poll() is None:
            sent.append(time.monotonic())
            proc.send_signal(sig)

    timer = threading.Timer(after, send) if after is not None else None
    if timer is not None:
        timer.start()
    watchdog = threading.Timer(600, proc.kill)
    watchdog.start()
    first: float | None = None
    last: dict[str, Any] | None = None
    assert proc.stdout is not None
    for line in proc.stdout:
        if first is None:
            first = time.monotonic() - started
        last = json.loads(line)
        if marker is not None and not sent and marker(last):
            send()
    code = proc.wait()
    ended = time.monotonic()
    watchdog.cancel()
    if timer is not None:
        timer.cancel()
    return (ended - sent[0] if sent else None), (first or 0.0), code, last


def cancelled(code: int, last: dict[str, Any] | None) -> bool:
    done = last or {}
    problems = done.get("problems") or [{}]
    return code == 1 and done.get("event") == "done" and problems[0].get("code") == "cancelled"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_500_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--signal", choices=("INT", "TERM"), default="INT")
    opts = parser.parse_args()
    sig = signal.SIGINT if opts.signal == "INT" else signal.SIGTERM
    with tempfile.TemporaryDirectory(prefix="sqlmig-bench-interrupt-") as tmp:
        root = Path(tmp)
        migrations = write(root / "m", CATALOG)
        replay = write(root / "replay", REPLAY)
        master = root / "master.db"
        print(f"building {opts.rows:,} rows …", flush=True)
        build(master, migrations, opts.rows)
        small = root / "small.db"
        build(small, replay, 10)
        print(f"file: {master.stat().st_size / 1e6:,.0f} MB; signal SIG{opts.signal}; "
              f"{opts.rounds} round(s)\n", flush=True)

        def fresh(name: str, source: Path = master) -> Path:
            folder = root / "runs" / f"{name}-{time.monotonic_ns()}"
            folder.mkdir(parents=True)
            shutil.copyfile(source, folder / source.name)
            return folder / source.name

        _, to_first, _, _ = run(["upgrade", str(fresh("calibrate")), "--migrations",
                                 str(migrations), "--dry-run"])

        def hold_lock(path: Path) -> Callable[[], None]:
            holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            holder.execute("BEGIN IMMEDIATE")
            return holder.close

        phases: list[tuple[str, Callable[[], tuple[float | None, float, int, Any]]]] = [
            ("preflight quick_check", lambda: run(
                ["upgrade", str(fresh("pf")), "--migrations", str(migrations)],
                after=to_first / 2, sig=sig)),
            ("expected-schema replay", lambda: run(
                ["upgrade", str(fresh("replay", small)), "--migrations", str(replay),
                 "--no-backup"],
                marker=lambda e: e["event"] == "verify" and e["check"] == "preflight:location",
                sig=sig)),
            ("backup copy", lambda: run(
                ["upgrade", str(fresh("bk")), "--migrations", str(migrations)],
                marker=lambda e: e["event"] == "backup" and not e["done"], sig=sig)),
            ("migration statement", lambda: run(
                ["upgrade", str(fresh("st")), "--migrations", str(migrations), "--no-backup"],
                marker=lambda e: e["event"] == "heartbeat", sig=sig)),
            ("verify --full", lambda: run(
                ["verify", str(fresh("vf")), "--migrations", str(migrations), "--full"],
                marker=lambda e: e["event"] == "heartbeat", sig=sig)),
            ("backup command", lambda: run(
                ["backup", str(fresh("bc"))],
                marker=lambda e: e["event"] == "backup" and not e["done"], sig=sig)),
        ]

        def lock_wait() -> tuple[float | None, float, int, Any]:
            path = fresh("lock", small)
            release = hold_lock(path)
            try:
                return run(["upgrade", str(path), "--migrations", str(replay), "--no-backup",
                            "--wait", "60"], after=1.0, sig=sig)
            finally:
                release()

        phases.insert(1, ("lock wait", lock_wait))
        print(f"{'phase':<24}{'latency':>9}{'goal':>7}{'ratio':>7}  result")
        failures = 0
        for name, measure in phases:
            latencies = []
            ok = True
            for _ in range(opts.rounds):
                latency, _first, code, last = measure()
                ok = ok and latency is not None and cancelled(code, last)
                if latency is not None:
                    latencies.append(latency)
            median = statistics.median(latencies) if latencies else float("nan")
            verdict = "PASS" if ok and median <= GOAL else ("MISS" if ok else "FAIL")
            failures += verdict == "FAIL"
            print(f"{name:<24}{median:>8.3f}s{GOAL:>6.1f}s{median / GOAL:>7.2f}  {verdict}",
                  flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
