"""`upgrade(..., expect=...)`: a run refuses when the file is no longer what the face showed, and
its result carries everything a face reports (versions, backup, checks, time) from the run itself.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from datetime import datetime, timedelta
from pathlib import Path

import engine
from engine.cli import main as cli_main

SMALL = {
    "0000_create_notes.sql": "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL);\n",
    "0001_add_title.sql": "ALTER TABLE notes ADD COLUMN title TEXT;\n",
    "0002_add_index.sql": "CREATE INDEX idx_notes_title ON notes(title);\n",
}


def small_catalog(folder: Path) -> engine.Catalog:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in SMALL.items():
        (folder / name).write_text(text, encoding="utf-8")
    return engine.load_catalog(folder)


def tracked_at(folder: Path, catalog: engine.Catalog, version: int, name: str = "app.db") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.touch()
    assert engine.upgrade(path, catalog, target=version, backup=False).ok
    return path


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def backups_in(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.sqlmig-backup*"))


def test_a_file_upgraded_since_the_look_is_refused_and_left_byte_for_byte(tmp_path: Path) -> None:
    catalog = small_catalog(tmp_path / "m")
    path = tracked_at(tmp_path / "db", catalog, 0)
    seen = engine.Expectation.of(engine.inspect_file(path, catalog))
    assert engine.upgrade(path, catalog, target=1, backup=False).ok  # behind the face's back
    before = sha(path)
    events: list[engine.Event] = []
    result = engine.upgrade(path, catalog, expect=seen, on_event=events.append)
    assert not result.ok
    assert result.error is not None and result.error.code == "changed_since_inspection"
    assert result.exit_code == 3
    assert "changed since it was opened" in result.error.message
    assert "it is now tracked at v1" in result.error.message
    assert "Nothing was changed" in result.error.message
    assert "current_version: 0 → 1" in result.error.detail
    assert result.backup is None and result.applied == []
    assert result.from_version == 1  # the file as this run found it, not as it was seen
    assert sha(path) == before and backups_in(path.parent) == []
    (done,) = events  # a refusal is one `done` event
    assert isinstance(done, engine.DoneEvent) and not done.ok
    assert [p["code"] for p in done.problems] == ["changed_since_inspection"]


def test_a_file_replaced_by_a_lookalike_is_another_file(tmp_path: Path) -> None:
    catalog = small_catalog(tmp_path / "m")
    path = tracked_at(tmp_path / "db", catalog, 0)
    seen = engine.Expectation.of(engine.inspect_file(path, catalog))
    twin = tmp_path / "db" / "twin.db"
    shutil.copy2(path, twin)
    os.replace(twin, path)  # same state, same tables: but not the file that was looked at
    before = sha(path)
    result = engine.upgrade(path, catalog, expect=seen)
    assert result.error is not None and result.error.code == "changed_since_inspection"
    assert "was replaced by another file" in result.error.message
    assert sha(path) == before and backups_in(path.parent) == []


def test_a_matching_expectation_runs_and_rows_written_meanwhile_do_not_matter(
    tmp_path: Path,
) -> None:
    import sqlite3

    catalog = small_catalog(tmp_path / "m")
    path = tracked_at(tmp_path / "db", catalog, 0)
    seen = engine.Expectation.of(engine.inspect_file(path, catalog))
    with sqlite3.connect(path) as conn:  # the app adds a note while the window is open
        conn.execute("INSERT INTO notes (body) VALUES ('meanwhile')")
    conn.close()
    result = engine.upgrade(path, catalog, expect=seen)
    assert result.ok, result.error
    assert result.applied == [1, 2] and result.to_version == 2
    assert result.backup is not None and ".v0." in result.backup.name
    assert result.ledger["notes"] == [1, 1]


def test_the_result_carries_what_a_report_shows(tmp_path: Path) -> None:
    catalog = small_catalog(tmp_path / "m")
    path = tracked_at(tmp_path / "db", catalog, 0)
    started = datetime.now().astimezone()
    result = engine.upgrade(path, catalog)
    assert result.ok, result.error
    assert result.inspection is not None and result.inspection.current_version == 0
    assert result.from_label == "v0"
    assert started - timedelta(seconds=1) <= result.started_at <= datetime.now().astimezone()
    assert result.started_at.tzinfo is not None and result.duration >= 0
    before = [c for c in result.checks if c.phase == "before"]
    after = [c for c in result.checks if c.phase == "after"]
    names = [c.name for c in before]
    assert len(names) == len(set(names)), names  # each check before the run appears once
    assert {"readable", "quick_check", "writable", "lock"} <= set(names)
    assert {c.outcome for c in result.checks} <= {"ok", "warning", "failed"}
    assert [c.name for c in after] == ["ledger", "foreign_keys", "schema", "quick_check"]
    assert all(c.outcome == "ok" and c.message for c in after)


def test_from_labels_name_the_start_as_the_run_saw_it(tmp_path: Path) -> None:
    catalog = small_catalog(tmp_path / "m")
    empty = tmp_path / "empty.db"
    empty.touch()
    assert engine.upgrade(empty, catalog, backup=False).from_label == "empty"


def test_a_refused_preflight_lists_its_checks(tmp_path: Path) -> None:
    catalog = small_catalog(tmp_path / "m")
    path = tracked_at(tmp_path / "db", catalog, 0)
    result = engine.upgrade(path, catalog, backup_dir=tmp_path / "no-such-folder")
    assert result.error is not None and result.error.exit_code == 3
    failed = [c for c in result.checks if c.outcome == "failed"]
    assert [c.name for c in failed] == ["folder"] and failed[0].phase == "before"
    assert "does not exist" in failed[0].message


def test_the_cli_never_expects_and_its_contract_is_unchanged(tmp_path: Path, capsys) -> None:
    catalog_dir = tmp_path / "m"
    catalog = small_catalog(catalog_dir)
    path = tracked_at(tmp_path / "db", catalog, 0)
    code = cli_main(["upgrade", str(path), "--migrations", str(catalog_dir), "--json"])
    assert code == 0
    done = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert done["event"] == "done" and done["ok"] and done["to_version"] == 2
