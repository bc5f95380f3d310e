"""Four `sqlmig upgrade` processes and an application writer on one file at once.

Each step is applied exactly once, no run fails with a raw "database is locked", a run that had to
wait for the write lock says so (`lock_wait` verify event), and every row the writer committed is
in the final file.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest
from builders.legacy import build_legacy
from helpers import crash

import engine

REPO_ROOT = Path(__file__).resolve().parents[2]
UPGRADERS = 4

# The application: short write transactions with a busy timeout, some work between them (hashing,
# not sleeping), until the stop file appears. Prints each committed marker.
WRITER = """
import hashlib, os, sqlite3, sys
path, stop = sys.argv[1], sys.argv[2]
conn = sqlite3.connect(path, isolation_level=None, timeout=60)
agent, world = conn.execute("SELECT id, world_id FROM agents LIMIT 1").fetchone()
print("ready", flush=True)
n = 0
while not os.path.exists(stop) or n < 20:
    marker = f"writer-row-{n}"
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("INSERT INTO agent_memory (agent_id, world_id, role, content) "
                 "VALUES (?, ?, 'user', ?)", (agent, world, marker))
    conn.execute("COMMIT")
    print(marker, flush=True)
    n += 1
    hashlib.pbkdf2_hmac("sha256", marker.encode(), b"app", 20000)  # the app's other work
conn.close()
"""


def legacy_file(folder: Path) -> Path:
    path = folder / "legacy.db"
    build_legacy(path, era="F7", rng=3)
    crash.scale(path, 15000)  # long enough for the runs to overlap
    return path


def memory_contents(path: Path) -> set[str]:
    with closing(sqlite3.connect(path)) as conn:
        return {r[0] for r in conn.execute("SELECT content FROM agent_memory")}


def table_counts(path: Path) -> dict[str, int]:
    with closing(sqlite3.connect(path)) as conn:
        names = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
        return {n: conn.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}


@pytest.mark.parametrize("mode", ["atomic", "stepwise"])
def test_four_upgraders_and_an_app_writer(tmp_path: Path, mode: str) -> None:
    path = legacy_file(tmp_path)
    before = memory_contents(path)
    stop = tmp_path / "stop"
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    writer_err_path = tmp_path / "writer.err"
    with writer_err_path.open("w") as writer_err_file:
        writer = subprocess.Popen([sys.executable, "-c", WRITER, str(path), str(stop)],
                                  stdout=subprocess.PIPE, stderr=writer_err_file, text=True,
                                  env=env)
    assert writer.stdout is not None
    assert writer.stdout.readline().strip() == "ready"
    # Output goes to files: a run blocked on a full pipe while it holds the write lock would stall
    # every other process.
    logs = [(tmp_path / f"run-{i}.out", tmp_path / f"run-{i}.err") for i in range(UPGRADERS)]
    upgraders = []
    for out_path, err_path in logs:
        with out_path.open("w") as out_file, err_path.open("w") as err_file:
            upgraders.append(subprocess.Popen(
                [sys.executable, "-m", "engine", "upgrade", str(path), "--json", "--no-backup",
                 "--mode", mode, "--wait", "120"],
                stdout=out_file, stderr=err_file, text=True, env=env, cwd=REPO_ROOT,
            ))
    for proc in upgraders:
        proc.wait(timeout=300)
    outputs = [(o.read_text(), e.read_text()) for o, e in logs]
    stop.touch()
    # Read on from the same buffered stream: `readline` above may already hold the first rows
    # (communicate() would read past them on the raw pipe and lose them).
    written_out = writer.stdout.read()
    assert writer.wait(timeout=120) == 0, writer_err_path.read_text()
    for proc, (out, err) in zip(upgraders, outputs, strict=True):
        assert proc.returncode == 0, (out[-3000:], err[-2000:])
        assert "database is locked" not in out + err
        assert "Traceback" not in err
    runs = [[json.loads(line) for line in out.splitlines() if line.strip()] for out, _ in outputs]
    dones = [events[-1] for events in runs]
    assert all(d["event"] == "done" and d["ok"] for d in dones)

    # Each step exactly once: no version applied by two runs; the history is the whole chain.
    applied = [v for d in dones for v in d["applied"]]
    assert len(applied) == len(set(applied)), applied
    catalog = engine.load_catalog()
    with closing(sqlite3.connect(path)) as conn:
        rows = conn.execute("SELECT version, name FROM schema_migrations ORDER BY version").fetchall()
        assert rows == [(m.version, m.name) for m in catalog.migrations]
        assert conn.execute("PRAGMA user_version").fetchone()[0] == catalog.head_version
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"

    # Waiting runs say what they waited for: the preflight's lock probe as a `lock_wait` event
    # with the seconds; a run that waited inside its transaction and found the work done says
    # "Another process upgraded the file meanwhile" (or "Nothing to do") in its done message.
    waits = [e for events in runs for e in events
             if e["event"] == "verify" and e["check"] == "lock_wait"]
    for event in waits:
        assert "write lock" in event["message"] and float(event["details"][0]) > 0
    idle = [d["message"] for d in dones if not d["applied"]]
    for message in idle:
        assert message.startswith(("Another process upgraded the file meanwhile", "Nothing to do")), \
            message
    # (Whether a run had to wait depends on the scheduler; test_preflight.py's
    # test_waiting_run_reports_what_it_waited_for proves the report deterministically.)

    # Every row the writer committed survived, and every original row too.
    markers = [line for line in written_out.splitlines() if line.startswith("writer-row-")]
    assert len(markers) >= 20
    after = memory_contents(path)
    assert set(markers) <= after, sorted(set(markers) - after)[:5]
    assert before <= after
    assert table_counts(path)["agent_memory"] == len(before) + len(markers) or \
        len(after) == len(before | set(markers))


# A first write transaction on a new file whose pages spill to disk before COMMIT (a small page
# cache): the file grows, but page 1, the header, is written only at COMMIT.
SPILLING_WRITER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("PRAGMA cache_size = 2")
conn.execute("BEGIN IMMEDIATE")
conn.execute("CREATE TABLE t (x)")
conn.execute("WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 20000) "
             "INSERT INTO t SELECT randomblob(100) FROM c")
print("writing", flush=True)
sys.stdin.readline()
conn.execute("COMMIT")
"""


@pytest.mark.slow
def test_a_file_another_program_is_writing_is_never_called_not_sqlite(tmp_path: Path) -> None:
    """Until that COMMIT the raw header is zeros: reading it without SQLite's lock called the file
    "not a SQLite database" (a refusal that made one of four concurrent upgraders fail). Under
    SQLite's lock the file is busy (`locked`) meanwhile, and what it committed afterwards."""
    path = tmp_path / "new.db"
    path.write_bytes(b"")
    writer = subprocess.Popen(
        [sys.executable, "-c", SPILLING_WRITER, str(path)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "writing"
        assert path.stat().st_size > 0 and path.read_bytes()[:16] == bytes(16)  # no header yet
        busy = engine.inspect_file(path)
        assert [p.code for p in busy.problems] == ["locked"], busy.diagnosis
        result = engine.upgrade(path, backup=False, wait=0.5)
        assert result.error is not None and result.error.code == "locked", result.error
    finally:
        assert writer.stdin is not None
        writer.stdin.write("\n")
        writer.stdin.flush()
        assert writer.wait(timeout=60) == 0
    assert engine.inspect_file(path).state == "foreign"  # the writer's table, committed
