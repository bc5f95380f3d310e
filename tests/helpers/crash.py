"""Kill a real `engine.upgrade` process at a random moment and check what it left (SIGKILL).

Used by tests/safety/test_crash.py (a few kills) and bench/soak_crash.py (hundreds). A check:

* the file opens and passes `integrity_check`;
* atomic mode: every table's content equals the original's (old state) or the clean upgrade's (new
  state); stepwise mode: old state, or `user_version` equals the highest history row and the
  history holds the catalog's names (a migration boundary), or history and `user_version` are
  the original's (only unnumbered repair steps, which write no history row, committed);
* the next run succeeds and the result equals a clean upgrade of the same original, table by table
  and row by row (history and audit rows compared without their timestamps and durations).
"""

from __future__ import annotations

import hashlib
import random
import shutil
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

import engine

REPO_ROOT = Path(__file__).resolve().parents[2]
CHILD = """
import sys
import engine
catalog = engine.load_catalog()
print("ready", flush=True)
result = engine.upgrade(sys.argv[1], catalog, mode=sys.argv[2], backup=sys.argv[3] == "1", wait=60)
print("done", result.ok, flush=True)
sys.exit(result.exit_code)
"""
# Kills itself (SIGKILL) at its Nth step_start/step_end event: every step boundary, deterministically.
CHILD_AT_EVENT = """
import os, signal, sys
import engine
n, seen = int(sys.argv[3]), [0]
def sink(event):
    if event.name in ("step_start", "step_end"):
        seen[0] += 1
        if seen[0] == n:
            os.kill(os.getpid(), signal.SIGKILL)
result = engine.upgrade(sys.argv[1], engine.load_catalog(), mode=sys.argv[2], backup=False,
                        on_event=sink)
sys.exit(result.exit_code)
"""
# Columns that differ between two correct runs (when they ran, how long they took).
PROJECTIONS = {
    "schema_migrations": "version, name, checksum",
    "sqlmig_log": "kind, name, checksum, detail",
}


def copy_db(source: Path, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        side = source.with_name(source.name + suffix)
        if side.exists():
            shutil.copyfile(side, target.with_name(target.name + suffix))
    return target


def family_counts(path: Path) -> dict[str, int]:
    """Rows per table family: a table and the bridge's places for its rows (`T_legacy`,
    `T_unplaced`, `T_backup`, the rebuilds' `T_sqlmig_NNNN`), summed under T's name."""
    with closing(sqlite3.connect(path)) as conn:
        names = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
        counts = {n: int(conn.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0]) for n in names}
    out: dict[str, int] = {}
    for name, count in counts.items():
        base = name
        for suffix in ("_legacy", "_unplaced", "_backup"):
            base = base.removesuffix(suffix)
        if "_sqlmig_" in base:
            base = base.split("_sqlmig_")[0]
        out[base] = out.get(base, 0) + count
    return out


def rows_missing(original: dict[str, int], now: dict[str, int]) -> int:
    """Rows of the original's tables that are in none of their family's tables now."""
    return sum(max(0, n - now.get(table, 0)) for table, n in original.items()
               if table not in ("schema_migrations", "sqlmig_log"))


def digests(path: Path) -> dict[str, str]:
    """Table -> sha256 of its sorted rows (volatile columns left out), plus the schema."""
    out: dict[str, str] = {}
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        names = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        for name in names:
            quoted = '"' + name.replace('"', '""') + '"'
            have = [r[1] for r in conn.execute(f"PRAGMA table_info({quoted})")]
            keep = [c.strip() for c in PROJECTIONS.get(name, "*").split(",")]
            columns = "*" if keep == ["*"] else ", ".join(c for c in keep if c in have) or "*"
            # The audit table records what each run did: a resumed run is two runs, so only
            # the set of things done must match a clean run.
            distinct = "DISTINCT " if name == "sqlmig_log" else ""
            rows = sorted(
                repr(r) for r in conn.execute(f"SELECT {distinct}{columns} FROM {quoted}")
            )
            out[name] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
        schema = sorted(repr(r) for r in conn.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master"))
        out["(schema)"] = hashlib.sha256("\n".join(schema).encode()).hexdigest()
        out["(user_version)"] = str(conn.execute("PRAGMA user_version").fetchone()[0])
    return out


def history(conn: sqlite3.Connection) -> list[tuple[int, str]]:
    try:
        return [(int(v), str(n)) for v, n in conn.execute(
            "SELECT version, name FROM schema_migrations ORDER BY version")]
    except sqlite3.Error:
        return []


def scale(path: Path, rows: int, *, seed: int = 0) -> None:
    """Add `rows` memory rows (to an existing agent when there is one), so an upgrade that
    rebuilds agent_memory takes long enough to be killed in the middle."""
    rng = random.Random(seed)
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        conn.execute("PRAGMA synchronous = OFF")
        columns = {r[1] for r in conn.execute("PRAGMA table_info(agent_memory)")}
        if not {"agent_id", "world_id", "role", "content"} <= columns:
            return
        owner = conn.execute("SELECT id, world_id FROM agents LIMIT 1").fetchone() or ("a", "w")
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT INTO agent_memory (agent_id, world_id, role, content) VALUES (?, ?, ?, ?)",
            [(owner[0], owner[1], rng.choice(["user", "assistant"]),
              f"{i} " + "".join(rng.choices("abcdefghij klmnop", k=150))) for i in range(rows)],
        )
        conn.execute("COMMIT")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


@dataclass
class Reference:
    """An original file and what a clean upgrade makes of it."""

    original: Path
    mode: str
    before: dict[str, str]
    after: dict[str, str]
    history_after: list[tuple[int, str]]
    seconds: float
    history_before: list[tuple[int, str]] = field(default_factory=list)
    user_version_before: int = 0
    counts_before: dict[str, int] = field(default_factory=dict)  # how long the clean upgrade took (in-process)


def reference(original: Path, scratch: Path, mode: str) -> Reference:
    clean = copy_db(original, scratch / f"clean-{mode}" / original.name)
    started = time.monotonic()
    result = engine.upgrade(clean, engine.load_catalog(), mode=mode, backup=False)
    seconds = time.monotonic() - started
    if not result.ok:
        raise RuntimeError(f"clean upgrade of {original.name} failed: {result.error}")
    with closing(sqlite3.connect(clean)) as conn:
        after_history = history(conn)
    with closing(sqlite3.connect(original)) as conn:
        before_history = history(conn)
        before_uv = int(conn.execute("PRAGMA user_version").fetchone()[0])
    return Reference(original, mode, digests(original), digests(clean), after_history, seconds,
                     before_history, before_uv, family_counts(original))


@dataclass
class KillOutcome:
    delay: float
    killed: bool  # False: the child finished before the kill
    state: str  # old / new / boundary / repairs / finished
    problems: list[str] = field(default_factory=list)
    rows_lost: int = 0  # original rows found in no table of their family after the kill

    @property
    def ok(self) -> bool:
        return not self.problems


# Open engine bugs the crash tests found (stepwise bridge resumed after a kill), documented in
# docs/safety.md and pinned by strict xfail tests in tests/safety/test_crash.py. Random-kill tests
# tolerate exactly these outcomes (never a lost row or a damaged file) so they stay deterministic.
# None is open: the legacy indexes lost after a resume (issue 8, item 12) are kept in sqlmig_log.
KNOWN_BUG_SIGNATURES: tuple[str, ...] = ()


def known_bug(outcome: KillOutcome, mode: str) -> bool:
    return (
        mode == "stepwise"
        and outcome.rows_lost == 0
        and bool(outcome.problems)
        and all(any(sig in p for sig in KNOWN_BUG_SIGNATURES) for p in outcome.problems)
    )


def kill_and_check(ref: Reference, work: Path, delay: float, *, backup: bool = False) -> KillOutcome:
    path = copy_db(ref.original, work / ref.original.name)
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path), ref.mode, "1" if backup else "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO_ROOT,
    )
    assert proc.stdout is not None
    ready = proc.stdout.readline()  # imports done; the upgrade starts now
    killed = False
    try:
        proc.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        proc.kill()
        killed = True
    _out, err = proc.communicate()
    outcome = KillOutcome(delay, killed, "finished")
    if ready.strip() != "ready":
        outcome.problems.append(f"child did not start: {err[-500:]}")
        return outcome
    if not killed and proc.returncode != 0:
        outcome.problems.append(f"child failed (exit {proc.returncode}): {err[-500:]}")
        return outcome
    return check_after_kill(ref, path, outcome)


def kill_at_event(ref: Reference, work: Path, n: int) -> KillOutcome | None:
    """Kill the run at its `n`th step event; None when the run has fewer events."""
    path = copy_db(ref.original, work / ref.original.name)
    proc = subprocess.run(
        [sys.executable, "-c", CHILD_AT_EVENT, str(path), ref.mode, str(n)],
        capture_output=True, text=True, cwd=REPO_ROOT, timeout=300,
    )
    if proc.returncode == 0:
        return None
    outcome = KillOutcome(float(n), True, "finished")
    if proc.returncode != -9:
        outcome.problems.append(f"child failed (exit {proc.returncode}): {proc.stderr[-500:]}")
        return outcome
    return check_after_kill(ref, path, outcome)


def check_after_kill(ref: Reference, path: Path, outcome: KillOutcome) -> KillOutcome:
    problems = outcome.problems
    try:
        with closing(sqlite3.connect(path, isolation_level=None)) as conn:
            check = conn.execute("PRAGMA integrity_check").fetchall()
            if check != [("ok",)]:
                problems.append(f"integrity_check: {check[:3]}")
            rows = history(conn)
            user_version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        now = digests(path)
        outcome.rows_lost = rows_missing(ref.counts_before, family_counts(path))
    except sqlite3.Error as exc:
        problems.append(f"cannot open after the kill: {exc}")
        return outcome
    if now == ref.before:
        outcome.state = "old"
    elif now == ref.after:
        outcome.state = "new"
    elif ref.mode == "stepwise":
        outcome.state = "boundary"
        names = dict(ref.history_after)
        if rows == ref.history_before and user_version == ref.user_version_before:
            outcome.state = "repairs"  # only unnumbered repair steps committed so far
        elif not rows or user_version != rows[-1][0]:
            problems.append(f"user_version {user_version} is not the newest history row {rows[-1:]}")
        wrong = [(v, n) for v, n in rows if names.get(v) != n]
        if wrong:
            problems.append(f"history rows not in the catalog: {wrong}")
    else:
        outcome.state = "mixed"
        changed = sorted(k for k in now if now.get(k) != ref.before.get(k))
        problems.append(f"atomic run left a state that is neither old nor new: {changed}")
    if outcome.rows_lost:
        problems.append(f"{outcome.rows_lost} original row(s) missing after the kill")
    # The next run continues correctly.
    result = engine.upgrade(path, engine.load_catalog(), mode=ref.mode, backup=False)
    if not result.ok:
        problems.append(f"the next run failed: {result.error}")
        return outcome
    final = digests(path)
    if final != ref.after:
        diff = sorted(k for k in set(final) | set(ref.after) if final.get(k) != ref.after.get(k))
        problems.append(f"after the next run these differ from a clean upgrade: {diff}")
    return outcome
