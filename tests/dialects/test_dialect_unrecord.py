"""Taking a rolled-back step out of each tool's history, as that tool's down command does (the
call `sqlmig down` uses): afterwards sqlmig, like the tool, sees the version as pending."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

import engine
from engine.runtime.dialect_history import unrecord
from tests.dialects.folders import empty_db, make_folder

CONVENTIONS = ["dbmate", "flyway", "golang-migrate", "goose", "sqlx"]


@pytest.mark.parametrize("convention", CONVENTIONS)
def test_the_last_step_taken_out_is_pending_again(tmp_path: Path, convention: str) -> None:
    folder = make_folder(tmp_path, convention)
    db = empty_db(tmp_path)
    catalog = engine.load_catalog(folder)
    assert engine.upgrade(db, catalog, backup=False).ok
    last = catalog.migrations[-1]
    conn = sqlite3.connect(db, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        unrecord(conn, catalog, last.version)
        conn.execute("COMMIT")
    finally:
        conn.close()
    found = engine.inspect_file(db, engine.load_catalog(folder))
    assert [p.version for p in found.pending] == [last.version]
    assert found.current_version == catalog.migrations[-2].version
