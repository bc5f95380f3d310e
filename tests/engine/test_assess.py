"""`engine.assess`: the one answer both faces show (state, can it be upgraded, what would run,
why it would be refused), and the same answers from `sqlmig status` and `upgrade --dry-run`."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest
from helpers import badfiles
from helpers.badfiles import run_cli

import engine


def _drop_an_index(path: Path) -> str:
    with closing(sqlite3.connect(path)) as conn:
        name = conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            "ORDER BY name LIMIT 1"
        ).fetchone()[0]
        conn.execute(f'DROP INDEX "{name}"')
        conn.commit()
    return str(name)


def _dry_run_steps(path: Path) -> tuple[bool, list[tuple[str, str]]]:
    run = run_cli("upgrade", path, "--dry-run", "--json")
    events = run.events()
    plans = [e for e in events if e["event"] == "plan"]
    steps = [(s["kind"], s["name"]) for s in plans[0]["steps"]] if plans else []
    return run.done["ok"], steps


def _agrees_with_the_cli(path: Path) -> engine.Assessment:
    assessment = engine.assess(path)
    status = run_cli("status", path, "--json").json()
    assert status["state"] == assessment.state
    assert status["can_upgrade"] is assessment.can_upgrade
    refusal = assessment.refusal.to_json() if assessment.refusal is not None else None
    assert status["refusal"] == refusal
    ok, steps = _dry_run_steps(path)
    assert ok is (assessment.refusal is None)
    assert steps == [(s.kind, s.name) for s in assessment.steps]
    return assessment


def test_a_tracked_head_file_with_an_index_dropped_can_be_upgraded(tmp_path: Path) -> None:
    path = badfiles.head_db(tmp_path)
    _drop_an_index(path)
    assessment = _agrees_with_the_cli(path)
    assert assessment.state == engine.State.TRACKED == "tracked"
    assert assessment.inspection.needs_repair
    assert assessment.can_upgrade and assessment.refusal is None
    assert engine.Method.REPAIRED in {s.method for s in assessment.steps}
    text = run_cli("status", path).out
    assert "  upgrade      v18 → v18: 32 steps (2 to complete)." in text, text
    badge = engine.state_badge(assessment)
    assert badge.key == "pending" and badge.text.endswith("needs repair")


def test_an_up_to_date_file_has_nothing_to_do(tmp_path: Path) -> None:
    assessment = _agrees_with_the_cli(badfiles.head_db(tmp_path))
    assert not assessment.can_upgrade and assessment.refusal is None
    assert assessment.plan is not None and assessment.steps == ()
    assert engine.state_badge(assessment) == ("ok", "Up to date (v18)")
    assert assessment.newest_version == 18 and assessment.app_name == "agent-world"


def test_an_empty_file_runs_every_migration(tmp_path: Path) -> None:
    path = badfiles.empty_file(tmp_path)
    assessment = _agrees_with_the_cli(path)
    assert assessment.can_upgrade
    assert [s.label for s in assessment.steps][:2] == ["0000_init_base_schema", "0001_add_chat_id"]
    assert {engine.step_status(s) for s in assessment.steps} == {"will run"}
    assert engine.plan_summary(assessment) == "empty → v18: 19 steps (19 to run)."
    assert "  upgrade      empty → v18: 19 steps (19 to run)." in run_cli("status", path).out


@pytest.mark.parametrize(
    ("make", "code"),
    [(badfiles.ahead_db, "ahead"), (badfiles.foreign_db, "foreign"),
     (badfiles.not_sqlite_text, "not_sqlite")],
)
def test_refused_files_say_why(tmp_path: Path, make: object, code: str) -> None:
    assessment = _agrees_with_the_cli(make(tmp_path))  # type: ignore[operator]
    assert assessment.plan is None and not assessment.can_upgrade and assessment.steps == ()
    assert assessment.refusal is not None and assessment.refusal.code == code
    assert engine.plan_summary(assessment).startswith("No upgrade: ")


@pytest.mark.fixtures
def test_a_legacy_file_shows_what_it_adopts_and_what_it_runs(
    fixture_copy: Callable[[str], Path],
) -> None:
    assessment = _agrees_with_the_cli(fixture_copy("legacy-v5-2aafd789-fresh"))
    assert assessment.state == "legacy" and assessment.can_upgrade
    methods = {s.label: s.method for s in assessment.steps if s.kind == "migrate"}
    assert methods["0001_add_chat_id"] == "adopted"
    assert "executed" in methods.values()
    summary = engine.plan_summary(assessment)
    assert summary.startswith("legacy v5 → v18: ") and "to adopt" in summary, summary
    statuses = {engine.step_status(s) for s in assessment.steps}
    assert "adopt: already there" in statuses and "will run" in statuses
    sql = engine.step_sql(assessment.steps[-1])
    assert sql.startswith(f"-- {assessment.steps[-1].label}") and "-- line " in sql


def test_the_app_name_without_a_profile_is_neutral(tmp_path: Path) -> None:
    folder = tmp_path / "migrations"
    folder.mkdir()
    (folder / "0001_first.sql").write_text("CREATE TABLE t (id INTEGER PRIMARY KEY);\n")
    assessment = engine.assess(badfiles.empty_file(tmp_path), engine.load_catalog(folder))
    assert assessment.app_name == "these migrations"
    assert assessment.newest_version == 1 and assessment.can_upgrade


def test_the_run_report_says_what_the_run_did(tmp_path: Path) -> None:
    path = badfiles.empty_file(tmp_path)
    result = engine.upgrade(path)
    text = engine.run_report(result)
    assert text.startswith("sqlmig upgrade report\nDate: ")
    assert f"File: {path}" in text and "Version: empty → v18" in text
    assert f"Backup: {result.backup}" in text
    assert "  Before the run:" in text and "  After the migrations:" in text
    assert text.count("[ok] quick_check") == 2  # once before and once after, never twice each
    data = engine.run_report_json(result)
    assert json.loads(json.dumps(data)) == data
    assert data["kind"] == "upgraded" and data["ok"] and data["to_version"] == 18
    assert data["headline"] == engine.run_outcome(result).headline
    assert {c["phase"] for c in data["checks"]} == {"before", "after"}


def test_a_repair_only_run_is_reported_as_a_change(tmp_path: Path) -> None:
    path = badfiles.head_db(tmp_path)
    index = _drop_an_index(path)
    result = engine.upgrade(path, backup=False)
    assert result.ok and not result.applied
    outcome = engine.run_outcome(result)
    assert outcome.kind == engine.RunKind.UPGRADED and outcome.ok
    assert outcome.headline == f"Repaired {path.name} at v18."
    assert not engine.assess(path).can_upgrade, f"index {index} not put back"


def test_a_refused_run_report_has_the_hint_and_the_code(tmp_path: Path) -> None:
    result = engine.upgrade(badfiles.ahead_db(tmp_path))
    outcome = engine.run_outcome(result)
    assert outcome.kind == "unchanged" or outcome.kind == "failed"
    text = engine.run_report(result)
    assert "problem code: ahead" in text and f"What to do: {result.error.hint}" in text


def test_star_import_gives_every_public_name() -> None:
    namespace: dict[str, object] = {}
    exec("from engine import *", namespace)
    assert set(engine.__all__) <= set(namespace)
    assert "assess" in namespace and "run_report_json" in namespace
