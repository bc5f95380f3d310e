"""SIGKILL during an upgrade: the file opens, passes integrity_check, is old/new (atomic) or at a
migration boundary (stepwise) with every row, and the next run finishes like a clean one.

A few kills here; `bench/soak_crash.py --kills 200` runs hundreds (results in docs/safety.md).
A kill at every step boundary of a legacy bridge (both modes) pins the resumed run: what a
set-aside needs waits in the audit table, so the next run finishes like a clean one.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from builders.legacy import build_legacy
from helpers import badfiles, crash

ROWS = 6000
KILLS = 3  # per (file, mode): 12 in all


def legacy_file(folder: Path) -> Path:
    path = folder / "legacy.db"
    build_legacy(path, era="F7", rng=1)
    return path


def tracked_file(folder: Path) -> Path:
    return badfiles.at_version(folder, 5, "tracked.db")


@pytest.mark.parametrize("mode", ["atomic", "stepwise"])
@pytest.mark.parametrize("kind", ["legacy", "tracked"])
def test_killed_upgrade_leaves_a_good_file_and_the_next_run_finishes(
    tmp_path: Path, kind: str, mode: str
) -> None:
    source = tmp_path / "source"
    source.mkdir()
    original = (legacy_file if kind == "legacy" else tracked_file)(source)
    crash.scale(original, ROWS)
    ref = crash.reference(original, tmp_path, mode)
    rng = random.Random(f"{kind}-{mode}")
    # Spread over the run: early (often still old), middle, late (often new or finished).
    delays = [ref.seconds * f for f in (rng.uniform(0.05, 0.35), rng.uniform(0.35, 0.7),
                                        rng.uniform(0.7, 1.1))][:KILLS]
    outcomes = [crash.kill_and_check(ref, tmp_path / f"kill-{i}", d) for i, d in enumerate(delays)]
    assert not [o for o in outcomes if o.rows_lost], outcomes
    failures = [o for o in outcomes if not o.ok and not crash.known_bug(o, mode)]
    assert not failures, failures
    assert any(o.killed for o in outcomes), outcomes


@pytest.mark.fixtures
@pytest.mark.slow
@pytest.mark.parametrize("name", ["legacy-v5-2aafd789-fresh", "legacy-72031031-then-head-op",
                                  "tracked-8d121597-fresh"])
def test_killed_upgrade_of_real_fixtures(fixture_copy, tmp_path: Path, name: str) -> None:
    original = fixture_copy(name)
    crash.scale(original, ROWS)
    for mode in ("atomic", "stepwise"):
        ref = crash.reference(original, tmp_path / mode, mode)
        rng = random.Random(f"{name}-{mode}")
        outcomes = [
            crash.kill_and_check(ref, tmp_path / mode / f"kill-{i}", ref.seconds * rng.random())
            for i in range(2)
        ]
        assert not [o for o in outcomes if o.rows_lost], outcomes
        assert all(o.ok or crash.known_bug(o, mode) for o in outcomes), outcomes


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["atomic", "stepwise"])
def test_kill_at_every_step_boundary_of_a_legacy_bridge(tmp_path: Path, mode: str) -> None:
    """Deterministic: the child kills itself at each step_start/step_end event in turn."""
    source = tmp_path / "source"
    source.mkdir()
    ref = crash.reference(legacy_file(source), tmp_path, mode)
    outcomes = []
    for n in range(1, 200):
        outcome = crash.kill_at_event(ref, tmp_path / f"kill-{n}", n)
        if outcome is None:
            break
        outcomes.append(outcome)
    assert len(outcomes) > 20
    failures = [(o.delay, o.problems) for o in outcomes if not o.ok]
    assert not [o for o in outcomes if o.rows_lost], "rows lost"
    assert not failures, failures


@pytest.mark.fixtures
@pytest.mark.slow
def test_kill_after_repair_50_of_a_real_legacy_v5_file(fixture_copy, tmp_path: Path) -> None:
    original = fixture_copy("legacy-v5-2aafd789-fresh")
    ref = crash.reference(original, tmp_path, "stepwise")
    outcome = crash.kill_at_event(ref, tmp_path / "kill", 40)
    assert outcome is not None and outcome.ok, outcome


def test_crash_checker_catches_a_mixed_atomic_state(tmp_path: Path) -> None:
    """The checker is not blind: a file whose rows changed is neither old nor new."""
    source = tmp_path / "source"
    source.mkdir()
    original = tracked_file(source)
    ref = crash.reference(original, tmp_path, "atomic")
    tampered = crash.digests(original)
    assert tampered == ref.before and tampered != ref.after
    crash.scale(original, 3)  # the "original" now differs from what the reference recorded
    assert crash.digests(original) not in (ref.before, ref.after)
