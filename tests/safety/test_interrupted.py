"""A file with a hot journal is `interrupted`, not damaged (SPEC §7.22, hardening item 14), and
`sqlmig recover PATH` rolls the cut-off write back. A healthy WAL file in a read-only folder is
read correctly and called read-only, not damaged."""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from helpers import badfiles, journals, unprivileged
from helpers.badfiles import run_cli, sha256

import engine


def journal_of(path: Path) -> Path:
    return path.with_name(path.name + "-journal")


def digest(path: Path) -> tuple[str, str]:
    return sha256(path), sha256(journal_of(path))


def test_a_hot_journal_makes_the_file_interrupted_not_damaged(tmp_path: Path) -> None:
    path = journals.hot_journal(tmp_path)
    before = digest(path)
    found = engine.inspect_file(path)
    assert found.state == "interrupted", found.diagnosis
    assert "Damaged" not in found.diagnosis
    assert [p.code for p in found.problems] == ["interrupted"]
    assert f"sqlmig recover {path}" in found.problems[0].hint
    status = run_cli("status", path, "--json")
    assert status.code == 0
    data = status.json()
    assert data["state"] == "interrupted"
    assert data["problems"][0]["code"] == "interrupted"
    text = run_cli("status", path)
    assert "run the upgrade" not in text.out.lower() and "sqlmig recover" in text.out
    assert digest(path) == before  # inspection never rolls back


def test_recover_rolls_the_cut_off_write_back(tmp_path: Path) -> None:
    path = journals.hot_journal(tmp_path)
    run = run_cli("recover", path)
    assert run.code == 0, run.text
    assert run.out.startswith("Rolled back the write that was cut off")
    assert not journal_of(path).exists() or journal_of(path).stat().st_size == 0
    assert journals.worlds(path) == journals.ROWS_BEFORE
    found = engine.inspect_file(path)
    assert found.state == "tracked" and found.current_version == 9
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    again = run_cli("recover", path, "--json")
    assert again.code == 0
    done = again.done
    assert done["event"] == "done" and done["ok"] is True
    assert done["recovered"] is False and done["state"] == "tracked"
    assert done["message"].startswith("Nothing to recover")


def test_recover_json_reports_what_it_did(tmp_path: Path) -> None:
    path = journals.hot_journal(tmp_path)
    run = run_cli("recover", path, "--json")
    assert run.code == 0, run.text
    events = run.events()
    assert [e["event"] for e in events] == ["done"]
    assert events[0]["recovered"] is True and events[0]["state"] == "tracked"
    assert events[0]["to_version"] == 9


def test_upgrade_recovers_first_and_says_so(tmp_path: Path) -> None:
    path = journals.hot_journal(tmp_path)
    run = run_cli("upgrade", path, "--json", "--no-backup")
    assert run.code == 0, run.text
    checks = [e["check"] for e in run.events() if e["event"] == "verify"]
    assert "recovered" in checks
    assert "rolled back an earlier write" in run.done["message"]
    assert journals.worlds(path) == journals.ROWS_BEFORE


def test_dry_run_refuses_an_interrupted_file_and_names_recover(tmp_path: Path) -> None:
    path = journals.hot_journal(tmp_path)
    before = digest(path)
    run = run_cli("upgrade", path, "--dry-run", "--json")
    assert run.code == 3
    assert [e["event"] for e in run.events()] == ["done"]
    assert run.done["problems"][0]["code"] == "interrupted"
    assert "sqlmig recover" in run.done["problems"][0]["hint"]
    assert digest(path) == before


def test_a_journal_that_grew_the_header_is_interrupted_not_truncated(tmp_path: Path) -> None:
    """The cut-off write had already written page 1 with a larger page count than the file."""
    path = journals.hot_journal(tmp_path)
    data = bytearray(path.read_bytes())
    data[28:32] = (len(data) // 4096 + 50).to_bytes(4, "big")
    data[92:96] = data[24:28]  # the count is "valid"
    path.write_bytes(bytes(data))
    assert engine.inspect_file(path).state == "interrupted"
    assert run_cli("recover", path).code == 0
    assert engine.inspect_file(path).state == "tracked"
    assert journals.worlds(path) == journals.ROWS_BEFORE


def test_a_new_file_cut_off_before_its_header_was_written_is_interrupted(tmp_path: Path) -> None:
    """A crash in a new file's first transaction, after its pages spilled but before COMMIT
    wrote the header: zeros where the header goes and a hot journal beside. That is an
    interrupted write (recover empties the file again), not "not a SQLite database"."""
    source, path = tmp_path / "source.db", tmp_path / "new.db"
    source.write_bytes(b"")
    with closing(sqlite3.connect(source, isolation_level=None)) as conn:
        conn.execute("PRAGMA cache_size = 2")  # the pages spill into the file before COMMIT
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("CREATE TABLE t (x)")
        for _ in range(300):
            conn.execute("INSERT INTO t VALUES (randomblob(2000))")
        path.write_bytes(source.read_bytes())
        journal_of(path).write_bytes(journal_of(source).read_bytes())
        conn.execute("ROLLBACK")
    assert path.read_bytes()[:16] == bytes(16) and path.stat().st_size > 0
    found = engine.inspect_file(path)
    assert found.state == "interrupted", found.diagnosis
    done = engine.recover(path)
    assert done.rolled_back and done.inspection.state == "fresh"


def test_a_live_writers_journal_is_not_interrupted(tmp_path: Path) -> None:
    """A journal whose writer still holds the lock is a write in progress, not a cut-off one."""
    path = badfiles.at_version(tmp_path, 9, "database.db")
    with closing(sqlite3.connect(path, isolation_level=None)) as writer:
        writer.execute("PRAGMA cache_size = 2")
        writer.execute("BEGIN IMMEDIATE")
        for i in range(300):
            writer.execute("INSERT INTO worlds (id, name) VALUES (?, ?)", (f"x{i}", "x" * 2000))
        assert journal_of(path).exists()
        assert engine.inspect_file(path).state != "interrupted"
        writer.execute("ROLLBACK")


# -- as an unprivileged user ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def nobody() -> unprivileged.Runner:
    return unprivileged.nobody_runner()


@pytest.fixture
def shared() -> Iterator[Path]:
    yield from unprivileged.shared_folder()


def test_recover_in_a_read_only_folder_is_refused(shared: Path, nobody: unprivileged.Runner) -> None:
    path = journals.hot_journal(shared)
    os.chown(path, unprivileged.NOBODY, unprivileged.NOBODY)  # the folder stays root's
    before = digest(path)
    status = nobody("status", path, "--json")
    assert status.returncode == 0, status.stderr
    data = json.loads(status.stdout)
    assert data["state"] == "interrupted"
    assert {p["code"] for p in data["problems"]} == {"interrupted", "read_only"}
    run = nobody("recover", path, "--json")
    assert run.returncode == 3, (run.stdout, run.stderr)
    done = json.loads(run.stdout.splitlines()[-1])
    assert done["problems"][0]["code"] == "read_only"
    assert "Traceback" not in run.stderr
    assert digest(path) == before


def wal_file(folder: Path, *, frames: bool, shm: bool) -> Path:
    """A v9 file in WAL mode with one world; that row only in the -wal when `frames`."""
    path = badfiles.at_version(folder, 9, "database.db")
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        conn.execute("PRAGMA journal_mode = WAL")
    if not frames:
        return path
    keeper = sqlite3.connect(path, isolation_level=None)
    keeper.execute("PRAGMA wal_autocheckpoint = 0")
    keeper.execute("INSERT INTO worlds (id, name) VALUES ('w0', 'World')")
    # Copy the trio while the writer is open (closing it would checkpoint and delete the -wal).
    data = {s: path.with_name(path.name + s).read_bytes() for s in ("", "-wal", "-shm")}
    keeper.close()
    for suffix, content in data.items():
        side = path.with_name(path.name + suffix)
        if suffix == "-shm" and not shm:
            side.unlink(missing_ok=True)
            continue
        side.write_bytes(content)
    return path


@pytest.mark.parametrize(
    ("frames", "shm"), [(False, False), (True, False), (True, True)],
    ids=["no-wal", "wal-frames-no-shm", "wal-frames-and-shm"],
)
def test_a_healthy_wal_file_in_a_read_only_folder_is_read_only_not_damaged(
    shared: Path, nobody: unprivileged.Runner, frames: bool, shm: bool
) -> None:
    path = wal_file(shared, frames=frames, shm=shm)
    for side in shared.iterdir():
        side.chmod(0o644)
    files = badfiles.files_in(shared)
    before = {p.name: sha256(p) for p in shared.iterdir()}
    status = nobody("status", path, "--json")
    assert status.returncode == 0, status.stderr
    data = json.loads(status.stdout)
    assert data["state"] == "tracked", data["diagnosis"]
    assert data["current_version"] == 9
    read_only = [p for p in data["problems"] if p["code"] == "read_only"]
    assert read_only and read_only[0]["message"].startswith("The folder is read-only")
    verify = nobody("verify", path, "--json")
    assert verify.returncode == 0, (verify.stdout, verify.stderr)
    if frames:  # the row that lives only in the -wal is seen, and backed up elsewhere
        for out in unprivileged.shared_folder():
            os.chown(out, unprivileged.NOBODY, unprivileged.NOBODY)
            made = nobody("backup", path, "--to", out / "copy.db")
            assert made.returncode == 0, made.stderr
            with closing(sqlite3.connect(out / "copy.db")) as conn:
                assert conn.execute("SELECT count(*) FROM worlds").fetchone()[0] == 1
    assert badfiles.new_files(files, shared) == {}
    assert {p.name: sha256(p) for p in shared.iterdir()} == before

