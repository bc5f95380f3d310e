"""Baseline for bench_bridge.py: run a fixed list of SQL statements with nothing but sqlite3.

    python bench/replay_statements.py FILE STATEMENTS.json REPORT.json

STATEMENTS.json is `{"statements": ["sql", ...]}`: exactly the statements the engine executed
during one legacy-bridge upgrade, in order, with repair templates already expanded, followed by
the same history rows and `PRAGMA user_version` (bench_bridge.py writes it). This script opens
FILE, sets `PRAGMA foreign_keys = OFF`, runs `BEGIN IMMEDIATE`, every statement, `COMMIT`, closes
the file, and writes the time of each part to REPORT.json. No inspection, no guards, no checks.
"""

import time

T0 = time.perf_counter()
C0 = time.process_time()

import json  # noqa: E402
import sqlite3  # noqa: E402
import sys  # noqa: E402


def _mark() -> list[float]:
    return [time.perf_counter() - T0, time.process_time() - C0]


def main() -> int:
    path, statements_file, report_file = sys.argv[1:4]
    with open(statements_file, encoding="utf-8") as handle:
        statements = json.load(handle)["statements"]
    marks = {"start": _mark()}
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("BEGIN IMMEDIATE")
    marks["begin"] = _mark()
    each: list[list[float]] = []
    for sql in statements:
        before = _mark()
        conn.execute(sql)
        after = _mark()
        each.append([after[0] - before[0], after[1] - before[1]])
    marks["statements"] = _mark()
    conn.execute("COMMIT")
    marks["commit"] = _mark()
    conn.close()  # checkpoints the WAL into the file, as the engine's close does
    marks["close"] = _mark()
    with open("/proc/self/status", encoding="ascii") as handle:
        status = dict(line.split(":", 1) for line in handle if ":" in line)
    report = {
        "marks": marks,
        "statements": each,
        "vmhwm_kb": int(status.get("VmHWM", "0 kB").split()[0]),
    }
    with open(report_file, "w", encoding="utf-8") as handle:
        json.dump(report, handle)
    return 0


if __name__ == "__main__":
    sys.exit(main())
