"""Runners kept apart by the compare-and-set on the tool's own history table inside BEGIN
IMMEDIATE (SPEC §7.19): several `sqlmig upgrade` processes at once record each step once."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.dialects.folders import empty_db, make_folder, rows

RUNNERS = 3
RECORDED = {
    "goose": "SELECT version_id FROM goose_db_version WHERE version_id > 0 ORDER BY id",
    "flyway": "SELECT version FROM flyway_schema_history ORDER BY installed_rank",
    "dbmate": "SELECT version FROM schema_migrations ORDER BY version",
}


@pytest.mark.parametrize("convention", sorted(RECORDED))
def test_runners_at_once_record_each_step_once(tmp_path: Path, convention: str) -> None:
    folder = make_folder(tmp_path, convention)
    db = empty_db(tmp_path)
    command = [sys.executable, "-m", "engine", "upgrade", str(db), "--migrations", str(folder),
               "--no-backup", "--mode", "stepwise", "--wait", "30"]
    runners = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True) for _ in range(RUNNERS)]
    outcomes = [(r.wait(timeout=120), *r.communicate()) for r in runners]
    assert [code for code, _, _ in outcomes] == [0] * RUNNERS, outcomes
    recorded = [row[0] for row in rows(db, RECORDED[convention])]
    assert len(recorded) == len(set(recorded))  # never twice
    expected = {"goose": 4, "flyway": 4, "dbmate": 4}[convention]
    assert len(recorded) == expected
