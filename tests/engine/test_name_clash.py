"""A user's table that carries a name sqlmig writes (SPEC §7.12: `sqlmig_log`, `<table>_legacy`,
`<table>_unplaced`) is foreseen by `status` and refused by `upgrade` before anything is written
(issue 8, item 15)."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest
from builders.legacy import build_legacy
from builders.states import build_memory_backup_leftover
from helpers.badfiles import run_cli

import engine

CATALOG = engine.load_catalog()


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def execute(path: Path, *statements: str) -> None:
    with closing(sqlite3.connect(path)) as conn:
        for sql in statements:
            conn.execute(sql)
        conn.commit()


def legacy(path: Path) -> None:
    build_legacy(path, era="F8", rng=1)


def legacy_with_orphaned_archive(path: Path) -> None:
    build_legacy(path, era="F8", rng=1, data={"orphan_archived": 3})


def legacy_f11(path: Path) -> None:
    build_legacy(path, era="F11", rng=1)


def fallback_events(path: Path) -> None:
    build_legacy(path, era="F11", rng=1, fallback=("events",))


def memory_backup(path: Path) -> None:
    build_memory_backup_leftover(path, rng=1)


CASES = [
    # (builder, the user's table, what the upgrade would have done with that name)
    (legacy, "CREATE TABLE sqlmig_log (msg TEXT)", "sqlmig_log"),
    (legacy, "CREATE TABLE archive_statistics_legacy (note TEXT)", "archive_statistics_legacy"),
    (legacy, "CREATE TABLE Archived_Messages_Legacy (note TEXT)", "Archived_Messages_Legacy"),
    (
        legacy_with_orphaned_archive,
        "CREATE TABLE archived_messages_unplaced (note TEXT, id INTEGER)",
        "archived_messages_unplaced",
    ),
    (memory_backup, "CREATE TABLE agent_memory_unplaced (note TEXT)", "agent_memory_unplaced"),
    # the same family: a view of that name, and the temporary names of a table rebuild
    (
        legacy,
        "CREATE VIEW archive_statistics_legacy AS SELECT 1 AS note",
        "archive_statistics_legacy",
    ),
    (legacy_f11, "CREATE TABLE agent_memory_sqlmig_0012 (note TEXT)", "agent_memory_sqlmig_0012"),
    (fallback_events, "CREATE TABLE events_sqlmig_rebuild (note TEXT)", "events_sqlmig_rebuild"),
]


@pytest.mark.parametrize(("build", "create", "name"), CASES)
def test_status_foresees_the_clash_and_upgrade_refuses_before_writing(
    tmp_path: Path, build: Callable[[Path], None], create: str, name: str
) -> None:
    db = tmp_path / "database.db"
    build(db)
    execute(db, create)
    if "TABLE" in create:
        column = "note" if "note" in create else "msg"
        execute(db, f"INSERT INTO {name} ({column}) VALUES ('mine')")
    digest = sha(db)
    files = sorted(p.name for p in tmp_path.iterdir())

    status = run_cli("status", db, "--json")
    assert status.code == 0
    clashes = [p for p in json.loads(status.out)["problems"] if p["code"] == "name_clash"]
    assert len(clashes) == 1, status.out
    assert name in clashes[0]["message"]
    assert f"Rename your {'view' if 'VIEW' in create else 'table'} {name}" in clashes[0]["hint"]

    for argv in (["--dry-run"], []):
        run = run_cli("upgrade", db, "--json", *argv)
        assert run.code == 3, run.out
        done = json.loads(run.out.splitlines()[-1])
        assert (done["event"], done["ok"]) == ("done", False)
        assert done["problems"][0]["code"] == "name_clash"
        assert name in done["problems"][0]["message"]
        assert "nothing was changed" in done["problems"][0]["message"]
    assert sha(db) == digest
    assert sorted(p.name for p in tmp_path.iterdir()) == files  # not even a backup


def test_a_user_sqlmig_log_is_the_users_table_not_bookkeeping(tmp_path: Path) -> None:
    db = tmp_path / "database.db"
    legacy(db)
    execute(db, "CREATE TABLE sqlmig_log (msg TEXT)")
    assert "sqlmig_log" in engine.inspect_file(db, CATALOG).extras


def test_the_tools_own_tables_are_no_clash(tmp_path: Path) -> None:
    """A file the bridge upgraded has sqlmig_log and archive_statistics_legacy of its own; a later
    repair plan (it lost an index) includes the step that renames to that name again."""
    db = tmp_path / "database.db"
    legacy(db)
    assert engine.upgrade(db, CATALOG, backup=False).ok
    execute(db, "DROP INDEX idx_agent_memory_reply_to")
    inspection = engine.inspect_file(db, CATALOG)
    assert inspection.needs_repair, inspection.diagnosis
    assert {"sqlmig_log", "archive_statistics_legacy"} <= set(inspection.tables)
    assert "name_clash" not in {p.code for p in inspection.problems}
    result = engine.upgrade(db, CATALOG, backup=False)
    assert result.ok, result.error


def test_a_reserved_name_the_plan_does_not_write_is_kept_as_an_extra(tmp_path: Path) -> None:
    db = tmp_path / "database.db"
    legacy(db)
    execute(db, "CREATE TABLE notes_legacy (x)", "CREATE TABLE notes_unplaced (x)")
    inspection = engine.inspect_file(db, CATALOG)
    assert "name_clash" not in {p.code for p in inspection.problems}
    assert {"notes_legacy", "notes_unplaced"} <= set(inspection.extras)
    assert engine.upgrade(db, CATALOG, backup=False).ok


def test_no_clash_when_the_plan_writes_nothing_there(tmp_path: Path) -> None:
    """Up to date, so nothing is planned: a table named like the legacy copy is only an extra."""
    db = tmp_path / "database.db"
    db.touch()
    assert engine.upgrade(db, CATALOG, backup=False).ok
    execute(db, "CREATE TABLE archive_statistics_legacy (note TEXT)")
    inspection = engine.inspect_file(db, CATALOG)
    assert inspection.up_to_date
    assert "name_clash" not in {p.code for p in inspection.problems}
