"""`sqlmig new`: the next migration file, with up and down parts; `--from-diff` writes the
changes made by hand in a file, and their reverse as the down part."""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from builders.data import DataSpec
from builders.states import build_tracked
from helpers.badfiles import run_cli, sha256

import engine


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    made = tmp_path / "migrations"
    made.mkdir()
    (made / "0000_create_people.sql").write_text("CREATE TABLE people (id INTEGER PRIMARY KEY);\n")
    (made / "0003_add_name.sql").write_text("ALTER TABLE people ADD COLUMN name TEXT;\n")
    return made


def test_new_writes_the_next_number_after_a_gap_with_up_and_down_parts(folder: Path) -> None:
    run = run_cli("new", "Add e-mail to people!", "--migrations", folder)
    assert run.code == 0
    written = folder / "0004_add_e_mail_to_people.sql"
    assert f"Wrote {written}" in run.out
    text = written.read_text()
    assert text.startswith("-- Add e-mail to people!\n-- Written by sqlmig new on ")
    assert "\n-- migrate:down\n" in text
    catalog = engine.load_catalog(folder)
    assert [m.version for m in catalog.migrations] == [0, 3, 4]


def test_a_duplicate_slug_is_refused_and_nothing_is_written(folder: Path) -> None:
    before = sorted(p.name for p in folder.iterdir())
    run = run_cli("new", "add name", "--migrations", folder)
    assert run.code == 3
    assert "already has a migration named add_name (0003_add_name)" in run.err
    assert sorted(p.name for p in folder.iterdir()) == before


def test_without_migrations_it_uses_the_folder_here_or_exits_2(
    tmp_path: Path, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(folder.parent)
    assert run_cli("new", "first here").code == 0
    assert (folder / "0004_first_here.sql").is_file()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    run = run_cli("new", "nowhere")
    assert run.code == 2
    assert "There is no ./migrations folder here" in run.err
    assert list(elsewhere.iterdir()) == []


def test_it_never_writes_into_the_bundled_chain() -> None:
    bundled = engine.bundled_migrations()
    before = sorted(p.name for p in bundled.iterdir())
    run = run_cli("new", "sneaky", "--migrations", bundled)
    assert run.code == 3
    assert "sqlmig never writes into it" in run.err
    assert sorted(p.name for p in bundled.iterdir()) == before


def _hand_changes(path: Path) -> None:
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("ALTER TABLE worlds ADD COLUMN color TEXT DEFAULT 'blue'")
        conn.execute("CREATE INDEX idx_worlds_color ON worlds (color)")
        conn.execute("DROP INDEX idx_agents_status")
        conn.commit()


def _run_down_part(path: Path, migration: engine.Migration) -> None:
    """The down part as the runner runs it: foreign keys off around one transaction."""
    assert migration.down is not None
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute("BEGIN IMMEDIATE")
        for statement in migration.down:
            conn.execute(statement.sql)
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        conn.execute("COMMIT")


def test_from_diff_writes_the_hand_changes_and_their_reverse(
    tmp_path: Path, bundled_migrations: Path
) -> None:
    chain = tmp_path / "chain"
    shutil.copytree(bundled_migrations, chain, ignore=shutil.ignore_patterns("*.py", "__*"))
    dev, prod = tmp_path / "dev.db", tmp_path / "prod.db"
    build_tracked(dev)
    build_tracked(prod, data=DataSpec.make({"worlds": 5}), rng=3)
    _hand_changes(dev)
    run = run_cli("new", "add world colour", "--migrations", chain, "--from-diff", dev)
    assert run.code == 0, run.err
    written = chain / "0019_add_world_colour.sql"
    text = written.read_text()
    assert text.startswith("-- foreign-keys: off\n")  # the down part rebuilds worlds
    assert "ADD COLUMN color TEXT DEFAULT 'blue';" in text.split("-- migrate:down")[0]
    catalog = engine.load_catalog(chain)
    assert not catalog.problems
    rows_before = _rows(prod, "agents"), _rows(prod, "world_chats")
    result = engine.upgrade(prod, catalog, backup=False)
    assert result.ok, result.error
    assert run_cli("diff", prod, "--migrations", chain, "--against", dev).code == 0
    _run_down_part(prod, catalog.migrations[-1])
    assert engine.diff(prod, catalog, against="18").ok
    assert (_rows(prod, "agents"), _rows(prod, "world_chats")) == rows_before


def _rows(path: Path, table: str) -> list[tuple[object, ...]]:
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall()


def test_from_diff_of_an_unchanged_file_writes_nothing(tmp_path: Path, bundled_migrations: Path) -> None:
    chain = tmp_path / "chain"
    shutil.copytree(bundled_migrations, chain, ignore=shutil.ignore_patterns("*.py", "__*"))
    dev = tmp_path / "dev.db"
    build_tracked(dev)
    digest = sha256(dev)
    run = run_cli("new", "nothing", "--migrations", chain, "--from-diff", dev)
    assert run.code == 3
    assert "no change to write" in run.err
    assert not list(chain.glob("0019_*"))
    assert sha256(dev) == digest


def test_new_json_is_one_done_event_with_the_path(folder: Path) -> None:
    import json

    run = run_cli("new", "add phone", "--migrations", folder, "--json")
    assert run.code == 0
    (done,) = [json.loads(line) for line in run.out.splitlines()]
    assert done["event"] == "done" and done["ok"] is True
    assert done["path"] == str(folder / "0004_add_phone.sql")


def test_from_diff_against_a_version_measures_the_changes_from_it(
    tmp_path: Path, bundled_migrations: Path
) -> None:
    """A head file compared with v17: the change is 0018's column, written as a new step."""
    chain = tmp_path / "chain"
    shutil.copytree(bundled_migrations, chain, ignore=shutil.ignore_patterns("*.py", "__*"))
    dev = tmp_path / "dev.db"
    build_tracked(dev)
    run = run_cli("new", "again", "--migrations", chain, "--from-diff", dev, "--against", "17")
    assert run.code == 0, run.err
    up, down = (chain / "0019_again.sql").read_text().split("-- migrate:down")
    assert "ADD COLUMN message_metadata" in up and "message_metadata" in down
    assert run_cli("new", "x", "--migrations", chain, "--against", "17").code == 2  # needs a file
