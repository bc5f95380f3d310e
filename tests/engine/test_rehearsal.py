"""`upgrade --dry-run --execute`: any plan runs on a temporary copy; the original's bytes never
change; the report has each step's time, the ledger, the checks and the schema changes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers.badfiles import at_version, run_cli, sha256

import engine
from sqlmig_migrations.demo import build_demo_database


def _events(out: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.splitlines()]


def test_an_executed_dry_run_reports_the_run_and_leaves_the_bytes(tmp_path: Path) -> None:
    path = at_version(tmp_path, 9)
    digest, names = sha256(path), sorted(p.name for p in tmp_path.iterdir())
    run = run_cli("upgrade", path, "--dry-run", "--execute", "--json")
    assert run.code == 0, run.out
    assert sha256(path) == digest
    # No backup and no journal; reading a WAL-mode file with SQLite's locks leaves an empty -wal
    # and its -shm index, as any reader does.
    new = sorted(p.name for p in tmp_path.iterdir() if p.name not in names)
    assert set(new) <= {"v9.db-wal", "v9.db-shm"}
    assert not (tmp_path / "v9.db-wal").exists() or (tmp_path / "v9.db-wal").stat().st_size == 0
    events = _events(run.out)
    ends = [e for e in events if e["event"] == "step_end"]
    plan = next(e for e in events if e["event"] == "plan")
    assert len(ends) == len(plan["steps"]) and all(isinstance(e["duration_ms"], int) for e in ends)
    assert [e["version"] for e in ends] == list(range(10, 19))
    checks = {e["check"]: e for e in events if e["event"] == "verify"}
    assert {"ledger", "foreign_keys", "schema", "schema_changes"} <= set(checks)
    assert "adds table message_queue" in checks["schema_changes"]["details"]
    done = events[-1]
    assert done["event"] == "done" and done["ok"] is True and done["dry_run"] is True
    assert done["to_version"] == 18 and done["ledger"]


def test_plain_dry_run_still_only_plans(tmp_path: Path) -> None:
    path = at_version(tmp_path, 9)
    run = run_cli("upgrade", path, "--dry-run", "--json")
    assert run.code == 0
    assert not [e for e in _events(run.out) if e["event"] in ("step_end", "statement")]


def test_execute_needs_dry_run(tmp_path: Path) -> None:
    path = at_version(tmp_path, 9)
    digest = sha256(path)
    run = run_cli("upgrade", path, "--execute")
    assert run.code == 2 and "--execute goes with --dry-run" in run.err
    assert sha256(path) == digest


def test_a_failing_step_in_the_rehearsal_is_reported_and_the_file_is_untouched(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "migrations"
    folder.mkdir()
    (folder / "0000_people.sql").write_text("CREATE TABLE people (id INTEGER PRIMARY KEY);\n")
    (folder / "0001_bad.sql").write_text("INSERT INTO people (nope) VALUES (1);\n")
    path = tmp_path / "app.db"
    path.touch()
    assert run_cli("upgrade", path, "--migrations", folder, "--to", "0", "--no-backup").code == 0
    digest = sha256(path)
    run = run_cli("upgrade", path, "--migrations", folder, "--dry-run", "--execute", "--json")
    assert run.code == 1
    done = _events(run.out)[-1]
    assert done["ok"] is False and done["problems"][0]["code"] == "migration_failed"
    assert sha256(path) == digest


@pytest.mark.parametrize(
    ("build", "execute"),
    [(lambda folder: at_version(folder, 9), True),
     (lambda folder: build_demo_database(folder / "demo"), False),
     (lambda folder: build_demo_database(folder / "demo"), True)],
    ids=["tracked-executed", "bridge-dry-run", "bridge-executed"],
)
def test_a_rehearsed_dry_run_never_reads_as_upgraded(tmp_path: Path, build, execute) -> None:
    """Steps applied on the copy are not an upgrade of the file: the outcome both faces show
    says it was a dry run (the window's result panel said "Upgraded …")."""
    path = build(tmp_path)
    result = engine.upgrade(path, dry_run=True, execute=execute, backup=False)
    assert result.ok, result.error
    assert result.applied  # on the copy
    outcome = engine.run_outcome(result)
    assert outcome.kind == engine.RunKind.UNCHANGED
    assert outcome.headline.startswith("Dry run:") and "not touched" in outcome.headline
