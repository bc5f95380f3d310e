"""The legacy bridge at scale: a legacy v7 file with 1 M memory rows, engine vs the same SQL.

    python bench/bench_bridge.py            # full run (~5 min; the first one also builds ~0.5 GB)
    python bench/bench_bridge.py --quick    # smoke run, ~30 s (100 k / 10 k rows)
    python bench/bench_bridge.py --rows N   # N agent_memory rows (N / 10 archived messages)

Run it with the interpreter that has the engine installed (e.g. /tmp/venv0/bin/python).

The file: a legacy agent-world file born in v0.7/v0.8 (era F11, user_version 7: worlds W-D,
agent_memory M-D, the legacy archived_messages layout, the TypeScript fallback `events` without
foreign keys) built by tests/builders, then scaled with SQL to N agent_memory rows (~200 bytes
of text each) and N / 10 archived messages, 1 % of them pointing at a missing archive (so the
`archived_messages_unplaced` path runs). It is cached in bench/.cache/, keyed on the build
parameters and the builders' source.

Figures, each process timed whole (Python start-up counted on both sides), the two sides
alternating on fresh `cp` copies of the cached file, median kept:

1. `engine.upgrade(FILE, backup=False)` in a fresh process vs bench/replay_statements.py, which
   runs exactly the statements the engine executed (captured from the plan, the statement events
   and SQLite's trace on a smaller file of the same shape; skipped statements and repairs whose
   `when` was false left out; templates expanded), the same history rows and user_version, in
   one `BEGIN IMMEDIATE … COMMIT` with foreign keys off.                         goal <= 1.15
2. Peak RSS (VmHWM) of the upgrade process at two sizes (N and N / 10 rows).
                                                           goal: does not grow with the file
3. Information: `engine.backup(FILE)` (backup API + verification) vs `cp` + `sync FILE`.

Also printed: where the engine's time goes (phase breakdown, from its events and from timers
wrapped around its check functions in the child process) and the top steps against the same
statements in the baseline.
"""

from __future__ import annotations

import argparse
import hashlib
import inspect
import json
import os
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import bench_core
from bench_core import CACHE, MB, PY, REPO, Ratio, Timing, run_once

BENCH = Path(__file__).resolve().parent
REPLAY = BENCH / "replay_statements.py"
BUILDERS = REPO / "tests" / "builders"
BUILD_VERSION = 1  # bump when build_file() changes what it writes

# The realistic small base the builders write before the file is scaled up with SQL.
BASE_DATA = {
    "worlds": 3,
    "chats": 12,
    "agents": 24,
    "memory_per_agent": 40,
    "archives": 240,
    "archived_per_archive": 2,
    "events": 500,
}
ORPHAN_EVERY = 100  # every 100th scaled archived message points at a missing archive

# The upgrade, run by `python -c` in a fresh process. Timers are wrapped around the engine's own
# phase functions (a handful of calls, no per-row cost); the events give the step boundaries.
# With trace=1 (the capture run only) every SQL statement of the engine's connections is logged.
ENGINE_CHILD = r"""
import time
T0 = time.perf_counter()
C0 = time.process_time()
import json
import sys

import engine
from engine import api
from engine.runtime import execution, precommit, upgrader
from engine.state import expected


def mark():
    return [time.perf_counter() - T0, time.process_time() - C0]


path, report_file, trace = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
imported = mark()
calls = []


def wrap(owner, attr, name):
    inner = getattr(owner, attr, None)
    if inner is None:
        return  # not in this version of the engine

    def timed(*args, **kwargs):
        start = mark()
        try:
            return inner(*args, **kwargs)
        finally:
            calls.append([name, start, mark()])

    setattr(owner, attr, timed)


from engine.runtime import preflight_checks
for owner, attr, name in (
    (api, "load_catalog", "load_catalog"),
    (upgrader, "recover_journal", "recover_journal"),
    (upgrader, "inspect_and_foresee", "inspect"),
    (upgrader, "plan_upgrade", "plan"),
    (upgrader, "_preflight", "preflight"),
    (execution, "quick_check", "quick_check"),
    (preflight_checks, "quick_check", "quick_check"),
    (preflight_checks, "foreign_key_damage", "foreign_key_check"),
    (upgrader, "execute", "run"),
    (precommit, "value_counts", "row_counts"),
    (precommit, "counts_and_fingerprints", "row_counts"),
    (precommit, "foreign_key_damage", "foreign_key_check"),
    (precommit, "orphans_under", "orphans_under"),
    (precommit, "snapshot", "schema_snapshot"),
    (precommit, "compare", "schema_compare"),
    (expected.ExpectedSchemas, "at", "expected_schema"),
):
    if owner is not None:
        wrap(owner, attr, name)
log = []
plan = []


def sink(event):
    kind = event.name
    if kind == "plan":
        for s in event.steps:
            plan.append([s.kind, s.name, s.version, [list(x) for x in s.statements]])
    if kind == "step_start":
        log.append([kind, mark(), event.index, event.step])
    elif kind == "statement":
        log.append([kind, mark(), event.index, event.skipped])
    elif kind == "step_end":
        log.append([kind, mark(), event.index, event.method])
    elif kind in ("plan", "verify", "done"):
        log.append([kind, mark(), getattr(event, "check", ""), getattr(event, "ok", True)])


if trace:
    opened = []
    open_readwrite = execution.open_readwrite

    def traced(*args, **kwargs):
        conn = open_readwrite(*args, **kwargs)
        number = len(opened)
        opened.append(number)
        conn.set_trace_callback(lambda sql: log.append(["sql", number, sql]))
        return conn

    execution.open_readwrite = traced
result = engine.upgrade(path, backup=False, on_event=sink)
finished = mark()
with open("/proc/self/status", encoding="ascii") as handle:
    status = dict(line.split(":", 1) for line in handle if ":" in line)
report = {
    "ok": result.ok,
    "error": None if result.error is None else str(result.error.message),
    "notes": list(result.notes),
    "imported": imported,
    "finished": finished,
    "calls": calls,
    "log": log,
    "plan": plan,
    "vmhwm_kb": int(status.get("VmHWM", "0 kB").split()[0]),
}
with open(report_file, "w", encoding="utf-8") as handle:
    json.dump(report, handle)
if not result.ok:
    print(report["error"], file=sys.stderr)
sys.exit(0 if result.ok else 1)
"""

CP_SYNC = 'cp "$0" "$1" && sync "$1"'  # sync FILE: fsync of that file (coreutils)
BACKUP_CHILD = r"""
import json
import sys

import engine

made = engine.backup(sys.argv[1], folder=__import__("pathlib").Path(sys.argv[2]))
with open(sys.argv[3], "w", encoding="utf-8") as handle:
    json.dump({"path": str(made.path), "copy": made.seconds, "verify": made.verify_seconds}, handle)
"""


# -- the file ----------------------------------------------------------------------------------


def build_key(rows: int, archived: int) -> str:
    digest = hashlib.sha256()
    params = {"v": BUILD_VERSION, "rows": rows, "archived": archived, "base": BASE_DATA}
    digest.update(json.dumps(params, sort_keys=True).encode())
    digest.update(inspect.getsource(build_file).encode())
    for source in sorted(BUILDERS.glob("*.py")):
        digest.update(source.name.encode() + b"\0" + source.read_bytes())
    return digest.hexdigest()[:12]


def build_file(path: Path, rows: int, archived: int) -> None:
    """The F11 legacy file from the builders, then scaled with INSERT … SELECT."""
    sys.path.insert(0, str(REPO / "tests"))
    from builders.legacy import build_legacy

    build_legacy(path, era="F11", fallback=("events",), data=BASE_DATA, rng=7)
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = OFF")
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("PRAGMA cache_size = -262144")  # 256 MB
        conn.execute("BEGIN")
        # Agents with their world and one chat of that world, numbered 0…n-1.
        conn.execute(
            "CREATE TEMP TABLE pick AS SELECT row_number() OVER (ORDER BY a.id) - 1 AS k, "
            "a.id AS agent_id, a.world_id AS world_id, (SELECT c.id FROM world_chats AS c "
            "WHERE c.world_id = a.world_id ORDER BY c.id LIMIT 1) AS chat FROM agents AS a"
        )
        agents = conn.execute("SELECT count(*) FROM pick").fetchone()[0]
        have = conn.execute("SELECT count(*) FROM agent_memory").fetchone()[0]
        conn.execute(
            "INSERT INTO agent_memory (agent_id, world_id, message_id, reply_to_message_id, role,"
            " content, sender, chat_id, created_at) "
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1) "
            "SELECT p.agent_id, p.world_id, "
            " CASE WHEN i % 7 = 3 THEN NULL ELSE printf('msg-%08d', i) END, "
            " CASE WHEN i % 2 = 1 AND i % 7 != 4 THEN printf('msg-%08d', i - 1) END, "
            " CASE i % 3 WHEN 0 THEN 'system' WHEN 1 THEN 'user' ELSE 'assistant' END, "
            " hex(randomblob(100)), "
            " CASE i % 5 WHEN 0 THEN NULL WHEN 1 THEN 'human' ELSE p.agent_id END, "
            " CASE WHEN i % 4 = 0 THEN NULL ELSE p.chat END, "
            " strftime('%Y-%m-%d %H:%M:%S', 1735689600 + i * 13, 'unixepoch') "
            "FROM n JOIN pick AS p ON p.k = i % ?2",
            (max(0, rows - have), agents),
        )
        archives = conn.execute("SELECT max(id) FROM memory_archives").fetchone()[0]
        have = conn.execute("SELECT count(*) FROM archived_messages").fetchone()[0]
        conn.execute(
            "INSERT INTO archived_messages (archive_id, role, content, sender,"
            " original_created_at, archived_at) "
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1) "
            "SELECT CASE WHEN i % ?3 = 0 THEN ?2 + 1000 + i % 7 ELSE 1 + i % ?2 END, "
            " CASE i % 3 WHEN 0 THEN 'user' WHEN 1 THEN 'assistant' ELSE 'system' END, "
            " hex(randomblob(100)), CASE WHEN i % 4 = 0 THEN NULL ELSE 'human' END, "
            " strftime('%Y-%m-%d %H:%M:%S', 1735689600 + i * 17, 'unixepoch'), "
            " CASE WHEN i % 3 = 0 THEN NULL "
            "  ELSE strftime('%Y-%m-%d %H:%M:%S', 1738000000 + i, 'unixepoch') END "
            "FROM n",
            (max(0, archived - have), archives, ORPHAN_EVERY),
        )
        conn.execute("COMMIT")
        conn.execute("PRAGMA journal_mode = WAL")  # as the app leaves its files
    finally:
        conn.close()


def cached_file(rows: int, archived: int, rebuild: bool) -> tuple[Path, float | None]:
    """The scaled legacy file from bench/.cache/, built first if missing; (path, build seconds)."""
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"legacy-F11-{rows}m-{archived}a-{build_key(rows, archived)}.db"
    for stale in CACHE.glob(f"legacy-F11-{rows}m-{archived}a-*"):
        if stale != path or rebuild:
            stale.unlink()
    if path.exists():
        return path, None
    part = path.with_name(path.name + ".part")
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(str(part) + suffix).unlink(missing_ok=True)
    started = time.perf_counter()
    build_file(part, rows, archived)
    part.rename(path)
    return path, time.perf_counter() - started


def file_facts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
    try:

        def one(sql: str) -> int:
            return int(conn.execute(sql).fetchone()[0])

        return {
            "memory": one("SELECT count(*) FROM agent_memory"),
            "archived": one("SELECT count(*) FROM archived_messages"),
            "orphaned": one(
                "SELECT count(*) FROM archived_messages WHERE archive_id NOT IN "
                "(SELECT id FROM memory_archives)"
            ),
            "user_version": one("PRAGMA user_version"),
            "bytes": path.stat().st_size,
        }
    finally:
        conn.close()


def fresh_copy(source: Path, target: Path) -> None:
    """`cp` of the cached file (the same on both sides), flushed so no write-back is timed."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(str(target) + suffix).unlink(missing_ok=True)
    subprocess.run(["cp", str(source), str(target)], check=True)
    os.sync()


# -- runs --------------------------------------------------------------------------------------


@dataclass
class Side:
    label: str
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    reports: list[dict[str, Any]] = field(default_factory=list)

    def timing(self) -> Timing:
        return Timing(self.label, self.wall, self.cpu)


def run_child(argv: Sequence[str], report: Path, cwd: Path, side: Side | None = None) -> dict:
    report.unlink(missing_ok=True)
    wall, cpu = run_once(argv, cwd)
    data: dict[str, Any] = json.loads(report.read_text()) if report.exists() else {}
    data["wall"], data["cpu"] = wall, cpu
    if side is not None:
        side.wall.append(wall)
        side.cpu.append(cpu)
        side.reports.append(data)
    return data


def engine_argv(path: Path, report: Path, *, trace: bool = False) -> list[str]:
    return [PY, "-c", ENGINE_CHILD, str(path), str(report), "1" if trace else "0"]


def replay_argv(path: Path, statements: Path, report: Path) -> list[str]:
    return [PY, str(REPLAY), str(path), str(statements), str(report)]


# -- the baseline's statements -----------------------------------------------------------------

WRITE = re.compile(
    r"^\s*(CREATE|DROP|ALTER|INSERT|UPDATE|DELETE|REPLACE)\b|^\s*PRAGMA\s+\w+\s*=", re.I
)
BOOKKEEPING = re.compile(
    r"schema_migrations|sqlmig_log|PRAGMA\s+(user_version|foreign_keys)\b", re.I
)
TEMPLATE = re.compile(r"\{\{.*?\}\}", re.S)


def _norm(sql: str) -> str:
    sql = re.sub(r"/\*.*?\*/", " ", sql, flags=re.S)
    sql = re.sub(r"--[^\n]*", " ", sql)
    return " ".join(sql.split()).rstrip(";").strip()


def _pattern(sql: str) -> re.Pattern[str]:
    parts = [re.escape(_norm(p)) for p in TEMPLATE.split(sql)]
    return re.compile(r"\s*(.+?)\s*".join(parts) + r"\Z", re.S)


@dataclass
class Captured:
    statements: list[tuple[int | None, str, str]]  # (plan position, label, sql)
    from_events: int
    internal: list[str]  # engine writes without a statement event (kept indexes, pragmas)
    history: int
    signature: list[tuple[Any, ...]]
    warnings: list[str]


def signature(report: dict) -> list[tuple[Any, ...]]:
    """What the run did, step by step: the same on every file of this shape."""
    return [
        (e[0], e[2], e[3]) for e in report["log"] if e[0] in ("step_start", "statement", "step_end")
    ]


def capture(report: dict, upgraded: Path) -> Captured:
    """The statements the engine executed, from its plan, its events and SQLite's trace."""
    plan = report["plan"]
    runner_conn = next(
        (e[1] for e in reversed(report["log"]) if e[0] == "sql" and e[2].strip() == "COMMIT"), 0
    )
    out: list[tuple[int | None, str, str]] = []
    internal: list[str] = []
    warnings: list[str] = []
    position: int | None = None
    label = ""
    pending: tuple[int, str] | None = None  # (statement index, plan sql) awaiting its trace
    previous = None
    from_events = 0
    for entry in report["log"]:
        kind = entry[0]
        if kind == "step_start":
            position, label = entry[2], entry[3]
            continue
        if kind == "step_end":
            if pending is not None:
                warnings.append(f"{label} #{pending[0]}: not found in the trace")
            position, pending = None, None
            continue
        if kind == "statement" and position is not None and not entry[3]:
            if pending is not None:
                warnings.append(f"{label} #{pending[0]}: not found in the trace")
            index = entry[2]
            pending = (index, plan[position - 1][3][index - 1][1])
            continue
        if kind != "sql" or entry[1] != runner_conn or position is None:
            previous = None if kind != "sql" else previous
            continue
        sql = entry[2]
        if sql == previous:
            continue  # a trigger program of the same statement, traced again
        previous = sql
        if pending is not None and _pattern(pending[1]).match(_norm(sql)):
            out.append((position, f"{label} #{pending[0]}", sql))
            from_events += 1
            pending = None
        elif WRITE.match(sql) and not BOOKKEEPING.search(sql):
            out.append((position, f"{label} (no event)", sql))
            internal.append(f"{label}: {' '.join(sql.split())[:90]}")
    history = history_statements(upgraded)
    out += [(None, "history", sql) for sql in history]
    return Captured(out, from_events, internal, len(history), signature(report), warnings)


def _literal(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, int | float):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def history_statements(upgraded: Path) -> list[str]:
    """The history and audit rows the engine wrote, as plain SQL, and user_version."""
    conn = sqlite3.connect(f"file:{upgraded}?mode=ro", uri=True)
    try:
        out = []
        for table, columns in (
            ("schema_migrations", "version, name, checksum, duration_ms, method"),
            ("sqlmig_log", "kind, name, checksum, detail"),
        ):
            create = conn.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
            ).fetchone()
            if create is None:
                continue
            out.append(create[0])
            rows = conn.execute(f"SELECT {columns} FROM {table} ORDER BY rowid").fetchall()
            values = ", ".join("(" + ", ".join(map(_literal, row)) + ")" for row in rows)
            if values:
                out.append(f"INSERT INTO {table} ({columns}) VALUES {values}")
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        out.append(f"PRAGMA user_version = {version}")
        return out
    finally:
        conn.close()


def fingerprint(path: Path) -> tuple[set[tuple[str, str, str]], dict[str, int], int]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        schema = {
            (str(t), str(n), _norm(str(s or "")))
            for t, n, s in conn.execute("SELECT type, name, sql FROM sqlite_master")
        }
        tables = [n for t, n, _ in schema if t == "table"]
        counts = {n: int(conn.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0]) for n in tables}
        return schema, counts, int(conn.execute("PRAGMA user_version").fetchone()[0])
    finally:
        conn.close()


def same_result(engine_file: Path, baseline_file: Path) -> list[str]:
    """Differences between the engine's and the baseline's upgraded files (none expected)."""
    a, b = fingerprint(engine_file), fingerprint(baseline_file)
    out = [f"only the engine has {x[0]} {x[1]}" for x in sorted(a[0] - b[0])]
    out += [f"only the baseline has {x[0]} {x[1]}" for x in sorted(b[0] - a[0])]
    out += [
        f"{t}: {a[1].get(t)} rows vs {b[1].get(t)}"
        for t in sorted(set(a[1]) | set(b[1]))
        if a[1].get(t) != b[1].get(t)
    ]
    if a[2] != b[2]:
        out.append(f"user_version {a[2]} vs {b[2]}")
    return out


# -- phases ------------------------------------------------------------------------------------

Span = list[float]  # [wall, cpu] seconds


def _d(start: Span, end: Span) -> Span:
    return [end[0] - start[0], end[1] - start[1]]


def _sum(*spans: Span) -> Span:
    return [sum(s[0] for s in spans), sum(s[1] for s in spans)]


def engine_phases(r: dict) -> dict[str, Span]:
    calls: dict[str, list[tuple[Span, Span]]] = {}
    for name, start, end in r["calls"]:
        calls.setdefault(name, []).append((start, end))
    zero: Span = [0.0, 0.0]

    def spans(name: str, within: tuple[Span, Span] | None = None) -> list[Span]:
        return [
            _d(s, e)
            for s, e in calls.get(name, [])
            if within is None or within[0][0] <= s[0] <= within[1][0]
        ]

    def first(name: str, within: tuple[Span, Span] | None = None, n: int = 0) -> Span:
        found = spans(name, within)
        return found[n] if len(found) > n else zero

    log = r["log"]
    steps = [e for e in log if e[0] in ("step_start", "step_end")]
    verify = {e[2]: e[1] for e in log if e[0] == "verify"}
    run = calls["run"][0]
    pre = calls["preflight"][0] if "preflight" in calls else (run[0], run[0])
    qc_post_start, qc_post_end = next(
        (s, e) for s, e in reversed(calls["quick_check"]) if run[0][0] <= s[0] <= run[1][0]
    )
    first_step, last_step = steps[0][1], steps[-1][1]
    before_steps = (run[0], first_step)
    before = {
        "row counts": first("row_counts", before_steps),
        "foreign_key_check": first("foreign_key_check", before_steps),
        "expected schema (replayed)": _sum(*spans("expected_schema", before_steps)),
        "orphans under the head's FKs": first("orphans_under", before_steps),
    }
    pre_qc = _sum(*spans("quick_check", pre))
    pre_fk = _sum(*spans("foreign_key_check", pre))
    out: dict[str, Span] = {
        "import engine": r["imported"],
        "load catalog": first("load_catalog"),
        "recover journal": first("recover_journal"),
        "inspect": first("inspect"),
        "plan": first("plan"),
        "preflight quick_check": pre_qc,
        "preflight foreign_key_check": pre_fk,
        "preflight other (probes, space)": _d(_sum(pre_qc, pre_fk), _d(*pre)),
    }
    out |= {f"before the steps: {k}": v for k, v in before.items()}
    out["before the steps: open, BEGIN, history table"] = _d(
        _sum(*before.values()), _d(run[0], first_step)
    )
    out["steps"] = _d(first_step, last_step)
    out["pre-commit: ledger (row counts)"] = _d(last_step, verify["ledger"])
    out["pre-commit: foreign_key_check"] = _d(verify["ledger"], verify["foreign_keys"])
    out["pre-commit: schema comparison"] = _d(verify["foreign_keys"], verify["schema"])
    out["COMMIT"] = _d(verify["schema"], qc_post_start)
    out["post-commit quick_check"] = _d(qc_post_start, qc_post_end)
    out["close (WAL checkpoint)"] = _d(qc_post_end, run[1])
    out["other"] = _d(_sum(*out.values()), r["finished"])
    return out


def baseline_phases(r: dict) -> dict[str, Span]:
    m = r["marks"]
    return {
        "import sqlite3 + read the list": m["start"],
        "open, BEGIN": _d(m["start"], m["begin"]),
        "statements": _d(m["begin"], m["statements"]),
        "COMMIT": _d(m["statements"], m["commit"]),
        "close (WAL checkpoint)": _d(m["commit"], m["close"]),
    }


def engine_steps(r: dict) -> dict[int, tuple[str, Span]]:
    out: dict[int, tuple[str, Span]] = {}
    started: dict[int, tuple[str, Span]] = {}
    for e in r["log"]:
        if e[0] == "step_start":
            started[e[2]] = (e[3], e[1])
        elif e[0] == "step_end":
            name, start = started[e[2]]
            out[e[2]] = (name, _d(start, e[1]))
    return out


def baseline_steps(r: dict, captured: Captured) -> dict[int | None, Span]:
    out: dict[int | None, Span] = {}
    for (position, _, _), spent in zip(captured.statements, r["statements"], strict=True):
        out[position] = _sum(out.get(position, [0.0, 0.0]), spent)
    return out


def median_spans(items: list[dict[Any, Span]]) -> dict[Any, Span]:
    keys = list(items[0])
    return {
        k: [statistics.median(i[k][0] for i in items), statistics.median(i[k][1] for i in items)]
        for k in keys
    }


def _timed(fn: Any, *args: Any) -> float:
    start = time.perf_counter()
    fn(*args)
    return time.perf_counter() - start


def probe_checks(path: Path) -> list[str]:
    """What the engine's checks cost on an upgraded file, and what cheaper forms would cost."""
    from engine.runtime import checks, ledger

    def quick_check(mode: str) -> float:
        conn = sqlite3.connect(f"file:{path}?mode={mode}", uri=True, isolation_level=None)
        try:
            return _timed(lambda: conn.execute("PRAGMA quick_check(20)").fetchall())
        finally:
            conn.close()

    ro, rw = quick_check("ro"), quick_check("rw")
    lines = [
        f"quick_check on a read-only connection {ro:.2f} s vs read-write {rw:.2f} s (a writable"
        " connection also evaluates every row's CHECK constraints; the engine's preflight check"
        " is read-only, its post-commit check runs on the writable connection)"
    ]
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
    try:
        counts = _timed(checks.row_counts, conn)
        line = f"row counts, count(*) per table {counts:.2f} s"
        if hasattr(ledger, "value_counts"):
            values = _timed(ledger.value_counts, conn)
            line += f"; non-NULL values per column (value_counts, the ledger's) {values:.2f} s"
        lines.append(line)
        lines.append(f"foreign_key_check {_timed(checks.foreign_key_damage, conn):.2f} s")
    finally:
        conn.close()
    return lines


# -- main --------------------------------------------------------------------------------------


def print_breakdown(eng: Side, base: Side, captured: Captured, ratio: Ratio) -> None:
    """Where the engine's time goes, phase by phase and step by step, against the baseline."""
    e_ph = median_spans([engine_phases(r) for r in eng.reports])
    b_ph = median_spans([baseline_phases(r) for r in base.reports])
    e_outside = statistics.median(r["wall"] - r["finished"][0] for r in eng.reports)
    b_outside = statistics.median(r["wall"] - r["marks"]["close"][0] for r in base.reports)
    print()
    print("where the time goes (median per phase, seconds wall / cpu):")
    print(f"  {'engine phase':<56} {'wall':>7} {'cpu':>7}")
    print(f"  {'python start-up and exit (outside the script)':<56} {e_outside:7.2f}")
    for key, (w, c) in e_ph.items():
        print(f"  {key:<56} {w:7.2f} {c:7.2f}")
    print(f"  {'baseline phase':<56} {'wall':>7} {'cpu':>7}")
    print(f"  {'python start-up and exit (outside the script)':<56} {b_outside:7.2f}")
    for key, (w, c) in b_ph.items():
        print(f"  {key:<56} {w:7.2f} {c:7.2f}")

    zero: Span = [0.0, 0.0]
    groups: dict[str, tuple[Span, Span]] = {
        "python start-up and exit, imports, catalog": (
            _sum([e_outside, 0.0], e_ph["import engine"], e_ph["load catalog"], e_ph["other"]),
            _sum([b_outside, 0.0], b_ph["import sqlite3 + read the list"]),
        ),
        "inspect + plan": (
            _sum(e_ph["recover journal"], e_ph["inspect"], e_ph["plan"]),
            zero,
        ),
        "preflight (quick_check, foreign keys, probes)": (
            _sum(*[v for k, v in e_ph.items() if k.startswith("preflight")]),
            zero,
        ),
        "checks before the steps (+ open, BEGIN)": (
            _sum(*[v for k, v in e_ph.items() if k.startswith("before the steps")]),
            b_ph["open, BEGIN"],
        ),
        "steps vs the same statements": (e_ph["steps"], b_ph["statements"]),
        "pre-commit checks (ledger, foreign keys, schema)": (
            _sum(*[v for k, v in e_ph.items() if k.startswith("pre-commit")]),
            zero,
        ),
        "COMMIT": (e_ph["COMMIT"], b_ph["COMMIT"]),
        "post-commit quick_check": (e_ph["post-commit quick_check"], zero),
        "close (WAL checkpoint)": (e_ph["close (WAL checkpoint)"], b_ph["close (WAL checkpoint)"]),
    }
    extra_total = ratio.top.median - ratio.bottom.median
    print()
    print(
        f"engine overhead vs baseline: {extra_total:+.2f} s wall "
        f"({ratio.top.cpu_median - ratio.bottom.cpu_median:+.2f} s cpu), by phase"
        " (cpu of start-up/exit not split out):"
    )
    print(f"  {'phase':<52} {'engine':>7} {'baseline':>8} {'extra':>7} {'share':>6} {'cpu+':>6}")
    for key, (e_span, b_span) in groups.items():
        extra = e_span[0] - b_span[0]
        share = extra / extra_total * 100 if extra_total > 0 else 0.0
        print(
            f"  {key:<52} {e_span[0]:7.2f} {b_span[0]:8.2f} {extra:+7.2f} {share:5.0f}%"
            f" {e_span[1] - b_span[1]:+6.2f}"
        )

    e_steps = [engine_steps(r) for r in eng.reports]
    b_steps = [baseline_steps(r, captured) for r in base.reports]
    names = {pos: name for pos, (name, _) in e_steps[0].items()}
    step_e = median_spans([{p: s for p, (_, s) in st.items()} for st in e_steps])
    step_b = median_spans(b_steps)
    print()
    print("top 5 steps (engine, from its events) vs the same statements in the baseline:")
    for pos, (w, _) in sorted(step_e.items(), key=lambda kv: -kv[1][0])[:5]:
        bw = step_b.get(pos, [0.0, 0.0])[0]
        print(f"  {names[pos]:<44} {w:7.2f} s  baseline {bw:7.2f} s  extra {w - bw:+6.2f} s")
    rest = sum(w for w, _ in step_e.values()) - sum(
        w for p, (w, _) in step_b.items() if p is not None
    )
    print(
        f"  all {len(step_e)} steps: extra {rest:+.2f} s in the engine (guards, when/present "
        f"queries, audit and history rows, events); history rows in the baseline "
        f"{step_b.get(None, [0.0])[0]:.3f} s"
    )
    if captured.internal:
        print("  engine-internal statements without an event (replayed by the baseline too):")
        for line in captured.internal:
            print(f"    {line}")


def fmt_mb(kb: int) -> str:
    return f"{kb / 1024:.1f} MB"


def main() -> int:
    parser = argparse.ArgumentParser(description="The legacy bridge at scale vs the same SQL.")
    parser.add_argument("--quick", action="store_true", help="smoke run: 100 k / 10 k rows")
    parser.add_argument("--rows", type=int, default=None, help="agent_memory rows (big file)")
    parser.add_argument("--small-rows", type=int, default=None, help="rows of the smaller file")
    parser.add_argument("--runs", type=int, default=None, help="timed runs per side (5; quick 3)")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the cached files")
    parser.add_argument("--no-backup", action="store_true", help="skip the backup figure")
    args = parser.parse_args()
    try:
        import engine  # noqa: F401
    except ImportError:
        print(f"{PY} cannot import the engine: run this with the venv's python", file=sys.stderr)
        return 2
    rows = args.rows or (100_000 if args.quick else 1_000_000)
    small_rows = args.small_rows or max(1_000, rows // (5 if args.quick else 10))
    runs = args.runs or (3 if args.quick else 5)
    started = time.perf_counter()
    load_before = os.getloadavg()[0]
    notes: list[str] = []

    with tempfile.TemporaryDirectory(prefix="sqlmig-bench-bridge-") as name:
        tmp = Path(name)
        # Installed-engine conditions, as in bench_core: .pyc files in the temp folder.
        bench_core.CHILD_ENV.pop("PYTHONDONTWRITEBYTECODE", None)
        bench_core.CHILD_ENV["PYTHONPYCACHEPREFIX"] = str(tmp / "pycache")

        big, big_built = cached_file(rows, rows // 10, args.rebuild)
        small, small_built = cached_file(small_rows, small_rows // 10, args.rebuild)
        big_facts, small_facts = file_facts(big), file_facts(small)
        for path, built in ((big, big_built), (small, small_built)):
            if built is not None:
                notes.append(f"built {path.name} in {built:.0f} s")
        report = tmp / "report.json"
        work = tmp / "work.db"

        # 1. capture on the small file: the statements the engine runs (traced, untimed) -------
        captured_file = tmp / "captured.db"
        fresh_copy(small, captured_file)
        traced = run_child(engine_argv(captured_file, report, trace=True), report, tmp)
        captured = capture(traced, captured_file)
        notes += [f"WARNING capture: {w}" for w in captured.warnings]
        statements_json = tmp / "statements.json"
        listed = [sql for _, _, sql in captured.statements]
        statements_json.write_text(json.dumps({"statements": listed}))
        # ... and proof that replaying them gives the engine's result
        fresh_copy(small, work)
        small_baseline = run_child(replay_argv(work, statements_json, report), report, tmp)
        differences = same_result(captured_file, work)
        notes += [f"WARNING baseline differs from the engine: {d}" for d in differences]
        captured_file.unlink()

        # 2. peak memory at the small size (the big size comes from the timed runs) ----------
        fresh_copy(small, work)
        small_engine = run_child(engine_argv(work, report), report, tmp)
        if signature(small_engine) != captured.signature:
            notes.append("WARNING: the untraced small run did other steps than the capture run")

        # 3. timed: engine vs baseline on the big file, alternating ---------------------------
        eng = Side(f"engine upgrade, {rows:,} rows")
        base = Side(f"same SQL, sqlite3, {rows:,} rows")
        for i in range(runs):
            pair = [
                (eng, engine_argv(work, report)),
                (base, replay_argv(work, statements_json, report)),
            ]
            for side, argv in pair if i % 2 == 0 else pair[::-1]:
                fresh_copy(big, work)
                run_child(argv, report, tmp, side)
                if side is eng and signature(side.reports[-1]) != captured.signature:
                    raise SystemExit(
                        "the engine ran other steps or statements on the big file than on the "
                        "smaller one, so the captured statement list does not fit it"
                    )

        # 4. backup of the big legacy file vs cp + sync ---------------------------------------
        backups: list[Side] = []
        if not args.no_backup:
            source = tmp / "backup-source.db"
            fresh_copy(big, source)
            out_dir = tmp / "backups"
            out_dir.mkdir()
            eng_backup = Side("engine.backup")
            cp_sync = Side("cp + sync FILE")
            copy_target = out_dir / "copy.db"
            for i in range(runs):
                pair = [
                    (eng_backup, [PY, "-c", BACKUP_CHILD, str(source), str(out_dir), str(report)]),
                    (cp_sync, ["sh", "-c", CP_SYNC, str(source), str(copy_target)]),
                ]
                for side, argv in pair if i % 2 == 0 else pair[::-1]:
                    for old in out_dir.iterdir():
                        old.unlink()
                    os.sync()
                    run_child(argv, report, tmp, side)
            backups = [eng_backup, cp_sync]
        probes = probe_checks(work)  # the file after the last timed run: an upgraded big file
        work.unlink(missing_ok=True)

    # -- report ---------------------------------------------------------------------------------
    ratio = Ratio("upgrade vs the same SQL in one script", eng.timing(), base.timing(), 1.15)
    peak_big = max(r["vmhwm_kb"] for r in eng.reports)
    peak_small = small_engine["vmhwm_kb"]
    grew = peak_big - peak_small
    base_peak = max(r["vmhwm_kb"] for r in base.reports)
    memory_ok = peak_big <= peak_small * 1.2 or grew <= 5 * 1024

    print(
        f"sqlmig legacy-bridge benchmark ({'quick' if args.quick else 'full'}): {runs} runs per "
        f"side, alternating, median; {os.cpu_count()} cores; Python {sys.version.split()[0]}; "
        f"SQLite {sqlite3.sqlite_version}; load average {load_before:.1f} at start, "
        f"{os.getloadavg()[0]:.1f} at end"
    )
    print(
        f"file: legacy F11 (v0.7/v0.8, user_version {big_facts['user_version']}), "
        f"{big_facts['memory']:,} agent_memory rows, {big_facts['archived']:,} archived messages "
        f"({big_facts['orphaned']:,} with a missing archive), {big_facts['bytes'] / MB:,.0f} MB; "
        f"smaller file {small_facts['memory']:,} / {small_facts['archived']:,} rows, "
        f"{small_facts['bytes'] / MB:,.0f} MB"
    )
    print(
        f"baseline: {len(captured.statements)} statements = {captured.from_events} with a "
        f"statement event + {len(captured.internal)} engine-internal without one + "
        f"{captured.history} history/audit/user_version; replayed on the smaller file it gives "
        + (
            "the engine's schema, row counts and user_version."
            if not differences
            else f"{len(differences)} DIFFERENCE(S) (see the warnings)."
        )
    )
    print()
    print(f"{'command':<40} {'median':>8} {'min':>8} {'max':>8} {'cpu':>8}  {'peak RSS':>9}  n")
    for side in [eng, base, *backups]:
        t = side.timing()
        peak = max((r.get("vmhwm_kb", 0) for r in side.reports), default=0)
        print(
            f"{t.label:<40} {t.median:7.2f}s {min(t.samples):7.2f}s {max(t.samples):7.2f}s"
            f" {t.cpu_median:7.2f}s  {fmt_mb(peak) if peak else '':>9}  {len(t.samples)}"
        )
    print()
    print(
        f"{ratio.label:<40} {ratio.top.median:.2f} s vs {ratio.bottom.median:.2f} s   ratio "
        f"{ratio.value:.2f}  goal <= {ratio.goal}  {ratio.verdict}"
        f"   (cpu ratio {ratio.cpu_value:.2f})"
    )
    print(
        f"{'peak RSS of the upgrade, big vs small':<40} {fmt_mb(peak_big)} "
        f"({big_facts['memory']:,} rows) vs {fmt_mb(peak_small)} ({small_facts['memory']:,} rows): "
        f"{grew / 1024:+.1f} MB  goal: does not grow (<= +20 % or +5 MB)  "
        f"{'PASS' if memory_ok else 'MISS'}   (baseline: {fmt_mb(base_peak)} vs "
        f"{fmt_mb(small_baseline['vmhwm_kb'])})"
    )
    if backups:
        eb, cs = (s.timing() for s in backups)
        copy = statistics.median(r["copy"] for r in backups[0].reports)
        check = statistics.median(r["verify"] for r in backups[0].reports)
        print(
            f"{'backup vs cp + sync (information)':<40} {eb.median:.2f} s vs {cs.median:.2f} s   "
            f"ratio {eb.median / cs.median:.2f}   (cpu ratio {eb.cpu_median / cs.cpu_median:.2f}; "
            f"engine: backup API copy {copy:.2f} s + verification {check:.2f} s)"
        )
    print("(ratio and verdict use wall-clock medians; cpu = user+system CPU of the process)")

    try:
        print_breakdown(eng, base, captured, ratio)
    except (KeyError, IndexError, StopIteration) as exc:  # the engine renamed a phase function
        print(f"\nphase breakdown unavailable ({type(exc).__name__}: {exc}); see ENGINE_CHILD")
    print()
    print("probes on the upgraded big file (information, one run each, warm cache):")
    for line in probes:
        print(f"  {line}")
    print()
    for note in notes:
        print(note)
    engine_notes = sorted({n for r in eng.reports for n in r.get("notes", [])})
    for note in engine_notes:
        print(f"engine note: {note}")
    print(f"total time {time.perf_counter() - started:.0f} s")
    print()
    print(
        f"how to reproduce: {PY} bench/bench_bridge.py{' --quick' if args.quick else ''}"
        f"{f' --rows {args.rows}' if args.rows else ''}   (from the repo root; the files are "
        "cached in bench/.cache/)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
