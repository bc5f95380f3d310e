"""Inspection classifies every kind of file, reads only the schema, and never writes."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

import engine

SMALL = {
    "0000_create_notes.sql": "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL);\n",
    "0001_add_title.sql": "ALTER TABLE notes ADD COLUMN title TEXT;\n",
    "0002_add_index.sql": "CREATE INDEX idx_notes_title ON notes(title);\n",
}


def write_catalog(folder: Path, files: dict[str, str]) -> engine.Catalog:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return engine.load_catalog(folder)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def make_db(path: Path, *sql: str) -> Path:
    conn = sqlite3.connect(path)
    for statement in sql:
        conn.execute(statement)
    conn.commit()
    conn.close()
    return path


def head_db(path: Path, catalog: engine.Catalog | None = None) -> Path:
    path.touch()
    result = engine.upgrade(path, catalog, backup=False)
    assert result.ok, result.error
    return path


def test_zero_byte_file_is_fresh_and_stays_zero_bytes(tmp_path: Path) -> None:
    db = tmp_path / "new.db"
    db.touch()
    found = engine.inspect_file(db)
    assert found.state == "fresh" and found.current_version is None
    assert len(found.pending) == 19 and found.head_version == 18
    assert db.stat().st_size == 0
    assert [p.name for p in tmp_path.iterdir()] == ["new.db"]


def test_only_an_empty_history_table_is_still_fresh(tmp_path: Path) -> None:
    db = make_db(
        tmp_path / "a.db",
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
        "applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP)",
    )
    assert engine.inspect_file(db).state == "fresh"


def test_tables_the_app_never_made_are_foreign(tmp_path: Path) -> None:
    db = make_db(tmp_path / "shop.db", "CREATE TABLE customers (id)", "CREATE TABLE orders (id)")
    found = engine.inspect_file(db)
    assert found.state == "foreign"
    assert [p.code for p in found.problems] == ["foreign"]
    assert "Not an agent-world database" in found.diagnosis


def test_another_tools_schema_migrations_does_not_make_a_file_ours(tmp_path: Path) -> None:
    db = make_db(
        tmp_path / "go.db",
        "CREATE TABLE schema_migrations (version BIGINT, dirty BOOLEAN)",
        "INSERT INTO schema_migrations VALUES (3, 0)",
        "CREATE TABLE users (id)",
    )
    assert engine.inspect_file(db).state == "foreign"


def test_without_a_profile_tables_without_history_are_foreign(tmp_path: Path) -> None:
    catalog = write_catalog(tmp_path / "m", SMALL)
    db = make_db(tmp_path / "a.db", "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    assert catalog.profile is None
    assert engine.inspect_file(db, catalog).state == "foreign"


def test_head_file_is_tracked_and_up_to_date_with_ok_checksums(tmp_path: Path) -> None:
    found = engine.inspect_file(head_db(tmp_path / "h.db"))
    assert found.state == "tracked" and found.current_version == 18 and not found.pending
    assert found.diagnosis == "Up to date (v18)."
    assert len(found.applied) == 19 and {a.status for a in found.applied} == {"ok"}


def test_users_own_tables_beside_the_apps_are_extras(tmp_path: Path) -> None:
    db = head_db(tmp_path / "h.db")
    make_db(db, "CREATE TABLE my_notes (x)")
    found = engine.inspect_file(db)
    assert found.state == "tracked" and found.extras == ("my_notes",)


def test_checksum_statuses_ok_changed_unverified_missing_file(tmp_path: Path) -> None:
    catalog = write_catalog(tmp_path / "m", SMALL)
    db = head_db(tmp_path / "a.db", catalog)
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE schema_migrations SET checksum = NULL WHERE version = 1")
    (tmp_path / "m" / "0002_add_index.sql").write_text(
        "CREATE INDEX idx_notes_title ON notes(title, body);\n", encoding="utf-8"
    )
    changed = engine.load_catalog(tmp_path / "m")
    statuses = {a.version: a.status for a in engine.inspect_file(db, changed).applied}
    assert statuses == {0: "ok", 1: "unverified", 2: "changed"}
    (tmp_path / "m" / "0001_add_title.sql").unlink()
    statuses = {a.version: a.status for a in engine.inspect_file(db, engine.load_catalog(tmp_path / "m")).applied}
    assert statuses[1] == "missing_file"


def test_a_history_row_with_another_name_is_renamed_and_diverged(tmp_path: Path) -> None:
    db = head_db(tmp_path / "pr.db")
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE schema_migrations SET name = 'create_chat_messages' WHERE version = 13")
    found = engine.inspect_file(db)
    assert found.state == "legacy"
    assert {a.version: a.status for a in found.applied}[13] == "renamed"
    assert "diverged" in [p.code for p in found.problems]
    result = engine.upgrade(db, backup=False)
    assert result.error is not None and result.error.code == "diverged"
    assert result.error.exit_code == 3


@pytest.mark.parametrize("how", ["history_row", "user_version"])
def test_a_file_newer_than_the_catalog_is_ahead_and_refused(tmp_path: Path, how: str) -> None:
    db = head_db(tmp_path / "new.db")
    with sqlite3.connect(db) as conn:
        if how == "history_row":
            conn.execute("INSERT INTO schema_migrations(version, name) VALUES (25, 'future')")
        else:
            conn.execute("PRAGMA user_version = 2147483647")
    before = sha(db)
    found = engine.inspect_file(db)
    assert found.state == "ahead" and "Newer than this tool" in found.diagnosis
    result = engine.upgrade(db, backup=False)
    assert result.error is not None and result.error.code == "ahead" and result.error.exit_code == 3
    assert sha(db) == before


def test_not_a_database_is_damaged_with_a_sentence(tmp_path: Path) -> None:
    db = tmp_path / "notes.db"
    db.write_text("these are my notes, not a database\n" * 10)
    found = engine.inspect_file(db)
    assert found.state == "damaged"
    assert found.problems[0].code == "not_sqlite"
    assert found.diagnosis.startswith("Damaged: ")


def test_missing_path_and_folder_are_refused_and_nothing_is_created(tmp_path: Path) -> None:
    with pytest.raises(engine.Refused) as missing:
        engine.inspect_file(tmp_path / "nope.db")
    assert missing.value.code == "missing" and not (tmp_path / "nope.db").exists()
    with pytest.raises(engine.Refused) as folder:
        engine.inspect_file(tmp_path)
    assert folder.value.code == "is_directory"


def test_inspection_reads_only_the_schema_not_the_data(tmp_path: Path) -> None:
    """A damaged data page does not change what status says: it never reads the rows."""
    db = tmp_path / "big.db"
    db.touch()
    assert engine.upgrade(db, target=17, backup=False).ok
    with sqlite3.connect(db) as conn:
        conn.execute("INSERT INTO worlds(id, name) VALUES ('w', 'W')")
        conn.execute(
            "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 3000) "
            "INSERT INTO events(id, world_id, type, payload) "
            "SELECT 'e' || i, 'w', 't', printf('%.500c', 'x') FROM c"
        )
    size = db.stat().st_size
    raw = bytearray(db.read_bytes())
    page = 4096
    middle = (size // page // 2) * page
    raw[middle : middle + page] = b"\xff" * page
    db.write_bytes(bytes(raw))
    found = engine.inspect_file(db)
    assert found.state == "tracked" and found.current_version == 17
    assert not engine.verify(db).ok
    result = engine.upgrade(db, backup=False)
    # The preflight's quick_check is what finds page damage.
    assert result.error is not None and result.error.code == "corrupt"
    assert result.error.exit_code == 3


def test_inspecting_a_wal_file_creates_no_side_files(fixture_copy) -> None:
    db = fixture_copy("legacy-v7-a8962e7f-fresh.db")
    folder_before = sorted(p.name for p in db.parent.iterdir())
    before = sha(db)
    found = engine.inspect_file(db)
    assert found.journal_mode == "wal"
    assert sorted(p.name for p in db.parent.iterdir()) == folder_before
    assert sha(db) == before


def test_legacy_files_report_their_claim_and_shape_and_upgrade_through_the_bridge(
    fixture_copy,
) -> None:
    db = fixture_copy("legacy-v5-2aafd789-fresh.db")
    found = engine.inspect_file(db)
    assert found.state == "legacy" and found.current_version is None
    assert found.user_version == 5
    assert found.legacy is not None and found.legacy.claimed_version == 5
    assert found.legacy.era is not None and "v0.6" in found.legacy.era
    result = engine.upgrade(db)
    assert result.ok, result.error
    assert result.backup is not None and result.backup.exists()
    after = engine.inspect_file(db)
    assert after.state == "tracked" and after.current_version == 18


def test_runner_that_failed_before_core_tables_is_legacy(fixture_copy) -> None:
    found = engine.inspect_file(fixture_copy("tracked-c9ef441b-fresh.db"))
    assert found.state == "legacy"


def test_every_real_fixture_gets_a_state_and_a_diagnosis(real_fixtures: Path, tmp_path: Path) -> None:
    import shutil

    for source in sorted(real_fixtures.glob("*.db")):
        copy = tmp_path / source.name
        shutil.copyfile(source, copy)
        found = engine.inspect_file(copy)
        assert found.state in ("tracked", "legacy"), source.name
        assert found.diagnosis.endswith("."), found.diagnosis
