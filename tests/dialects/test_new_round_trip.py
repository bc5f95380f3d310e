"""`sqlmig new` writes in the folder's own convention, and what it writes goes the whole way:
edited by hand, applied by `upgrade`, taken back by `down` (the step out of that tool's history),
applied again; a dbmate folder's new file is run by dbmate itself."""

from __future__ import annotations

import re
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

import engine
from tests.dialects.folders import empty_db, make_folder, write_folder
from tests.dialects.test_dbmate_real import dbmate

UP_PLACEHOLDER = "-- The up part: the SQL of the change, each statement ending with ';'."
DOWN_PLACEHOLDER = "-- The down part: the SQL that undoes the up part."
SQLMIG = {
    "0000_create_users.sql": "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);\n\n"
    "-- migrate:down\nDROP TABLE users;\n",
    "0001_create_posts.sql": "CREATE TABLE posts (id INTEGER PRIMARY KEY, body TEXT);\n\n"
    "-- migrate:down\nDROP TABLE posts;\n",
}
# The file(s) `new` writes in each convention, as a pattern of their names.
NAMES = {
    "sqlmig": [r"0002_add_nickname\.sql"],
    "dbmate": [r"\d{14}_add_nickname\.sql"],
    "goose": [r"00005_add_nickname\.sql"],
    "golang-migrate": [r"000004_add_nickname\.up\.sql", r"000004_add_nickname\.down\.sql"],
    "sqlx": [r"\d{14}_add_nickname\.up\.sql", r"\d{14}_add_nickname\.down\.sql"],
    "flyway": [r"V3__add_nickname\.sql", r"U3__add_nickname\.sql"],
}


def _folder(tmp_path: Path, convention: str) -> Path:
    if convention == "sqlmig":
        return write_folder(tmp_path / "sqlmig", SQLMIG)
    return make_folder(tmp_path, convention)


def _columns(db: Path, table: str) -> list[str]:
    with closing(sqlite3.connect(db)) as conn:
        return [str(row[1]) for row in conn.execute(f"PRAGMA table_info({table})")]


def _users(convention: str) -> tuple[str, str]:
    """The users table as the folder's SQL names it, and as the file has it (Flyway's folder
    names it through a placeholder)."""
    return ("${prefix}users", "app_users") if convention == "flyway" else ("users", "users")


def _fill_in(written: tuple[Path, ...], table: str = "users") -> None:
    """What the developer does next: the SQL in place of the placeholders."""
    for path in written:
        text = path.read_text(encoding="utf-8")
        text = text.replace(UP_PLACEHOLDER, f"ALTER TABLE {table} ADD COLUMN nickname TEXT;")
        text = text.replace(DOWN_PLACEHOLDER, f"ALTER TABLE {table} DROP COLUMN nickname;")
        path.write_text(text, encoding="utf-8")


@pytest.mark.parametrize("convention", sorted(NAMES))
def test_new_then_upgrade_then_down_then_upgrade(tmp_path: Path, convention: str) -> None:
    folder = _folder(tmp_path, convention)
    before = engine.load_catalog(folder)
    written = engine.new_migration("Add nickname", folder)

    assert [p.parent for p in written] == [folder] * len(written)
    for path, pattern in zip(written, NAMES[convention], strict=True):
        assert re.fullmatch(pattern, path.name), path.name
    in_sql, users = _users(convention)
    _fill_in(written, in_sql)
    catalog = engine.load_catalog(folder)
    assert catalog.convention == before.convention == convention
    assert not catalog.problems, [p.message for p in catalog.problems]
    new = catalog.migrations[-1]
    assert len(catalog.migrations) == len(before.migrations) + 1
    assert new.version > before.migrations[-1].version

    db = empty_db(tmp_path)
    assert engine.upgrade(db, catalog, backup=False).ok
    assert "nickname" in _columns(db, users)
    assert engine.inspect_file(db, catalog).current_version == new.version

    rolled = engine.down(db, catalog, target=before.migrations[-1].version, backup=False)
    assert rolled.ok, rolled.error and rolled.error.message
    assert "nickname" not in _columns(db, users)
    found = engine.inspect_file(db, catalog)
    assert [p.version for p in found.pending] == [new.version]

    assert engine.upgrade(db, catalog, backup=False).ok
    assert "nickname" in _columns(db, users)
    assert engine.inspect_file(db, catalog).pending == ()


def test_a_duplicate_name_is_refused_in_any_convention(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, "golang-migrate")
    before = sorted(p.name for p in folder.iterdir())
    with pytest.raises(engine.Refused, match=r"already has a migration named add_email "
                                             r"\(000002_add_email\)"):
        engine.new_migration("add email", folder)
    assert sorted(p.name for p in folder.iterdir()) == before


def test_dbmate_runs_the_file_sqlmig_new_wrote(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, "dbmate")
    written = engine.new_migration("add nickname", folder)
    _fill_in(written)
    db = tmp_path / "app.db"
    ran = dbmate(db, folder, "up")
    assert ran.returncode == 0, ran.stderr
    assert "nickname" in _columns(db, "users")
    found = engine.inspect_file(db, engine.load_catalog(folder))
    assert (found.state, found.pending) == ("tracked", ())
    rolled = dbmate(db, folder, "rollback")
    assert rolled.returncode == 0, rolled.stderr
    assert "nickname" not in _columns(db, "users")
