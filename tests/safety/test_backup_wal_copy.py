"""A WAL file with frames in its -wal is backed up as files (main file, then -wal) under SQLite's
read lock, not page by page: the copy is verified, holds every committed row, and the
database's own files are only read, with the app's connection open throughout."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

from helpers import badfiles
from helpers.badfiles import run_cli, sha256

from engine.runtime import backups


def _tables(path: Path) -> dict[str, list[tuple]]:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        names = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
        ]
        return {n: conn.execute(f'SELECT * FROM "{n}" ORDER BY rowid').fetchall() for n in names}


def _app_with_frames(folder: Path) -> tuple[Path, sqlite3.Connection]:
    """A v18 file in WAL mode, its newest 400 rows only in the -wal; the app stays open."""
    path = badfiles.at_version(folder, 18, "app.db")
    app = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    app.execute("PRAGMA journal_mode = WAL")
    app.execute("PRAGMA wal_autocheckpoint = 0")
    app.execute("INSERT INTO worlds (id, name) VALUES ('w', 'World')")
    app.execute(
        "INSERT INTO agents (id, world_id, name, type, provider, model)"
        " VALUES ('a', 'w', 'A', 'assistant', 'p', 'm')"
    )
    for i in range(400):
        app.execute(
            "INSERT INTO agent_memory (agent_id, world_id, role, content) VALUES (?, ?, ?, ?)",
            ("a", "w", "user", f"message {i} " + "x" * 300),
        )
    assert path.with_name(path.name + "-wal").stat().st_size > 0
    return path, app


def test_a_wal_file_with_frames_is_copied_as_files_and_verified(tmp_path: Path) -> None:
    path, app = _app_with_frames(tmp_path)
    try:
        wal = path.with_name(path.name + "-wal")
        main_before, wal_before = sha256(path), sha256(wal)
        made = backups.create_backup(path, version=18, destination=tmp_path / "copy.db")
        # The image copied is the main file's own bytes (the backup API would have written
        # every page anew), and the database's files were only read: nothing checkpointed.
        origin = json.loads(made.sidecar.read_text()) if made.sidecar else {}
        assert origin["source_sha256"] == main_before
        assert sha256(path) == main_before and sha256(wal) == wal_before
        assert _tables(made.path) == _tables(path)
        assert made.row_counts["agent_memory"] == 400
        # Self-contained and verified: nothing beside it, a rollback-journal file.
        assert not list(tmp_path.glob("copy.db*-wal")) and not list(tmp_path.glob("*.partial*"))
        with closing(sqlite3.connect(f"file:{made.path}?mode=ro", uri=True)) as conn:
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
            assert conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        # The app goes on writing after the backup.
        app.execute("INSERT INTO worlds (id, name) VALUES ('later', 'After the backup')")
    finally:
        app.close()


def test_a_reader_holding_an_older_snapshot_does_not_change_the_copy(tmp_path: Path) -> None:
    """Another connection in the middle of a read transaction (an older snapshot, so the -wal
    cannot be checkpointed away): the backup still has every committed row."""
    path, app = _app_with_frames(tmp_path)
    reader = sqlite3.connect(path, isolation_level=None)
    try:
        reader.execute("BEGIN")
        assert reader.execute("SELECT count(*) FROM agent_memory").fetchone()[0] == 400
        for i in range(50):  # committed after the reader's snapshot
            app.execute(
                "INSERT INTO agent_memory (agent_id, world_id, role, content)"
                " VALUES ('a', 'w', 'assistant', ?)",
                (f"late {i}",),
            )
        run = run_cli("backup", path, "--to", tmp_path / "b.db", "--json")
        assert run.code == 0, run.text
        assert _tables(tmp_path / "b.db") == _tables(path)
        assert run.done["ledger"]["agent_memory"] == [450, 450]
    finally:
        reader.close()
        app.close()


def test_an_upgrade_backs_up_a_wal_file_with_frames(tmp_path: Path) -> None:
    path = badfiles.at_version(tmp_path, 9, "old.db")
    with closing(sqlite3.connect(path, isolation_level=None)) as app:
        app.execute("PRAGMA journal_mode = WAL")
        app.execute("PRAGMA wal_autocheckpoint = 0")
        for i in range(100):
            app.execute("INSERT INTO worlds (id, name) VALUES (?, ?)", (f"w{i}", "y" * 100))
        before = _tables(path)
        run = run_cli("upgrade", path, "--json")
    assert run.code == 0, run.text
    assert _tables(Path(run.done["backup"])) == before
