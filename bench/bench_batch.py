"""Batch speed: `sqlmig batch FOLDER --jobs 2` vs the same files upgraded one by one with
`sqlmig upgrade FILE` in a shell loop.

    python bench/bench_batch.py               # 200 small legacy files (a few minutes)
    python bench/bench_batch.py --files 40    # a quick look

Run it with the interpreter that has the engine installed. Each side gets its own copies of the
same small legacy file (the demo database: agent-world at user_version 5, a few dozen rows), each
upgraded to the newest version with a verified backup next to it, as support staff would. Both
sides are whole processes, Python's start-up included: one `sqlmig batch` for all files, versus
one `sqlmig upgrade` per file in `bash -c 'for f in …; do sqlmig upgrade "$f"; done'`.
Afterwards every file on both sides must be at the newest version.
                                                                      goal <= 0.6 on 2 cores

The files live in a temporary folder that is removed at the end.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SQLMIG = [sys.executable, "-m", "engine"]
GOAL = 0.6


def copies(template: Path, folder: Path, count: int) -> list[Path]:
    folder.mkdir(parents=True)
    made = []
    for n in range(count):
        target = folder / f"user{n:03d}.db"
        shutil.copyfile(template, target)
        made.append(target)
    return made


def template_file(scratch: Path) -> Path:
    sys.path.insert(0, str(REPO))
    from sqlmig_migrations.demo import build_demo_database

    path = build_demo_database(scratch / "template")
    with closing(sqlite3.connect(path)) as conn:  # one self-contained file to copy
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("PRAGMA journal_mode = DELETE")
    return path


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=False, stdout=subprocess.DEVNULL, cwd=REPO)
    return time.perf_counter() - started


def versions(paths: list[Path]) -> set[int]:
    found = set()
    for path in paths:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
            found.add(int(conn.execute("PRAGMA user_version").fetchone()[0]))
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sqlmig-bench-batch-") as tmp:
        scratch = Path(tmp)
        template = template_file(scratch)
        batch_files = copies(template, scratch / "batch", args.files)
        loop_files = copies(template, scratch / "loop", args.files)
        env_note = f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}"
        batch = timed([*SQLMIG, "batch", str(scratch / "batch"), "--jobs", str(args.jobs),
                       "--json"])
        shell = " ".join(SQLMIG)
        loop = timed(["bash", "-c", f'for f in "{scratch / "loop"}"/*.db; do {shell} upgrade '
                                    f'"$f" > /dev/null; done'])
        reached = versions(batch_files) | versions(loop_files)
        if reached != {18}:
            print(f"FAILED: the files ended at versions {sorted(reached)}, not all at v18")
            return 1
        ratio = batch / loop
        print(f"{args.files} small legacy files (demo, user_version 5 → v18, each backed up), "
              f"{env_note}")
        print(f"  sqlmig batch --jobs {args.jobs}:        {batch:8.2f} s "
              f"({batch / args.files * 1000:.0f} ms a file)")
        print(f"  sqlmig upgrade, one by one: {loop:8.2f} s "
              f"({loop / args.files * 1000:.0f} ms a file)")
        verdict = "PASS" if ratio <= GOAL else "MISS"
        print(f"  ratio batch / loop: {ratio:.2f}   (goal <= {GOAL})   {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
