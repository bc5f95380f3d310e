"""Backup speed: `sqlmig backup` of a ~300 MB database vs `cp` of the same file then `sync`.

    python bench/bench_backup.py              # 300 MB, 3 rounds (a minute or two)
    python bench/bench_backup.py --mb 50      # a quick look

Run it with the interpreter that has the engine installed (e.g. /tmp/venv0/bin/python). Both sides
are whole processes timed in the same run, alternately, median kept, the page cache warm for both:

1. `sqlmig backup FILE --to X --json` (copy, fsync, then verification: opens, quick_check, same
   user_version, same row count per table) vs `cp FILE X && sync`, for the same file in
   rollback-journal mode and in WAL mode with an empty -wal (both copied as a file while a read
   transaction holds SQLite's lock), and in WAL mode with committed frames in the -wal (the main
   file, then its -wal, copied under the same read lock; the copy folds the frames in). The
   engine reports its copy time and its verification time separately in its `done` event, so
   the ratio is printed for the copy alone and with verification.
                                                                                goal <= 1.5

The database lives in a temporary folder that is removed at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SQLMIG = [sys.executable, "-m", "engine"]


def build(path: Path, megabytes: int) -> None:
    """A v18 agent-world file (the bundled chain) with memory rows until it is `megabytes` big."""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    path.write_bytes(b"")
    subprocess.run([*SQLMIG, "upgrade", str(path), "--no-backup"], check=True, env=env,
                   capture_output=True, cwd=REPO)
    rng = random.Random(1)
    words = ["memory", "agent", "world", "message", "tool", "chat", "reply", "the", "a", "of"]
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("INSERT INTO worlds (id, name) VALUES ('w', 'World')")
        conn.execute("INSERT INTO agents (id, world_id, name, type, provider, model) "
                     "VALUES ('a', 'w', 'Agent', 'assistant', 'p', 'm')")
        target = megabytes * 1_000_000
        n = 0
        while path.stat().st_size < target:
            conn.execute("BEGIN")
            conn.executemany(
                "INSERT INTO agent_memory (agent_id, world_id, role, content) "
                "VALUES ('a', 'w', 'user', ?)",
                [(" ".join(rng.choices(words, k=120)) + f" {n + i}",) for i in range(20_000)],
            )
            conn.execute("COMMIT")
            n += 20_000


def timed(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, str]:
    started = time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=REPO, check=False)
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"{argv} failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return seconds, proc.stdout


def measure(db: Path, folder: Path, rounds: int, env: dict[str, str]) -> dict[str, float]:
    db.read_bytes()  # warm the page cache for both sides
    cp_times, backup_times, copy_times, verify_times = [], [], [], []
    for i in range(rounds):
        target = folder / f"cp-{i}.db"
        seconds, _ = timed(["sh", "-c", f'cp "{db}" "{target}" && sync'])
        cp_times.append(seconds)
        target.unlink()
        target = folder / f"backup-{i}.db"
        seconds, out = timed([*SQLMIG, "backup", str(db), "--to", str(target), "--json"], env)
        done = json.loads(out.strip().splitlines()[-1])
        backup_times.append(seconds)
        copy_times.append(float(done["seconds"]))
        verify_times.append(float(done["verify_seconds"]))
        target.unlink()
        subprocess.run(["sync"], check=False)
    return {
        "cp": statistics.median(cp_times),
        "whole": statistics.median(backup_times),
        "copy": statistics.median(copy_times),
        "verify": statistics.median(verify_times),
    }


def report(mode: str, m: dict[str, float]) -> None:
    how = {
        "delete": "rollback journal: file copy under SQLite's read lock",
        "wal": "WAL, -wal empty: file copy under SQLite's read lock",
        "wal+frames": "WAL with committed frames in its -wal: main file and -wal copied under "
        "SQLite's read lock",
    }[mode]
    copy_only = m["whole"] - m["verify"]
    print(f"\n{mode} ({how}):")
    print(f"  cp + sync:                       {m['cp']:7.2f} s")
    print(f"  sqlmig backup (whole process):   {m['whole']:7.2f} s  (copy {m['copy']:.2f} s "
          f"in-engine, verification {m['verify']:.2f} s)")
    print(f"  ratio, backup without verification / cp+sync: {copy_only / m['cp']:5.2f}"
          "   (goal <= 1.5)")
    print(f"  ratio, backup with verification / cp+sync:    {m['whole'] / m['cp']:5.2f}")
    share = m["verify"] / m["whole"]
    print(f"  verification cost: {m['verify']:.2f} s = {share:.0%} of the backup")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=300, help="database size in MB")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    env = dict(os.environ, PYTHONPATH=str(REPO))
    with tempfile.TemporaryDirectory(prefix="sqlmig-bench-backup-", dir=REPO / "bench") as tmp:
        folder = Path(tmp)
        db = folder / "database.db"
        build(db, args.mb)
        size = db.stat().st_size
        print(f"database: {size / 1e6:.0f} MB, {args.rounds} rounds, medians")
        for mode in ("delete", "wal"):
            with closing(sqlite3.connect(db, isolation_level=None)) as conn:
                conn.execute(f"PRAGMA journal_mode = {mode}")
            report(mode, measure(db, folder, args.rounds, env))
        # The app is still open with committed rows in its -wal.
        app = sqlite3.connect(db, isolation_level=None)
        try:
            app.execute("PRAGMA wal_autocheckpoint = 0")
            app.execute("UPDATE worlds SET name = 'still open' WHERE id = 'w'")
            report("wal+frames", measure(db, folder, args.rounds, env))
        finally:
            app.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
