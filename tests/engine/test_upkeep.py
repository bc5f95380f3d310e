"""A file's upkeep: its backups listed and deleted (only its own), free space, compact (engine and
CLI), and the one run report (text and JSON; the JSON carries the CLI's final `done` event)."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from helpers.badfiles import run_cli

import engine
from sqlmig_migrations.demo import build_demo_database


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _rows(path: Path) -> dict[str, int]:
    with closing(sqlite3.connect(path)) as conn:
        names = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
        return {n: conn.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}


def _with_free_pages(folder: Path) -> Path:
    """A file with most of its pages free, as a table rebuild leaves it."""
    path = folder / "spacious.db"
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("CREATE TABLE kept (id INTEGER PRIMARY KEY, body TEXT)")
        conn.execute("CREATE TABLE old (body TEXT)")
        conn.executemany("INSERT INTO kept (body) VALUES (?)", [("k" * 50,)] * 100)
        conn.executemany("INSERT INTO old VALUES (?)", [("x" * 900,)] * 2000)
        conn.commit()
        conn.execute("DROP TABLE old")
        conn.commit()
    return path


def test_backups_are_listed_with_version_date_size_and_origin(tmp_path: Path) -> None:
    path = build_demo_database(tmp_path / "data")
    folder = tmp_path / "backups"
    folder.mkdir()
    near = engine.backup(path)
    away = engine.backup(path, folder=folder)
    (path.parent / "unrelated.20250101-000000.v3.sqlmig-backup.db").write_bytes(b"x")
    found = engine.list_backups(path, folder)
    assert {b.path for b in found} == {near.path, away.path}
    for info in found:
        assert info.version == 5 and info.size == info.path.stat().st_size
        assert info.origin == str(path.resolve()) and info.created_at is not None
        name, version, date, size, origin = engine.backup_row(info)
        assert name == info.path.name and origin == info.origin
        assert version == "v5" and date[:4].isdigit() and size.endswith("KB")
    assert "2 backup(s)" in engine.backups_line(found)


def test_a_same_named_backup_of_another_file_is_not_listed(tmp_path: Path) -> None:
    mine = build_demo_database(tmp_path / "mine")
    theirs = build_demo_database(tmp_path / "theirs")
    assert mine.name == theirs.name
    made = engine.backup(theirs, folder=mine.parent)  # the other file's backup, beside mine
    assert engine.list_backups(mine) == []
    with pytest.raises(engine.Refused) as refused:
        engine.delete_backups(mine, [made.path])
    assert refused.value.code == "not_a_backup" and made.path.exists()


def test_deleting_backups_takes_only_the_chosen_backups_of_the_file(tmp_path: Path) -> None:
    path = build_demo_database(tmp_path)
    first, second = engine.backup(path), engine.backup(path)
    stranger = tmp_path / "notes.txt"
    stranger.write_text("keep me")
    with pytest.raises(engine.Refused) as refused:
        engine.delete_backups(path, [first.path, stranger])
    assert refused.value.code == "not_a_backup"
    assert first.path.exists() and stranger.read_text() == "keep me"  # nothing was deleted
    done = engine.delete_backups(path, [first.path])
    assert done.paths == (first.path,) and done.freed > 0
    assert not first.path.exists() and not first.sidecar.exists()
    assert second.path.exists() and [b.path for b in engine.list_backups(path)] == [second.path]
    assert "Deleted 1 backup(s)" in engine.deleted_line(done)


def test_compact_gives_free_pages_back_and_keeps_a_backup(tmp_path: Path) -> None:
    path = _with_free_pages(tmp_path)
    before_bytes, before_digest, rows = path.stat().st_size, _digest(path), _rows(path)
    space = engine.free_space(path)
    assert space.free_bytes > space.file_bytes // 2 and engine.worth_compacting(space)
    assert "free pages" in engine.space_line(space)
    done = engine.compact(path)
    assert done.bytes_before == before_bytes and done.bytes_after == path.stat().st_size
    assert done.bytes_after < before_bytes // 4 and done.free_before == space.free_bytes
    assert _rows(path) == rows and engine.free_space(path).free_bytes == 0
    assert _digest(done.backup) == before_digest  # the file as it was, byte for byte
    assert not list(tmp_path.glob("*.sqlmig-compact.partial*"))
    assert "given back to the disk" in engine.compact_lines(done)[0]


def test_compact_refuses_while_another_program_holds_the_write_lock(tmp_path: Path) -> None:
    path = _with_free_pages(tmp_path)
    digest = _digest(path)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(engine.Refused) as refused:
            engine.compact(path, wait=0.2)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert refused.value.code == "locked" and "compacted" in refused.value.message
    assert _digest(path) == digest and engine.list_backups(path) == []


def test_cli_compact_reports_bytes_before_and_after(tmp_path: Path) -> None:
    path = _with_free_pages(tmp_path)
    before = path.stat().st_size
    run = run_cli("compact", path, "--json")
    assert run.code == 0, run.err
    (done,) = [json.loads(line) for line in run.out.splitlines()]
    assert done["event"] == "done" and done["ok"] is True
    assert done["bytes_before"] == before and done["bytes_after"] == path.stat().st_size
    assert done["bytes_after"] < before and Path(done["backup"]).exists()
    again = run_cli("compact", path)  # no free pages left: nothing is done
    assert again.code == 0 and again.out.startswith("Nothing to compact:")
    bad = tmp_path / "notes.db"
    bad.write_text("not a database")
    refused = run_cli("compact", bad, "--json")
    assert refused.code == 3 and bad.read_text() == "not a database"


def test_the_report_json_carries_the_clis_done_event_and_context(tmp_path: Path) -> None:
    original = build_demo_database(tmp_path / "a")
    cli_copy = tmp_path / "b" / original.name
    cli_copy.parent.mkdir()
    shutil.copy2(original, cli_copy)
    events: list[engine.Event] = []
    result = engine.upgrade(original, on_event=events.append)
    run = run_cli("upgrade", cli_copy, "--json")
    cli_done = json.loads(run.out.splitlines()[-1])
    data = json.loads(json.dumps(engine.run_report_json(
        result, versions={"Qt": "6.x"}, log=["Opened it", "Upgraded it"])))
    engine_done = events[-1].to_json()
    engine_done.pop("t")
    assert data["done"] == engine_done  # the very event the run sent
    # ... and the CLI's, apart from the time and the backup's own path.
    cli_done.pop("t")
    assert Path(cli_done.pop("backup")).parent == cli_copy.parent
    assert {k: v for k, v in data["done"].items() if k != "backup"} == cli_done
    assert data["versions"]["Qt"] == "6.x" and data["versions"]["sqlite"] == sqlite3.sqlite_version
    assert data["log"] == ["Opened it", "Upgraded it"]
    assert data["file_before"]["state"] == "legacy" and data["file_after"]["size"] > 0
    assert [t["step"] for t in data["timings"]] == [s["step"] for s in data["steps"]]
    text = engine.run_report(result, versions={"Qt": "6.x"}, log=["Opened it"])
    assert f"Date: {result.started_at:%Y-%m-%d %H:%M:%S}" in text
    assert "Qt 6.x" in text and "Log:\n  Opened it" in text and "Timings:" in text
    before = text.split("Before the run:")[1].split("After the migrations:")[0]
    assert before.count("] quick_check:") == 1


def test_a_batch_report_holds_every_file(tmp_path: Path) -> None:
    first = engine.upgrade(build_demo_database(tmp_path / "1"))
    second = engine.upgrade(tmp_path / "missing.db")
    data = json.loads(json.dumps(engine.batch_report_json([first, second])))
    assert [f["file"] for f in data["files"]] == [str(first.path), str(second.path)]
    assert data["summary"] == "2 file(s): 1 upgraded, 1 failed"
    text = engine.batch_report([first, second])
    assert text.startswith("sqlmig batch report") and text.count("sqlmig upgrade report") == 2


def test_compact_without_free_pages_changes_nothing(tmp_path: Path) -> None:
    path = _with_free_pages(tmp_path)
    engine.compact(path)  # now it has none
    digest = _digest(path)
    done = engine.compact(path)
    assert done.backup is None and done.bytes_after == done.bytes_before
    assert _digest(path) == digest and len(engine.list_backups(path)) == 1
    assert engine.compact_lines(done)[0].startswith("Nothing to compact")


def test_backups_made_in_the_same_second_are_listed_newest_first(tmp_path: Path) -> None:
    path = build_demo_database(tmp_path)
    made = [engine.backup(path).path for _ in range(3)]
    listed = [b.path for b in engine.list_backups(path)]
    assert listed == made[::-1]
