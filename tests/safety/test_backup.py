"""Backup, verify, restore (SPEC §4.5, §7.11) and a full disk (RLIMIT_FSIZE in a child process)."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import stat
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest
from helpers import badfiles
from helpers.badfiles import run_cli, sha256

from engine.runtime import backups

REPO_ROOT = Path(__file__).resolve().parents[2]


def rows(path: Path, table: str) -> list[tuple]:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        return conn.execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall()


def wal_file_with_rows_only_in_the_wal(folder: Path) -> tuple[Path, sqlite3.Connection]:
    """A v9 file in WAL mode whose newest 500 committed rows live only in its -wal (the writer
    stays open, so nothing is checkpointed)."""
    path = badfiles.at_version(folder, 9, "database.db")
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA wal_autocheckpoint = 0")
    conn.execute("INSERT INTO worlds (id, name) VALUES ('w', 'World')")
    for i in range(500):
        conn.execute("INSERT INTO worlds (id, name) VALUES (?, ?)", (f"w{i}", "x" * 200))
    assert path.with_name(path.name + "-wal").stat().st_size > 0
    return path, conn


def test_backup_of_a_wal_file_has_every_committed_row(tmp_path: Path) -> None:
    path, writer = wal_file_with_rows_only_in_the_wal(tmp_path)
    try:
        bare = tmp_path / "bare-copy.db"
        bare.write_bytes(path.read_bytes())  # what a plain file copy would keep
        assert len(rows(bare, "worlds")) < 501  # the rows in the -wal are not in the main file
        run = run_cli("backup", path, "--to", tmp_path / "b.db", "--json")
        assert run.code == 0, run.text
        assert len(rows(tmp_path / "b.db", "worlds")) == 501
        assert rows(tmp_path / "b.db", "worlds") == rows(path, "worlds")
        assert run.done["ledger"]["worlds"] == [501, 501]
        # A backup is a self-contained rollback-journal file: nothing lives beside it.
        assert not (tmp_path / "b.db-wal").exists()
    finally:
        writer.close()


def test_upgrade_backup_of_a_wal_file_has_every_committed_row(tmp_path: Path) -> None:
    path, writer = wal_file_with_rows_only_in_the_wal(tmp_path)
    expected = rows(path, "worlds")
    writer.close()  # the app exits; its -wal may stay (checkpointed or not)
    run = run_cli("upgrade", path, "--json")
    assert run.code == 0, run.text
    backup = Path(run.done["backup"])
    assert rows(backup, "worlds") == expected
    assert [r[:2] for r in rows(path, "worlds")] == [r[:2] for r in expected]


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o444])
def test_backup_keeps_the_originals_permissions(tmp_path: Path, mode: int) -> None:
    path = badfiles.at_version(tmp_path, 9, "database.db")
    os.chmod(path, mode)
    made = backups.create_backup(path, version=9)
    assert stat.S_IMODE(made.path.stat().st_mode) == mode
    assert made.row_counts and made.user_version == 9
    assert not list(tmp_path.glob("*.partial"))


def test_verification_catches_a_backup_that_differs(tmp_path: Path) -> None:
    path = badfiles.at_version(tmp_path, 9, "database.db")
    made = backups.create_backup(path, version=9, destination=tmp_path / "b.db")
    backups.verify_backup(made.path, made.user_version, made.row_counts)
    wrong = dict(made.row_counts, worlds=made.row_counts["worlds"] + 1)
    with pytest.raises(backups.Refused) as info:
        backups.verify_backup(made.path, made.user_version, wrong)
    assert info.value.code == "check_failed"
    with pytest.raises(backups.Refused):
        backups.verify_backup(made.path, made.user_version + 1, made.row_counts)


def test_restore_is_atomic_and_keeps_what_it_replaces(tmp_path: Path) -> None:
    path = badfiles.at_version(tmp_path, 9, "database.db")
    os.chmod(path, 0o640)
    backup = tmp_path / "at9.db"
    assert run_cli("backup", path, "--to", backup).code == 0
    assert run_cli("upgrade", path, "--no-backup").code == 0
    upgraded = {t: rows(path, t) for t in ("worlds", "schema_migrations")}
    # The app keeps writing in WAL mode: the replaced file's newest rows are only in its -wal.
    with closing(sqlite3.connect(path, isolation_level=None)) as app:
        app.execute("PRAGMA journal_mode = WAL")
        app.execute("PRAGMA wal_autocheckpoint = 0")
        app.execute("INSERT INTO worlds (id, name) VALUES ('late', 'written after upgrade')")
        run = run_cli("restore", path, "--from", backup, "--json")
    assert run.code == 0, run.text
    kept = Path(run.done["replaced_copy"])
    assert [r[0] for r in rows(kept, "worlds")] == [r[0] for r in upgraded["worlds"]] + ["late"]
    assert rows(kept, "schema_migrations") == upgraded["schema_migrations"]
    assert sha256(backup) == sha256(backup)  # the backup itself is untouched
    assert rows(path, "worlds") == rows(backup, "worlds")
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    for side in ("-wal", "-journal"):
        assert not path.with_name(path.name + side).exists() or \
            path.with_name(path.name + side).stat().st_size == 0
    assert not list(tmp_path.glob("*.partial"))
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_restore_from_a_damaged_backup_changes_nothing(tmp_path: Path) -> None:
    path = badfiles.at_version(tmp_path, 9, "database.db")
    digest, before = sha256(path), badfiles.files_in(tmp_path)
    for bad in (badfiles.corrupted_page(tmp_path, "bad.db"), badfiles.random_bytes(tmp_path)):
        before = badfiles.files_in(tmp_path)
        run = run_cli("restore", path, "--from", bad, "--json")
        assert run.code == 3, run.text
        assert run.done["problems"][0]["code"] in ("corrupt", "not_sqlite")
        assert sha256(path) == digest
        assert badfiles.new_files(before, tmp_path) == {}


def test_restore_from_a_missing_backup_changes_nothing(tmp_path: Path) -> None:
    path = badfiles.at_version(tmp_path, 9, "database.db")
    digest = sha256(path)
    run = run_cli("restore", path, "--from", tmp_path / "nope.db", "--json")
    assert run.code == 3 and run.done["problems"][0]["code"] == "missing"
    assert sha256(path) == digest


# -- a full disk -----------------------------------------------------------------------------------

FULL_DISK = """
import json, resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
limit = int(sys.argv[2])
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
from engine.cli import main
sys.exit(main(sys.argv[3:]))
"""


def run_limited(limit: int, *argv: object) -> tuple[int, list[dict]]:
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    proc = subprocess.run(
        [sys.executable, "-c", FULL_DISK, "x", str(limit), *map(str, argv)],
        capture_output=True, text=True, timeout=120, env=env, cwd=REPO_ROOT,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc.returncode, [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]


def grown(folder: Path) -> Path:
    """A v9 file with ~2 MB of rows (so a backup or a rebuild needs real room)."""
    path = badfiles.at_version(folder, 9, "database.db")
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        conn.execute("BEGIN")
        conn.execute("INSERT INTO worlds (id, name) VALUES ('w', 'W')")
        conn.execute("INSERT INTO agents (id, world_id, name, type, provider, model) "
                     "VALUES ('a', 'w', 'A', 'assistant', 'p', 'm')")
        conn.executemany(
            "INSERT INTO agent_memory (agent_id, world_id, role, content) VALUES ('a', 'w', "
            "'user', ?)", [(f"{i} " + "y" * 1000,) for i in range(2000)])
        conn.execute("COMMIT")
    return path


def test_disk_full_during_backup_fails_cleanly(tmp_path: Path) -> None:
    path = grown(tmp_path)
    digest, before = sha256(path), badfiles.files_in(tmp_path)
    code, events = run_limited(path.stat().st_size // 2, "backup", path, "--json")
    assert code == 3, events
    assert events[-1]["event"] == "done" and events[-1]["ok"] is False
    problem = events[-1]["problems"][0]
    assert problem["code"] in ("no_space", "io_error"), problem
    assert "No backup was made" in problem["message"] and problem["hint"]
    assert sha256(path) == digest
    assert badfiles.new_files(before, tmp_path) == {}  # the .partial copy was removed


def test_disk_full_during_upgrade_backup_stops_before_any_write(tmp_path: Path) -> None:
    path = grown(tmp_path)
    digest, before = sha256(path), badfiles.files_in(tmp_path)
    code, events = run_limited(path.stat().st_size // 2, "upgrade", path, "--json")
    assert code == 3, events
    assert events[-1]["problems"][0]["code"] in ("no_space", "io_error")
    assert not [e for e in events if e["event"] == "step_start"]
    assert sha256(path) == digest
    assert badfiles.new_files(before, tmp_path) == {}


@pytest.mark.parametrize("mode", ["atomic", "stepwise"])
def test_disk_full_during_the_upgrade_leaves_the_original_intact(tmp_path: Path, mode: str) -> None:
    path = grown(tmp_path)
    original = {t: hashlib.sha256(repr(rows(path, t)).encode()).hexdigest()
                for t in ("worlds", "agents", "agent_memory", "schema_migrations")}
    digest = sha256(path)
    # Room for the journal but not for the rebuild that grows the file.
    code, events = run_limited(path.stat().st_size + 4096 * 8, "upgrade", path, "--json",
                               "--no-backup", "--mode", mode)
    assert code in (1, 3), events
    done = events[-1]
    assert done["event"] == "done" and done["ok"] is False
    # EFBIG surfaces as SQLITE_FULL or SQLITE_IOERR_WRITE; the runner names the statement that hit it.
    assert done["problems"][0]["code"] in ("no_space", "io_error", "migration_failed"), done
    assert "rolled back" in done["problems"][0]["message"].lower()
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    after = {t: hashlib.sha256(repr(rows(path, t)).encode()).hexdigest() for t in original}
    if mode == "atomic":
        assert sha256(path) == digest
    else:  # at a migration boundary: every row still there
        for table in ("worlds", "agents"):
            assert after[table] == original[table]
        assert len(rows(path, "agent_memory")) == 2000
    # With room again, the next run finishes the job.
    assert run_cli("upgrade", path, "--no-backup").code == 0
    assert len(rows(path, "agent_memory")) == 2000


def test_backup_of_a_rollback_file_takes_only_committed_rows(tmp_path: Path) -> None:
    """A rollback-journal file is copied under SQLite's read lock: a writer's uncommitted
    transaction is not in the copy, and its later commit does not disturb it."""
    path = badfiles.at_version(tmp_path, 9, "database.db")
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        conn.execute("INSERT INTO worlds (id, name) VALUES ('committed', 'yes')")
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO worlds (id, name) VALUES ('uncommitted', 'no')")
    try:
        made = backups.create_backup(path, version=9, destination=tmp_path / "b.db")
    finally:
        writer.execute("COMMIT")
        writer.close()
    assert [r[0] for r in rows(made.path, "worlds")] == ["committed"]
    assert made.row_counts["worlds"] == 1
    with closing(sqlite3.connect(made.path)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
