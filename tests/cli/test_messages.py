"""Messages that must be true, specific and short (hardening item 16)."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from helpers import badfiles
from helpers.badfiles import run_cli, sha256

import engine

NOTES = {
    "0000_create_notes.sql": "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL);\n",
    "0001_create_tags.sql": "CREATE TABLE tags (id INTEGER PRIMARY KEY, name TEXT);\n",
    "0002_index_tags.sql": "CREATE INDEX idx_tags_name ON tags (name);\n",
}


def folder_of(path: Path, files: dict[str, str]) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (path / name).write_text(text, encoding="utf-8")
    return path


def make_db(path: Path, *sql: str) -> Path:
    with closing(sqlite3.connect(path)) as conn:
        for statement in sql:
            conn.execute(statement)
        conn.commit()
    return path


# -- foreign files without a profile, and an empty migrations folder -----------------------------


def test_a_file_of_no_known_app_is_described_in_grammatical_words(tmp_path: Path) -> None:
    migrations = folder_of(tmp_path / "m", NOTES)
    db = make_db(tmp_path / "shop.db", "CREATE TABLE customers (id)", "CREATE TABLE orders (id)")
    run = run_cli("status", db, "--migrations", migrations)
    assert run.code == 0
    assert "an this" not in run.out and "this migrations folder" not in run.out
    assert "Not a database of these migrations" in run.out
    assert "None of its tables (customers, orders)" in run.out


def test_a_table_these_migrations_create_is_never_called_foreign(tmp_path: Path) -> None:
    migrations = folder_of(tmp_path / "m", NOTES)
    db = make_db(tmp_path / "a.db", "CREATE TABLE tags (id INTEGER PRIMARY KEY, name TEXT)",
                 "CREATE TABLE other (x)")
    data = run_cli("status", db, "--migrations", migrations, "--json").json()
    assert data["state"] == "foreign"  # SPEC §7.3: no profile, no history
    message = next(p["message"] for p in data["problems"] if p["code"] == "foreign")
    assert "None of its tables" not in message
    assert "tags" in message and "other" not in message


def test_an_empty_migrations_folder_is_not_a_foreign_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    db = make_db(tmp_path / "a.db", "CREATE TABLE notes (id)")
    data = run_cli("status", db, "--migrations", empty, "--json").json()
    codes = [p["code"] for p in data["problems"]]
    assert "foreign" not in codes and "no_migrations" in codes
    assert "has no migrations" in data["diagnosis"]
    zero = tmp_path / "zero.db"
    zero.touch()
    for path in (db, zero):
        before = sha256(path)
        up = run_cli("upgrade", path, "--migrations", empty, "--json")
        assert up.code == 3, up.text
        problem = up.done["problems"][0]
        assert problem["code"] == "bad_catalog" and problem["kind"] == "no_migrations"
        assert "vNone" not in up.text
        assert sha256(path) == before
    text = run_cli("upgrade", zero, "--migrations", empty)
    assert "vNone" not in text.text and text.code == 3


# -- backup folders and files ----------------------------------------------------------------------


def test_backup_dir_naming_a_file_says_so(tmp_path: Path) -> None:
    db = badfiles.at_version(tmp_path, 9, "database.db")
    afile = tmp_path / "afile"
    afile.write_text("x")
    before = sha256(db)
    run = run_cli("upgrade", db, "--backup-dir", afile, "--json")
    assert run.code == 3
    message = run.done["problems"][0]["message"]
    assert "is a file, not a folder" in message and "does not exist" not in message
    assert sha256(db) == before


def test_an_empty_backup_dir_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "data").mkdir()
    db = badfiles.at_version(tmp_path / "data", 9, "database.db")
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)
    before = sha256(db)
    run = run_cli("upgrade", db, "--backup-dir", "", "--json")
    assert run.code == 2, run.text
    assert run.done["problems"][0]["code"] == "usage"
    assert list(work.iterdir()) == []
    assert sha256(db) == before


def test_a_missing_backup_dir_is_created_when_its_parent_exists(tmp_path: Path) -> None:
    db = badfiles.at_version(tmp_path, 9, "database.db")
    target = tmp_path / "backups"
    run = run_cli("upgrade", db, "--backup-dir", target, "--json")
    assert run.code == 0, run.text
    assert target.is_dir() and Path(run.done["backup"]).parent == target
    deeper = tmp_path / "no" / "such"
    db2 = badfiles.at_version(tmp_path, 9, "second.db")
    before = sha256(db2)
    run = run_cli("upgrade", db2, "--backup-dir", deeper, "--json")
    assert run.code == 3
    assert "neither does" in run.done["problems"][0]["message"]
    assert not (tmp_path / "no").exists() and sha256(db2) == before


def test_a_dry_run_creates_no_backup_dir(tmp_path: Path) -> None:
    db = badfiles.at_version(tmp_path, 9, "database.db")
    run = run_cli("upgrade", db, "--backup-dir", tmp_path / "later", "--dry-run", "--json")
    assert run.code == 0, run.text
    assert not (tmp_path / "later").exists()


def test_backup_to_a_missing_folder_blames_the_folder(tmp_path: Path) -> None:
    db = badfiles.at_version(tmp_path, 9, "database.db")
    run = run_cli("backup", db, "--to", tmp_path / "missing" / "x.db")
    assert run.code == 3
    assert "The folder" in run.err and "missing does not exist" in run.err
    assert "x.db does not exist" not in run.err


# -- JSON usage errors and catalog problems ------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["upgrade", "DB", "--to", "abc", "--json"],
        ["upgrade", "DB", "--mode", "sideways", "--json"],
        ["verify", "DB", "--bogus", "--json"],
        ["backup", "--json"],
    ],
)
def test_usage_errors_under_json_are_one_done_event(tmp_path: Path, argv: list[str]) -> None:
    db = badfiles.at_version(tmp_path, 9, "database.db")
    run = run_cli(*[str(db) if a == "DB" else a for a in argv])
    assert run.code == 2
    lines = [line for line in run.out.splitlines() if line.strip()]
    assert len(lines) == 1, run.out
    done = json.loads(lines[0])
    assert done["event"] == "done" and done["ok"] is False
    assert [p["code"] for p in done["problems"]] == ["usage"]
    assert done["problems"][0]["message"].endswith(".")
    assert "usage:" not in run.out


def test_status_usage_error_under_json_is_one_status_object(tmp_path: Path) -> None:
    run = run_cli("status", "--bogus", "--json")
    assert run.code == 2
    data = run.json()
    assert data["state"] is None and data["problems"][0]["code"] == "usage"


def test_usage_errors_without_json_stay_argparse_text(tmp_path: Path) -> None:
    run = run_cli("upgrade", tmp_path / "x.db", "--to", "abc")
    assert run.code == 2 and run.out == ""
    assert "usage: sqlmig upgrade" in run.err and "invalid int value" in run.err


BROKEN = {
    "0000_start.sql": "CREATE TABLE a (id INTEGER);\n",
    "0001_nothing.sql": "-- nothing yet\n",
    "2_bad_name.sql": "CREATE TABLE b (id INTEGER);\n",
    "0003_half.sql": "CREATE TABLE c (id INTEGER\n",
}


def test_every_catalog_problem_keeps_its_kind_and_upgrade_lists_them_all(tmp_path: Path) -> None:
    migrations = folder_of(tmp_path / "m", BROKEN)
    catalog = engine.load_catalog(migrations)
    assert len(catalog.problems) >= 3
    db = tmp_path / "new.db"
    db.touch()
    status = run_cli("status", db, "--migrations", migrations, "--json").json()
    catalog_problems = [p for p in status["problems"] if p["code"] == "bad_catalog"]
    assert len(catalog_problems) == len(catalog.problems)
    assert {p["kind"] for p in catalog_problems} >= {"empty", "bad_name"}
    up = run_cli("upgrade", db, "--migrations", migrations, "--json")
    assert up.code == 3
    problems = up.done["problems"]
    assert len(problems) == len(catalog.problems)
    assert all(p["code"] == "bad_catalog" and p.get("kind") for p in problems)
    assert {p["file"] for p in problems} == {p.file for p in catalog.problems}


def test_text_status_never_shows_file_none(tmp_path: Path) -> None:
    migrations = folder_of(tmp_path / "m", BROKEN)
    db = tmp_path / "new.db"
    db.touch()
    run = run_cli("status", db, "--migrations", migrations)
    assert ":None]" not in run.out
    assert "[2_bad_name.sql]" in run.out


# -- summaries --------------------------------------------------------------------------------------


def test_a_repair_only_run_says_what_it_repaired(tmp_path: Path) -> None:
    migrations = folder_of(tmp_path / "m", NOTES)
    db = tmp_path / "notes.db"
    db.touch()
    assert run_cli("upgrade", db, "--migrations", migrations, "--no-backup").code == 0
    with closing(sqlite3.connect(db)) as conn:
        conn.execute("DROP INDEX idx_tags_name")
        conn.commit()
    run = run_cli("upgrade", db, "--migrations", migrations, "--no-backup", "--json")
    assert run.code == 0, run.text
    message = run.done["message"]
    assert "Nothing to do" not in message
    assert message.startswith("Repaired") and "0002_index_tags" in message
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'idx_tags_name'").fetchone()


@pytest.mark.slow
def test_thousands_of_extra_tables_are_summarised(tmp_path: Path) -> None:
    db = badfiles.head_db(tmp_path, "database.db")
    with closing(sqlite3.connect(db)) as conn:
        conn.execute("BEGIN")
        for i in range(5000):
            conn.execute(f"CREATE TABLE extra_{i:05d} (x)")
        conn.commit()
    run = run_cli("status", db)
    assert run.code == 0
    longest = max(len(line) for line in run.out.splitlines())
    assert longest < 300, longest
    assert "and 4,995 more" in run.out
    data = run_cli("status", db, "--json").json()
    assert len(data["extras"]) == 5000  # the machine-readable list stays complete
    verify = run_cli("verify", db)
    assert verify.code == 0, verify.text[-2000:]
    assert max(len(line) for line in verify.out.splitlines()) < 300
    assert "and 4,995 more" in verify.out



def test_a_legacy_plan_does_not_call_the_file_empty(tmp_path: Path) -> None:
    db = badfiles.legacy_like(tmp_path)
    run = run_cli("upgrade", db, "--dry-run")
    assert run.out.splitlines()[0].startswith("Plan: a legacy file → v18"), run.out[:200]
