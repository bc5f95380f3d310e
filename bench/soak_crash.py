"""Crash soak: SIGKILL real `engine.upgrade` processes at random moments, check every file.

    python bench/soak_crash.py --kills 200            # legacy + tracked, builder files and fixtures
    python bench/soak_crash.py --kills 20 --rows 3000 # a quick look

Run it with the interpreter that has the engine installed (e.g. /tmp/venv0/bin/python). Files:
two builder-made ones (a legacy F7 file, a tracked v5 file) and, when `SQLMIG_REAL_FIXTURES` (or
--fixtures) points at the agent-world fixtures, legacy and tracked fixture files. Each gets
`--rows` extra memory rows so an upgrade lasts long enough to be killed in the middle. Kills are
shared round-robin over (file, mode in atomic/stepwise); each delay is uniform over 0 to 1.1
times the clean upgrade's duration, measured after the child has imported the engine.

Every killed file is checked (tests/helpers/crash.py): integrity_check, old/new state (atomic) or
a migration boundary (stepwise), then a second run whose result must equal a clean upgrade of the
same original, table by table and row by row. Prints one line per kill and a summary; exits 1 when
any check failed. Failures matching the engine bugs listed in docs/safety.md
(`crash.KNOWN_BUG_SIGNATURES`) are counted separately in the summary.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.append(str(REPO / "tests"))

from builders.legacy import build_legacy  # noqa: E402
from helpers import badfiles, crash  # noqa: E402

FIXTURES = (
    "legacy-v1-2e385254-fresh",
    "legacy-v5-2aafd789-fresh",
    "legacy-v7-a8962e7f-fresh",
    "legacy-72031031-then-head-op",
    "legacy-chain-2e385254-to-a8962e7f",
    "tracked-8d121597-fresh",
    "tracked-chain-8d121597-to-458d539e",
)


def originals(folder: Path, fixtures: Path | None, rows: int) -> list[Path]:
    out = []
    legacy = folder / "builder-legacy" / "legacy-F7.db"
    legacy.parent.mkdir(parents=True)
    build_legacy(legacy, era="F7", rng=1)
    out.append(legacy)
    tracked = folder / "builder-tracked"
    tracked.mkdir()
    out.append(badfiles.at_version(tracked, 5, "tracked-v5.db"))
    if fixtures is not None:
        for name in FIXTURES:
            source = fixtures / f"{name}.db"
            if source.is_file():
                out.append(crash.copy_db(source, folder / name / source.name))
    for path in out:
        crash.scale(path, rows)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=200, help="processes to kill mid-run")
    parser.add_argument("--rows", type=int, default=15000, help="extra memory rows per file")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--fixtures", type=Path, default=None,
                        help="the agent-world fixture folder (default $SQLMIG_REAL_FIXTURES)")
    parser.add_argument("--json", type=Path, default=None, help="also write the summary here")
    args = parser.parse_args()
    fixtures = args.fixtures
    if fixtures is None and os.environ.get("SQLMIG_REAL_FIXTURES"):
        fixtures = Path(os.environ["SQLMIG_REAL_FIXTURES"]) / "agent-world"
    if fixtures is not None and not fixtures.is_dir():
        print(f"no fixture folder at {fixtures}: builder files only")
        fixtures = None
    rng = random.Random(args.seed)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="sqlmig-soak-") as tmp:
        folder = Path(tmp)
        files = originals(folder / "originals", fixtures, args.rows)
        refs = [crash.reference(f, folder / "clean" / f.stem, mode)
                for f in files for mode in ("atomic", "stepwise")]
        for ref in refs:
            print(f"clean {ref.original.name} {ref.mode}: {ref.seconds:.2f} s")
        states: collections.Counter[str] = collections.Counter()
        failures = []
        killed = 0
        rows_lost = 0
        i = -1
        while killed < args.kills:  # --kills counts processes really killed mid-run
            i += 1
            ref = refs[i % len(refs)]
            delay = rng.uniform(0, 1.1 * ref.seconds)
            work = folder / "kills" / str(i)
            outcome = crash.kill_and_check(ref, work, delay)
            killed += outcome.killed
            rows_lost += outcome.rows_lost
            states[f"{ref.mode}:{outcome.state}"] += 1
            mark = "ok" if outcome.ok else "FAIL " + "; ".join(outcome.problems)
            print(f"{i + 1:4d} {killed:4d} {ref.original.name:45s} {ref.mode:8s} {delay:5.2f}s "
                  f"{'killed' if outcome.killed else 'finished':8s} {outcome.state:8s} {mark}",
                  flush=True)
            if not outcome.ok:
                failures.append({"file": ref.original.name, "mode": ref.mode, "delay": delay,
                                 "problems": outcome.problems,
                                 "known_engine_bug": crash.known_bug(outcome, ref.mode)})
            for child in sorted(work.rglob("*"), reverse=True):
                child.unlink() if child.is_file() else child.rmdir()
    summary = {
        "runs": i + 1,
        "killed": killed,
        "finished_before_kill": i + 1 - killed,
        "failures": len(failures),
        "failures_known_engine_bugs": sum(1 for f in failures if f["known_engine_bug"]),
        "rows_lost": rows_lost,
        "files": [f.name for f in files],
        "states": dict(sorted(states.items())),
        "seconds": round(time.monotonic() - started, 1),
        "failed": failures,
    }
    print(json.dumps({k: v for k, v in summary.items() if k != "failed"}, indent=2))
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
