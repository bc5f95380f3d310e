"""Core speed figures of the engine, each a ratio against a baseline timed in the same run.

    python bench/bench_core.py            # full run (a few minutes; the first one builds 1 GB)
    python bench/bench_core.py --quick    # smoke run, < 30 s (100 MB instead of 1 GB, fewer runs)

Run it with the interpreter that has the engine installed (e.g. /tmp/venv0/bin/python).
Every figure is a whole process, timed with subprocess.run, so Python's start-up is counted on
both sides; the two sides are run alternately and the median is kept.

1. `sqlmig status FILE` (and `--json`) on an up-to-date file vs a bare sqlite3 read of
   user_version.                                                       goal <= 2.0
2. `sqlmig upgrade EMPTY --no-backup` (fresh -> head, with the engine's checks) vs
   bench/plain_apply.py (sqlite3 and nothing else).                    goal <= 2.5
3. `sqlmig status` on a ~1 GB file vs the same schema at ~1 MB.        goal <= 1.2

The big file is cached under bench/.cache/ (keyed on the migrations' contents); the rest lives in
a temp folder that is removed at the end. No backup is taken anywhere, so none is timed.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
MIGRATIONS = REPO / "migrations"
CACHE = BENCH / ".cache"
PLAIN_APPLY = BENCH / "plain_apply.py"
REAL_FILE = Path("/work/shared/fixtures/agent-world/tracked-458d539e-fresh.db")
PY = sys.executable
MB = 1024 * 1024
# Environment of every timed process; main() points its bytecode cache into the temp folder.
CHILD_ENV: dict[str, str] = dict(os.environ)


@dataclass
class Timing:
    label: str
    samples: list[float]  # wall-clock seconds
    cpu: list[float]  # user + system CPU seconds of the process

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu)


@dataclass
class Ratio:
    label: str
    top: Timing
    bottom: Timing
    goal: float

    @property
    def value(self) -> float:
        return self.top.median / self.bottom.median

    @property
    def cpu_value(self) -> float:
        return self.top.cpu_median / self.bottom.cpu_median

    @property
    def verdict(self) -> str:
        return "PASS" if self.value <= self.goal else "MISS"


# -- timing ------------------------------------------------------------------------------------


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_once(argv: Sequence[str], cwd: Path) -> tuple[float, float]:
    """Wall-clock and CPU seconds of one run of argv, which must exit 0."""
    cpu_before = _children_cpu()
    start = time.perf_counter()
    proc = subprocess.run(argv, cwd=cwd, env=CHILD_ENV, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    cpu = _children_cpu() - cpu_before
    if proc.returncode != 0:
        raise SystemExit(
            f"benchmark command failed (exit {proc.returncode}): {' '.join(argv)}\n"
            f"{proc.stdout[-2000:]}{proc.stderr[-2000:]}"
        )
    return elapsed, cpu


def compare(
    a: tuple[str, Sequence[str]],
    b: tuple[str, Sequence[str]],
    *,
    cwd: Path,
    runs: int,
    warmups: int,
    setup: Callable[[], None] | None = None,
) -> tuple[Timing, Timing]:
    """Time two commands alternately (A B A B ...); `setup` runs untimed before every run."""
    wall: tuple[list[float], list[float]] = ([], [])
    cpu: tuple[list[float], list[float]] = ([], [])
    for i in range(warmups + runs):
        for side, (_, argv) in enumerate((a, b) if i % 2 == 0 else (b, a)):
            real_side = side if i % 2 == 0 else 1 - side
            if setup is not None:
                setup()
            t, c = run_once(argv, cwd)
            if i >= warmups:
                wall[real_side].append(t)
                cpu[real_side].append(c)
    return Timing(a[0], wall[0], cpu[0]), Timing(b[0], wall[1], cpu[1])


def drop_caches() -> bool:
    try:
        os.sync()
        with open("/proc/sys/vm/drop_caches", "w") as f:
            f.write("3\n")
        return True
    except OSError:
        return False


# -- data --------------------------------------------------------------------------------------


def engine_cmd(*args: str) -> list[str]:
    return [PY, "-m", "engine", *args]


def bare_read_cmd(path: Path) -> list[str]:
    uri = "file:" + urllib.parse.quote(str(path)) + "?mode=ro"
    code = (
        f"import sqlite3; c=sqlite3.connect({uri!r}, uri=True); "
        "print(c.execute('pragma user_version').fetchone())"
    )
    return [PY, "-c", code]


def build_head(path: Path, cwd: Path) -> None:
    """An empty file brought to head by the engine itself."""
    path.write_bytes(b"")
    run_once(engine_cmd("upgrade", str(path), "--no-backup"), cwd)


def grow(path: Path, target_bytes: int) -> int:
    """Fill agent_memory with ~1 KB rows until the file reaches target_bytes; returns rows."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=OFF")
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute("PRAGMA cache_size=-262144")  # 256 MB
        conn.execute("BEGIN")
        conn.execute("INSERT INTO worlds(id,name) VALUES('w','W')")
        conn.execute(
            "INSERT INTO agents(id,world_id,name,type,provider,model) "
            "VALUES('a','w','A','t','p','m')"
        )
        conn.execute("COMMIT")
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        rows = 0
        while conn.execute("PRAGMA page_count").fetchone()[0] * page_size < target_bytes:
            left = target_bytes - conn.execute("PRAGMA page_count").fetchone()[0] * page_size
            batch = max(100, min(100_000, left // 1400))
            conn.execute("BEGIN")
            conn.execute(
                "INSERT INTO agent_memory(agent_id, world_id, role, content, chat_id, message_id) "
                "WITH RECURSIVE n(i) AS (SELECT ?1 UNION ALL SELECT i + 1 FROM n WHERE i < ?2) "
                "SELECT 'a', 'w', CASE i % 2 WHEN 0 THEN 'user' ELSE 'assistant' END, "
                "hex(randomblob(512)), 'chat-' || (i / 1000), printf('msg-%010d', i) FROM n",
                (rows + 1, rows + batch),
            )
            conn.execute("COMMIT")
            rows += batch
        return rows
    finally:
        conn.close()


def migrations_key() -> str:
    digest = hashlib.sha256()
    for p in sorted(MIGRATIONS.glob("*.sql")):
        digest.update(p.name.encode() + b"\0" + p.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def cached_big_file(size_mb: int, tmp: Path, rebuild: bool) -> tuple[Path, bool]:
    """The ~size_mb head-schema file from bench/.cache/, built first if missing or stale."""
    CACHE.mkdir(exist_ok=True)
    key = migrations_key()
    path = CACHE / f"head-{key}-{size_mb}MB.db"
    for stale in CACHE.glob(f"head-*-{size_mb}MB.db*"):
        if stale != path or rebuild:
            stale.unlink()
    if path.exists():
        return path, False
    part = path.with_name(path.name + ".part")
    build_head(part, tmp)
    grow(part, size_mb * MB)
    part.rename(path)
    return path, True


# -- import profile ----------------------------------------------------------------------------


def import_profile(path: Path, cwd: Path, top: int = 10, repeat: int = 3) -> list[str]:
    """Where `python -X importtime -m engine status FILE` spends its import time.

    Best of `repeat` runs per module: the engine's own total, and the modules with the largest
    self time at any depth (self time excludes the modules they import).
    """
    best_self: dict[str, int] = {}
    best_cumulative: dict[str, int] = {}
    for _ in range(repeat):
        proc = subprocess.run(
            [PY, "-X", "importtime", "-m", "engine", "status", str(path)],
            cwd=cwd,
            env=CHILD_ENV,
            capture_output=True,
            text=True,
            check=False,
        )
        for line in proc.stderr.splitlines():
            parts = line.removeprefix("import time:").split("|")
            if not line.startswith("import time:") or len(parts) != 3 or "cumulative" in line:
                continue
            name = parts[2].strip()
            own, cumulative = int(parts[0]), int(parts[1])
            best_self[name] = min(own, best_self.get(name, own))
            best_cumulative[name] = min(cumulative, best_cumulative.get(name, cumulative))
    total = sum(best_self.values())
    engine_own = sum(us for name, us in best_self.items() if name.split(".")[0] == "engine")
    engine_all = best_cumulative.get("engine", 0)
    lines = [
        f"  all imports {total / 1000:.0f} ms; `import engine` {engine_all / 1000:.0f} ms"
        f" cumulative, of which the engine's own modules {engine_own / 1000:.0f} ms",
        "  largest self times:",
    ]
    ranked = sorted(best_self.items(), key=lambda item: item[1], reverse=True)
    lines += [f"  {us / 1000:7.1f} ms  {name}" for name, us in ranked[:top]]
    return lines


# -- main --------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description="Core speed ratios of the sqlmig engine.")
    parser.add_argument("--quick", action="store_true", help="smoke run: fewer runs, 100 MB")
    parser.add_argument("--runs", type=int, default=None, help="timed runs per command")
    parser.add_argument("--big-mb", type=int, default=None, help="size of the big file in MB")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the cached big file")
    parser.add_argument("--no-cold", action="store_true", help="skip the cold-cache runs")
    parser.add_argument(
        "--inherit-env",
        action="store_true",
        help="run the commands with this environment as is (by default bytecode caching is on,"
        " with its cache in the temp folder)",
    )
    args = parser.parse_args()
    try:
        import engine  # noqa: F401
    except ImportError:
        print(f"{PY} cannot import the engine: run this with the venv's python", file=sys.stderr)
        return 2
    runs = args.runs or (5 if args.quick else 15)
    warmups = 1 if args.quick else 2
    big_mb = args.big_mb or (100 if args.quick else 1024)
    cold = not (args.quick or args.no_cold)

    timings: list[Timing] = []
    ratios: list[Ratio] = []
    notes: list[str] = []
    started = time.perf_counter()
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="sqlmig-bench-") as tmp_name:
        tmp = Path(tmp_name)
        if not args.inherit_env:
            # Measure an installed engine, which has its .pyc files: without them every run
            # compiles the engine from source. The cache goes to the temp folder, not the repo.
            CHILD_ENV.pop("PYTHONDONTWRITEBYTECODE", None)
            CHILD_ENV["PYTHONPYCACHEPREFIX"] = str(tmp / "pycache")

        # 1. status vs a bare read ------------------------------------------------------------
        up_to_date = tmp / "up-to-date.db"
        if REAL_FILE.is_file():
            shutil.copyfile(REAL_FILE, up_to_date)
            source = f"copy of {REAL_FILE.name}"
        else:
            build_head(up_to_date, tmp)
            source = "empty file upgraded to head"
        status, bare = compare(
            ("sqlmig status", engine_cmd("status", str(up_to_date))),
            ("bare sqlite3 read", bare_read_cmd(up_to_date)),
            cwd=tmp,
            runs=runs,
            warmups=warmups,
        )
        status_json, bare2 = compare(
            ("sqlmig status --json", engine_cmd("status", str(up_to_date), "--json")),
            ("bare sqlite3 read (2)", bare_read_cmd(up_to_date)),
            cwd=tmp,
            runs=runs,
            warmups=warmups,
        )
        timings += [status, status_json, bare, bare2]
        ratios.append(Ratio("status vs bare sqlite3 read", status, bare, 2.0))
        ratios.append(Ratio("status --json vs bare sqlite3 read", status_json, bare2, 2.0))
        notes.append(f"status file: {source}")

        # 2. fresh -> head upgrade vs a plain script -------------------------------------------
        empty = tmp / "fresh.db"

        def fresh_file() -> None:
            for suffix in ("", "-journal", "-wal", "-shm"):
                Path(str(empty) + suffix).unlink(missing_ok=True)
            empty.write_bytes(b"")

        upgrade, plain = compare(
            ("sqlmig upgrade --no-backup", engine_cmd("upgrade", str(empty), "--no-backup")),
            ("plain_apply.py", [PY, str(PLAIN_APPLY), str(empty)]),
            cwd=tmp,
            runs=runs,
            warmups=warmups,
            setup=fresh_file,
        )
        timings += [upgrade, plain]
        ratios.append(Ratio("fresh->head upgrade vs plain script", upgrade, plain, 2.5))
        # Information: the default (atomic) mode commits once, the plain script 19 times; the
        # stepwise mode also commits once per migration, so its ratio compares like with like.
        stepwise, plain2 = compare(
            (
                "sqlmig upgrade --mode stepwise",
                engine_cmd("upgrade", str(empty), "--no-backup", "--mode", "stepwise"),
            ),
            ("plain_apply.py (2)", [PY, str(PLAIN_APPLY), str(empty)]),
            cwd=tmp,
            runs=runs,
            warmups=warmups,
            setup=fresh_file,
        )
        timings += [stepwise, plain2]
        notes.append(
            f"upgrade --mode stepwise vs plain script (one commit per migration on both sides): "
            f"ratio {stepwise.median / plain2.median:.2f}, cpu ratio "
            f"{stepwise.cpu_median / plain2.cpu_median:.2f} (information, no goal)"
        )

        # 3. status on a big file vs a small one -----------------------------------------------
        t0 = time.perf_counter()
        big, built = cached_big_file(big_mb, tmp, args.rebuild)
        build_s = time.perf_counter() - t0
        small = tmp / "small.db"
        build_head(small, tmp)
        grow(small, 1 * MB)
        big_mtime = big.stat().st_mtime_ns
        on_big, on_small = compare(
            (f"status on {big_mb} MB file", engine_cmd("status", str(big))),
            ("status on 1 MB file", engine_cmd("status", str(small))),
            cwd=tmp,
            runs=runs,
            warmups=warmups,
        )
        timings += [on_big, on_small]
        size_label = "1 GB" if big_mb == 1024 else f"{big_mb} MB"
        ratios.append(Ratio(f"status {size_label} vs 1 MB file (warm)", on_big, on_small, 1.2))
        notes.append(
            f"big file: {big.stat().st_size / MB:,.0f} MB, "
            + (f"built in {build_s:.0f} s" if built else "from bench/.cache")
            + f"; small file: {small.stat().st_size / MB:.1f} MB"
        )
        if cold:
            if drop_caches():
                cold_runs = max(3, runs // 3)
                cold_big, cold_small = compare(
                    (f"status on {big_mb} MB file, cold", engine_cmd("status", str(big))),
                    ("status on 1 MB file, cold", engine_cmd("status", str(small))),
                    cwd=tmp,
                    runs=cold_runs,
                    warmups=0,
                    setup=drop_caches,
                )
                timings += [cold_big, cold_small]
                notes.append(
                    f"cold cache (drop_caches before each run, {cold_runs} runs): "
                    f"ratio {cold_big.median / cold_small.median:.2f} (information, no goal)"
                )
            else:
                notes.append("cold cache: /proc/sys/vm/drop_caches not writable, skipped")
        if big.stat().st_mtime_ns != big_mtime:
            notes.append("WARNING: status changed the mtime of the big file")

        profile: list[str] = []
        if ratios[0].verdict == "MISS" or ratios[1].verdict == "MISS":
            profile = import_profile(up_to_date, tmp)

    # report ----------------------------------------------------------------------------------
    print(
        f"sqlmig core benchmark ({'quick' if args.quick else 'full'}): {runs} runs after "
        f"{warmups} warm-up(s), median; {os.cpu_count()} cores; Python "
        f"{sys.version.split()[0]}; SQLite {sqlite3.sqlite_version}; bytecode cache "
        f"{'as inherited' if args.inherit_env else 'on (temp folder)'}; load average "
        f"{load_before:.1f} at start, {os.getloadavg()[0]:.1f} at end"
    )
    print()
    print(f"{'command':<36} {'median':>8} {'min':>8} {'max':>8} {'cpu':>8}  n")
    for t in timings:
        print(
            f"{t.label:<36} {t.median:7.3f}s {min(t.samples):7.3f}s {max(t.samples):7.3f}s"
            f" {t.cpu_median:7.3f}s  {len(t.samples)}"
        )
    print()
    for r in ratios:
        print(
            f"{r.label:<38} {r.top.median:.3f} s vs {r.bottom.median:.3f} s   "
            f"ratio {r.value:.2f}  goal <= {r.goal}  {r.verdict}   (cpu ratio {r.cpu_value:.2f})"
        )
    print(
        "(ratios and verdicts use wall-clock medians; cpu = median user+system CPU time of the"
        " process, less sensitive to other load on the machine)"
    )
    print()
    for note in notes:
        print(note)
    if profile:
        print("status misses its goal; biggest imports (python -X importtime -m engine status):")
        print("\n".join(profile))
    print(f"total time {time.perf_counter() - started:.0f} s")
    print()
    print(
        f"how to reproduce: {PY} bench/bench_core.py{' --quick' if args.quick else ''}"
        "   (from the repo root; the big file is cached in bench/.cache/)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
