"""Restore (SPEC §4.5, §7.20): writes the backup's pages into the existing database through SQLite,
so a program that keeps the file open loses nothing it commits afterwards; through a symlink;
only from a backup of that database; never creates a missing target; keeps the journal mode."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pytest
from helpers import badfiles
from helpers.badfiles import run_cli, sha256

# A small application: holds the database open in the given journal mode for its whole life and
# obeys one command per line on stdin, answering one line on stdout.
APP = r"""
import sqlite3, sys
path, mode = sys.argv[1], sys.argv[2]
conn = sqlite3.connect(path, isolation_level=None, timeout=60)
print(conn.execute(f"PRAGMA journal_mode = {mode}").fetchone()[0], flush=True)
conn.execute("PRAGMA wal_autocheckpoint = 0")  # keep its commits in the -wal (WAL mode)
for line in sys.stdin:
    cmd, *args = line.split()
    if cmd == "write":  # write TAG N: N rows, each its own commit
        for i in range(int(args[1])):
            conn.execute("INSERT INTO worlds (id, name) VALUES (?, ?)", (f"{args[0]}-{i}", args[0]))
        print("written", flush=True)
    elif cmd == "ids":  # what this connection reads now
        ids = [r[0] for r in conn.execute("SELECT id FROM worlds ORDER BY rowid")]
        print(" ".join(ids), flush=True)
    elif cmd == "hold":  # take the write lock and keep it
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO worlds (id, name) VALUES ('held', 'held')")
        print("holding", flush=True)
    elif cmd == "commit":
        conn.execute("COMMIT")
        print("committed", flush=True)
    elif cmd == "close":
        break
conn.close()
print("closed", flush=True)
"""


class App:
    """A second process that keeps `path` open (the user's application)."""

    def __init__(self, path: Path, mode: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", APP, str(path), mode],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )
        self.journal_mode = self._read()

    def _read(self) -> str:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        assert line, f"the app process ended (exit {self.proc.poll()})"
        return line.strip()

    def ask(self, command: str) -> str:
        assert self.proc.stdin is not None
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        return self._read()

    def close(self) -> None:
        if self.proc.poll() is None:
            assert self.ask("close") == "closed"
        self.proc.wait(timeout=60)


@contextmanager
def app(path: Path, mode: str) -> Iterator[App]:
    running = App(path, mode)
    try:
        yield running
    finally:
        if running.proc.poll() is None:
            running.proc.kill()
        running.proc.wait(timeout=60)


def ids(path: Path) -> list[str]:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        return [r[0] for r in conn.execute("SELECT id FROM worlds ORDER BY rowid")]


def journal_mode(path: Path) -> str:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        return str(conn.execute("PRAGMA journal_mode").fetchone()[0])


def integrity(path: Path) -> str:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])


def add_worlds(path: Path, *names: str) -> None:
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        for name in names:
            conn.execute("INSERT INTO worlds (id, name) VALUES (?, ?)", (name, name))


def db_with_backup(folder: Path) -> tuple[Path, Path]:
    """A v9 file with rows, a backup of it (`at9.db`, with its origin sidecar), and rows added
    after the backup."""
    path = badfiles.at_version(folder, 9, "database.db")
    add_worlds(path, "in-backup-1", "in-backup-2")
    backup = folder / "at9.db"
    made = run_cli("backup", path, "--to", backup)
    assert made.code == 0, made.text
    add_worlds(path, "after-backup")
    return path, backup


# -- 1. an application keeps the file open ---------------------------------------------------------


@pytest.mark.parametrize("mode", ["wal", "delete"])
def test_rows_an_open_app_commits_after_the_restore_are_in_the_file(
    tmp_path: Path, mode: str
) -> None:
    path, backup = db_with_backup(tmp_path)
    with app(path, mode) as running:
        assert running.journal_mode == mode
        assert running.ask("write before 3") == "written"
        run = run_cli("restore", path, "--from", backup, "--json")
        assert run.code == 0, run.text
        # The app's connection sees the restore as an ordinary commit by another connection...
        assert running.ask("ids").split() == ids(backup)
        # ...and what it commits afterwards goes into the database file, not a deleted inode.
        assert running.ask("write after 4") == "written"
        with_app_open = ids(path)
        running.close()
    after = [f"after-{i}" for i in range(4)]
    assert with_app_open == ids(backup) + after
    assert ids(path) == ids(backup) + after
    assert integrity(path) == "ok"
    assert journal_mode(path) == mode  # WAL stays WAL, rollback stays rollback
    # The copy kept of what was replaced has the app's earlier rows (some only in its -wal).
    kept = Path(run.done["replaced_copy"])
    assert ids(kept) == ids(backup) + ["after-backup"] + [f"before-{i}" for i in range(3)]
    assert journal_mode(kept) == "delete"
    assert not list(tmp_path.glob("*.partial"))


@pytest.mark.parametrize("mode", ["wal", "delete"])
def test_restore_refuses_while_another_program_holds_the_write_lock(
    tmp_path: Path, mode: str
) -> None:
    path, backup = db_with_backup(tmp_path)
    with app(path, mode) as running:
        assert running.ask("write before 2") == "written"
        before_files = badfiles.files_in(tmp_path)
        assert running.ask("hold") == "holding"
        digest = sha256(path)
        run = run_cli("restore", path, "--from", backup, "--wait", "0.2", "--json")
        assert run.code == 3, run.text
        problem = run.done["problems"][0]
        assert problem["code"] == "locked"
        assert "in use by another program" in problem["message"]
        assert "unchanged" in problem["message"] and problem["hint"]
        assert sha256(path) == digest
        new = badfiles.new_files(before_files, tmp_path)
        assert not [n for n in new if "sqlmig-backup" in n or n.endswith(".partial")], new
        assert running.ask("commit") == "committed"
        running.close()
    assert ids(path)[-3:] == ["before-0", "before-1", "held"]


# Commits one row at a time until the file `stop` exists; prints how many it committed.
WRITER = r"""
import os, sqlite3, sys
path, mode, stop = sys.argv[1], sys.argv[2], sys.argv[3]
conn = sqlite3.connect(path, isolation_level=None, timeout=60)
conn.execute(f"PRAGMA journal_mode = {mode}")
print("ready", flush=True)
n = 0
while not os.path.exists(stop) or n < 20:
    conn.execute("INSERT INTO worlds (id, name) VALUES (?, 'loop')", (f"loop-{n}",))
    n += 1
conn.close()
print(n, flush=True)
"""


def test_no_row_is_lost_while_an_app_commits_throughout_the_restore(tmp_path: Path) -> None:
    """Every row the app committed is in the kept copy (before the restore) or in the file
    (after it): the copy is made under the restore's own write lock, so nothing falls between.

    WAL mode: in rollback-journal mode a program committing back to back with no pause keeps
    every other connection out, readers included (SQLite's locks are not fair), so a restore
    there is refused with `locked` after --wait, as the test above shows for a held lock."""
    mode = "wal"
    path, backup = db_with_backup(tmp_path)
    stop = tmp_path / "stop"
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(path), mode, str(stop)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "ready"
        run = run_cli("restore", path, "--from", backup, "--json")
        stop.touch()
        committed = int(writer.stdout.readline())
    finally:
        stop.touch()
        writer.wait(timeout=60)
    assert run.code == 0, run.text
    kept = Path(run.done["replaced_copy"])
    loop_rows = {f"loop-{n}" for n in range(committed)}
    in_kept, in_file = set(ids(kept)) & loop_rows, set(ids(path)) & loop_rows
    assert in_kept | in_file == loop_rows
    assert not in_kept & in_file
    assert set(ids(backup)) <= set(ids(path))
    assert integrity(path) == "ok" and journal_mode(path) == mode


# -- 2. a symlink -----------------------------------------------------------------------------------


def test_restore_through_a_symlink_writes_the_real_file_and_keeps_the_link(tmp_path: Path) -> None:
    real_dir = tmp_path / "data"
    real_dir.mkdir()
    path, backup = db_with_backup(real_dir)
    link = tmp_path / "link.db"
    link.symlink_to(path)
    run = run_cli("restore", link, "--from", backup)
    assert run.code == 0, run.text
    assert link.is_symlink() and link.resolve() == path.resolve()
    assert ids(path) == ids(backup)
    assert "Restored" in run.out and str(path) in run.out
    kept = [p for p in real_dir.iterdir() if ".sqlmig-backup" in p.name and p.suffix == ".db"]
    assert len(kept) == 1 and "after-backup" in ids(kept[0])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "link.db"]  # nothing beside it


# -- 3. what restore accepts -------------------------------------------------------------------------


def test_backup_writes_an_origin_sidecar(tmp_path: Path) -> None:
    path, backup = db_with_backup(tmp_path)
    origin = json.loads(backup.with_name(backup.name + ".json").read_text(encoding="utf-8"))
    assert origin["source_path"] == str(path.resolve())
    assert origin["version"] == 9 and origin["user_version"] == 9
    assert len(origin["source_sha256"]) == 64 and origin["source_size"] > 0
    assert origin["tool_version"] and origin["created_at"]
    assert origin["page_count"] > 1
    assert "worlds" in origin["tables"]


def _refused_unchanged(run: badfiles.CliRun, path: Path, digest: str, code: str) -> dict:
    assert run.code == 3, run.text
    problem = run.done["problems"][0]
    assert problem["code"] == code, problem
    assert problem["hint"], problem
    assert sha256(path) == digest
    return problem


def test_restore_refuses_an_empty_source(tmp_path: Path) -> None:
    path, _backup = db_with_backup(tmp_path)
    empty = badfiles.empty_file(tmp_path, "empty.db")
    digest, before = sha256(path), badfiles.files_in(tmp_path)
    for extra in ((), ("--force",)):
        run = run_cli("restore", path, "--from", empty, "--json", *extra)
        problem = _refused_unchanged(run, path, digest, "empty")
        assert "empty" in problem["message"]
    assert badfiles.new_files(before, tmp_path) == {}


def test_restore_refuses_a_foreign_database(tmp_path: Path) -> None:
    path, _backup = db_with_backup(tmp_path)
    shop = badfiles.foreign_db(tmp_path, "shop.db")
    digest, before = sha256(path), badfiles.files_in(tmp_path)
    run = run_cli("restore", path, "--from", shop, "--json")
    problem = _refused_unchanged(run, path, digest, "not_a_backup")
    assert "no table in common" in problem["message"]
    assert "--force" in problem["hint"]
    assert badfiles.new_files(before, tmp_path) == {}


def _independent_v9(folder: Path) -> Path:
    """Another user's v9 file: same app, its own history (applied at other times)."""
    other = badfiles.at_version(folder, 9, "database.db")
    with closing(sqlite3.connect(other, isolation_level=None)) as conn:
        conn.execute("UPDATE schema_migrations SET applied_at = '2001-01-01 00:00:00'")
        conn.execute("INSERT INTO worlds (id, name) VALUES ('theirs', 'theirs')")
    return other


def test_restore_refuses_a_backup_of_another_database_unless_forced(tmp_path: Path) -> None:
    (tmp_path / "mine").mkdir()
    (tmp_path / "theirs").mkdir()
    path, _backup = db_with_backup(tmp_path / "mine")
    other = _independent_v9(tmp_path / "theirs")
    foreign_backup = tmp_path / "theirs" / "theirs-backup.db"
    assert run_cli("backup", other, "--to", foreign_backup).code == 0
    digest, before = sha256(path), badfiles.files_in(tmp_path / "mine")
    run = run_cli("restore", path, "--from", foreign_backup, "--json")
    problem = _refused_unchanged(run, path, digest, "not_a_backup")
    assert str(other.resolve()) in problem["message"]
    assert "--force" in problem["hint"]
    assert badfiles.new_files(before, tmp_path / "mine") == {}
    # Without its sidecar the schema decides: same app, but another history: still refused.
    foreign_backup.with_name(foreign_backup.name + ".json").unlink()
    run = run_cli("restore", path, "--from", foreign_backup, "--json")
    _refused_unchanged(run, path, digest, "not_a_backup")
    forced = run_cli("restore", path, "--from", foreign_backup, "--force", "--json")
    assert forced.code == 0, forced.text
    assert ids(path) == ids(other)
    assert "after-backup" in ids(Path(forced.done["replaced_copy"]))


def test_restore_accepts_a_backup_of_the_same_file_after_it_was_moved(tmp_path: Path) -> None:
    old_home, new_home = tmp_path / "old", tmp_path / "new"
    old_home.mkdir()
    new_home.mkdir()
    path, backup = db_with_backup(old_home)
    assert run_cli("upgrade", path, "--no-backup").code == 0  # the history grows from v9
    moved = new_home / "renamed.db"
    path.rename(moved)
    run = run_cli("restore", moved, "--from", backup, "--json")
    assert run.code == 0, run.text
    assert ids(moved) == ids(backup)


def test_restore_never_forces_a_damaged_source(tmp_path: Path) -> None:
    path, _backup = db_with_backup(tmp_path)
    bad = badfiles.corrupted_page(tmp_path, "bad.db")
    digest = sha256(path)
    run = run_cli("restore", path, "--from", bad, "--force", "--json")
    _refused_unchanged(run, path, digest, "corrupt")


def test_restore_never_creates_a_missing_target(tmp_path: Path) -> None:
    _path, backup = db_with_backup(tmp_path)
    missing = tmp_path / "gone" / "database.db"
    (tmp_path / "gone").mkdir()
    for extra in ((), ("--force",)):
        run = run_cli("restore", missing, "--from", backup, "--json", *extra)
        assert run.code == 3, run.text
        assert run.done["problems"][0]["code"] == "missing"
        assert list((tmp_path / "gone").iterdir()) == []


def test_restore_keeps_wal_mode_and_says_what_it_replaced(tmp_path: Path) -> None:
    path, backup = db_with_backup(tmp_path)
    assert run_cli("upgrade", path, "--no-backup").code == 0
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        conn.execute("PRAGMA journal_mode = WAL")
    run = run_cli("restore", path, "--from", backup)
    assert run.code == 0, run.text
    assert journal_mode(path) == "wal"
    assert ids(path) == ids(backup)
    text = run.out
    assert "v18" in text and "v9" in text  # the version replaced and the version restored
    kept = next(p for p in tmp_path.iterdir() if ".v18.sqlmig-backup" in p.name
                and p.suffix == ".db")
    assert str(kept) in text
    assert "WAL" in text


def test_restore_json_reports_versions_copy_and_journal_mode(tmp_path: Path) -> None:
    path, backup = db_with_backup(tmp_path)
    assert run_cli("upgrade", path, "--no-backup").code == 0
    run = run_cli("restore", path, "--from", backup, "--json")
    assert run.code == 0, run.text
    done = run.done
    assert done["from_version"] == 18 and done["to_version"] == 9
    assert done["replaced_version"] == 18 and done["restored_version"] == 9
    assert done["journal_mode"] == "delete"
    assert Path(done["replaced_copy"]).is_file()
    assert done["backup"] == done["replaced_copy"]


def test_restore_of_a_wal_headed_copy_keeps_a_rollback_file_in_rollback_mode(
    tmp_path: Path,
) -> None:
    path, _backup = db_with_backup(tmp_path)
    copy = tmp_path / "copy-in-wal.db"
    copy.write_bytes(path.read_bytes())
    with closing(sqlite3.connect(copy, isolation_level=None)) as conn:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("INSERT INTO worlds (id, name) VALUES ('in-copy', 'x')")
    assert copy.read_bytes()[18:20] == b"\x02\x02"
    run = run_cli("restore", path, "--from", copy, "--json")
    assert run.code == 0, run.text
    assert journal_mode(path) == "delete"
    assert path.read_bytes()[18:20] == b"\x01\x01"
    assert "in-copy" in ids(path)
    assert not list(tmp_path.glob("*.sqlmig-restore.partial*"))  # the staging copy is gone


def test_restore_into_a_wal_file_with_another_page_size(tmp_path: Path) -> None:
    path, _backup = db_with_backup(tmp_path)
    small_pages = tmp_path / "small-pages.db"
    with closing(sqlite3.connect(path)) as src, closing(sqlite3.connect(small_pages)) as dst:
        dst.execute("PRAGMA page_size = 1024")
        src.backup(dst)
    with closing(sqlite3.connect(small_pages, isolation_level=None)) as conn:
        conn.execute("PRAGMA page_size = 1024")
        conn.execute("VACUUM")
        assert conn.execute("PRAGMA page_size").fetchone()[0] == 1024
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("DELETE FROM worlds")
    run = run_cli("restore", path, "--from", small_pages, "--force", "--json")
    assert run.code == 0, run.text
    assert journal_mode(path) == "wal"
    assert ids(path) == ids(small_pages)
    assert integrity(path) == "ok"
    assert not list(tmp_path.glob("*.sqlmig-restore.partial*"))


def test_restore_from_the_file_itself_is_refused(tmp_path: Path) -> None:
    path, _backup = db_with_backup(tmp_path)
    link = tmp_path / "same.db"
    link.symlink_to(path)
    digest = sha256(path)
    run = run_cli("restore", path, "--from", link, "--json")
    assert run.code == 3, run.text
    assert sha256(path) == digest


def test_restore_over_a_damaged_database_keeps_a_faithful_copy_of_it(tmp_path: Path) -> None:
    path = badfiles.corrupted_page(tmp_path, "database.db")
    damaged_bytes = path.read_bytes()
    good = tmp_path / "good.db"
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as src, \
            closing(sqlite3.connect(good, isolation_level=None)) as dst:
        for (sql,) in src.execute("SELECT sql FROM sqlite_master WHERE type = 'table' "
                                  "AND name NOT LIKE 'sqlite_%'"):
            dst.execute(sql)
    run = run_cli("restore", path, "--from", good, "--json")
    assert run.code == 0, run.text
    assert integrity(path) == "ok"
    kept = Path(run.done["replaced_copy"])
    assert kept.read_bytes() == damaged_bytes  # page for page, damage included
    assert run.done["replaced_damage"]
    origin = json.loads(kept.with_name(kept.name + ".json").read_text(encoding="utf-8"))
    assert origin["damage"]


def test_a_sidecar_only_vouches_for_the_file_it_was_written_for(tmp_path: Path) -> None:
    """A backup file replaced after the fact (same name, other bytes) is judged by its schema,
    not by the sidecar that still names this database."""
    path, backup = db_with_backup(tmp_path)
    backup.write_bytes(badfiles.foreign_db(tmp_path, "shop.db").read_bytes())
    digest = sha256(path)
    run = run_cli("restore", path, "--from", backup, "--json")
    problem = _refused_unchanged(run, path, digest, "not_a_backup")
    assert "no table in common" in problem["message"]


def test_restore_into_an_empty_file_needs_no_proof_of_origin(tmp_path: Path) -> None:
    _path, backup = db_with_backup(tmp_path)
    empty = badfiles.empty_file(tmp_path, "new.db")
    run = run_cli("restore", empty, "--from", backup, "--json")
    assert run.code == 0, run.text
    assert ids(empty) == ids(backup)
    assert Path(run.done["replaced_copy"]).is_file()


def test_a_backup_name_is_reused_after_its_backup_was_deleted(tmp_path: Path) -> None:
    """The sidecar left by a deleted backup is replaced; somebody else's `X.json` is not."""
    path, backup = db_with_backup(tmp_path)
    backup.unlink()
    again = run_cli("backup", path, "--to", backup, "--json")
    assert again.code == 0, again.text
    origin = json.loads(backup.with_name(backup.name + ".json").read_text(encoding="utf-8"))
    assert origin["backup_sha256"] == sha256(backup)
    theirs = tmp_path / "notes.db.json"
    theirs.write_text('{"mine": true}', encoding="utf-8")
    refused = run_cli("backup", path, "--to", tmp_path / "notes.db", "--json")
    assert refused.code == 3 and refused.done["problems"][0]["code"] == "exists"
    assert theirs.read_text(encoding="utf-8") == '{"mine": true}'
