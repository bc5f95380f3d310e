"""The developer commands on other tools' folders: `accept` keeps the new checksum where the
tool keeps one (sqlx's SHA-384, Flyway's CRC32; else in sqlmig_log), `baseline` writes the tool's
own history rows, `history` reads the tool's table, and the tool itself agrees (dbmate)."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

import engine
from tests.dialects.folders import empty_db, make_folder, rows
from tests.dialects.test_dbmate_real import dbmate

# A file of each folder whose edit changes only a comment (the schema stays the same).
EDITED = {
    "dbmate": "20240215093000_add-email.sql",
    "golang-migrate": "000002_add_email.up.sql",
    "goose": "00001_create_users.sql",
    "sqlx": "20240102000000_add_email.up.sql",
    "flyway": "V1.9__add_email.sql",
}


def _upgraded(tmp_path: Path, convention: str) -> tuple[Path, Path]:
    folder = make_folder(tmp_path, convention)
    db = empty_db(tmp_path)
    assert engine.upgrade(db, engine.load_catalog(folder), backup=False).ok
    return folder, db


@pytest.mark.parametrize("convention", sorted(EDITED))
def test_an_edited_file_drifts_and_accept_makes_verify_clean(tmp_path: Path,
                                                            convention: str) -> None:
    folder, db = _upgraded(tmp_path, convention)
    edited = folder / EDITED[convention]
    first, _, rest = edited.read_text(encoding="utf-8").partition("\n")
    if first.startswith("-- migrate:up") or first.startswith("-- +goose Up"):  # into the up part
        edited.write_text(f"{first}\n-- reworded later\n{rest}", encoding="utf-8")
    else:
        edited.write_text(f"-- reworded later\n{first}\n{rest}", encoding="utf-8")
    catalog = engine.load_catalog(folder)
    migration = next(m for m in catalog.migrations if m.filename.startswith(
        EDITED[convention].removesuffix(".up.sql").removesuffix(".sql")))
    assert not engine.verify(db, catalog).ok

    accepted = engine.accept(db, migration.version, reason="a comment", catalog=catalog)

    assert accepted.new_checksum == migration.checksum
    assert engine.verify(db, engine.load_catalog(folder)).ok
    log = engine.history(db, engine.load_catalog(folder)).log
    assert [e.kind for e in log][-1] == "accepted"


def test_accept_on_sqlx_writes_the_new_sha384_into_sqlx_table(tmp_path: Path) -> None:
    folder, db = _upgraded(tmp_path, "sqlx")
    edited = folder / EDITED["sqlx"]
    edited.write_text(edited.read_text(encoding="utf-8") + "-- reworded\n", encoding="utf-8")
    catalog = engine.load_catalog(folder)
    migration = catalog.get(20240102000000)
    assert migration is not None and migration.tool_checksum
    engine.accept(db, migration.version, reason="a comment", catalog=catalog)
    [(stored,)] = rows(db, "SELECT checksum FROM _sqlx_migrations WHERE version = 20240102000000")
    assert stored.hex() == migration.tool_checksum.partition(":")[2]


def test_baseline_of_a_dbmate_file_writes_dbmates_rows_and_dbmate_agrees(tmp_path: Path) -> None:
    folder, db = _upgraded(tmp_path, "dbmate")
    with closing(sqlite3.connect(db)) as conn:  # the same schema, its history lost
        conn.execute("DROP TABLE schema_migrations")
        conn.execute("DROP TABLE sqlmig_log")
        conn.commit()
    catalog = engine.load_catalog(folder)
    head = catalog.migrations[-1].version

    done = engine.baseline(db, head, catalog=catalog, backup=False)

    assert list(done.adopted) == [m.version for m in catalog.migrations]
    assert rows(db, "SELECT version FROM schema_migrations ORDER BY version") == [
        (m.version_label,) for m in catalog.migrations]
    found = engine.inspect_file(db, engine.load_catalog(folder))
    assert (found.state, found.pending, found.current_version) == ("tracked", (), head)
    status = dbmate(db, folder, "status")
    assert status.returncode == 0, status.stderr
    assert "Pending: 0" in status.stdout, status.stdout


@pytest.mark.parametrize("convention", sorted(EDITED))
def test_history_reads_the_tools_table(tmp_path: Path, convention: str) -> None:
    folder, db = _upgraded(tmp_path, convention)
    catalog = engine.load_catalog(folder)
    report = engine.history(db, catalog)
    assert [a.version for a in report.applied] == [m.version for m in catalog.migrations]
    assert {e.kind for e in report.log} == {"applied"}
