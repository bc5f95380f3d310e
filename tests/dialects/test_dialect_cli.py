"""`sqlmig status` and `upgrade` on other tools' folders: the convention and the skipped files in
text and JSON, Flyway versions as strings, and a dirty golang-migrate file refused with exit 3."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.dialects.folders import at_middle_version, make_folder, run


def sqlmig(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "engine", *args], capture_output=True,
                          text=True, check=False, timeout=120)


def test_status_json_names_the_convention_and_the_skipped_files(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, "flyway")
    db = at_middle_version(tmp_path, "flyway", folder)
    done = sqlmig("status", str(db), "--migrations", str(folder), "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["convention"] == "flyway"
    assert data["skipped"] == [
        {"file": "R__users_view.sql", "reason": "a Flyway repeatable script: run it with Flyway"}
    ]
    assert (data["current_version"], data["head_version"]) == ("1", "2")
    assert [p["version"] for p in data["pending"]] == ["1.9", "1.10", "2"]
    text = sqlmig("status", str(db), "--migrations", str(folder)).stdout
    assert "convention   flyway (decided by its history table in the file)" in text
    assert "skipped      R__users_view.sql" in text


def test_integer_versions_stay_json_integers(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, "dbmate")
    db = at_middle_version(tmp_path, "dbmate", folder)
    data = json.loads(sqlmig("status", str(db), "--migrations", str(folder), "--json").stdout)
    assert data["current_version"] == 20240101120000
    assert data["pending"][0] == {"version": 20240215093000, "name": "add-email"}


def test_a_dirty_golang_migrate_file_exits_3_with_the_sentence(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, "golang-migrate")
    db = at_middle_version(tmp_path, "golang-migrate", folder)
    run(db, "UPDATE schema_migrations SET dirty = true")
    done = sqlmig("upgrade", str(db), "--migrations", str(folder), "--json")
    assert done.returncode == 3
    event = json.loads(done.stdout.splitlines()[-1])
    assert (event["event"], event["ok"]) == ("done", False)
    assert event["problems"][0]["code"] == "dirty"
    assert "stopped half-way" in event["message"]
    status = json.loads(sqlmig("status", str(db), "--migrations", str(folder), "--json").stdout)
    assert status["state"] == "tracked" and status["can_upgrade"] is False
    assert status["refusal"]["code"] == "dirty"
