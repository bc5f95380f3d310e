"""The go/no-go list before any write (engine/preflight.py): every check, its "no", its warning."""

from __future__ import annotations

import shutil
import sqlite3
import threading
from collections import namedtuple
from pathlib import Path

import pytest
from helpers import badfiles
from helpers.badfiles import run_cli, sha256

import engine
from engine.runtime import preflight as pf

ORDER = ["paths", "readable", "quick_check", "writable", "folder", "disk_space", "lock",
         "journal", "foreign_keys", "sqlite_version", "location"]


def test_healthy_file_gets_a_full_go_list_in_order(tmp_path: Path) -> None:
    path = badfiles.at_version(tmp_path, 9, "database.db")
    checks = pf.preflight(path, backup=True, wait=1)
    assert [c.name for c in checks.checks] == ORDER
    assert checks.go and not checks.failures
    assert all(c.ok is True for c in checks.checks), checks.lines()
    assert checks.lines()[0].endswith(": go")


def test_upgrade_emits_the_list_as_verify_events_after_plan(tmp_path: Path) -> None:
    path = badfiles.at_version(tmp_path, 9, "database.db")
    run = run_cli("upgrade", path, "--json", "--no-backup")
    assert run.code == 0, run.text
    names = [e["event"] for e in run.events()]
    checks = [e["check"] for e in run.events() if e["event"] == "verify"]
    assert names.index("plan") < names.index("verify")
    assert [c.removeprefix("preflight:") for c in checks if c.startswith("preflight:")] == ORDER
    assert set(names) <= {"plan", "backup", "step_start", "statement", "heartbeat", "step_end",
                          "verify", "done"}


def test_dry_run_prints_the_go_no_go_list(tmp_path: Path) -> None:
    path = badfiles.at_version(tmp_path, 9, "database.db")
    digest = sha256(path)
    run = run_cli("upgrade", path, "--dry-run")
    assert run.code == 0, run.text
    assert "Preflight (go/no-go):" in run.out
    for name in ORDER:
        assert f"] {name}: " in run.out, run.out
    assert "[warning] lock: Not probed in a dry run" in run.out
    assert sha256(path) == digest


def test_refusal_prints_the_list_and_is_one_done_event(tmp_path: Path, monkeypatch) -> None:
    path = badfiles.at_version(tmp_path, 9, "database.db")
    digest, before = sha256(path), badfiles.files_in(tmp_path)
    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(pf.shutil, "disk_usage", lambda _p: usage(10**9, 10**9 - 1000, 1000))
    run = run_cli("upgrade", path, "--json")
    assert run.code == 3, run.text
    assert [e["event"] for e in run.events()] == ["done"]
    problem = run.done["problems"][0]
    assert problem["code"] == "no_space"
    assert "Not enough free disk space" in problem["message"] and problem["hint"]
    text = run_cli("upgrade", path)
    assert text.code == 3
    assert "[     NO] disk_space" in text.out and "NO-GO" in text.out
    assert sha256(path) == digest and badfiles.new_files(before, tmp_path) == {}


def test_disk_space_rule_is_backup_plus_rebuild_headroom(tmp_path: Path, monkeypatch) -> None:
    path = badfiles.at_version(tmp_path, 9, "database.db")
    size = path.stat().st_size
    usage = namedtuple("usage", "total used free")
    for free, backup, ok in ((2 * size, True, True), (2 * size - 1, True, False),
                             (size, False, True), (size - 1, False, False)):
        monkeypatch.setattr(pf.shutil, "disk_usage", lambda _p, f=free: usage(10**12, 0, f))
        check = pf.preflight(path, backup=backup, wait=0).check("disk_space")
        assert check is not None and check.ok is ok, (free, backup, check)


@pytest.fixture
def holder(tmp_path: Path):
    path = badfiles.at_version(tmp_path, 9, "database.db")
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("BEGIN IMMEDIATE")
    yield path, conn
    if conn.in_transaction:
        conn.execute("ROLLBACK")
    conn.close()


def test_waiting_run_reports_what_it_waited_for(holder) -> None:
    path, conn = holder
    timer = threading.Timer(0.4, lambda: conn.execute("ROLLBACK"))
    timer.start()
    try:
        run = run_cli("upgrade", path, "--json", "--no-backup", "--wait", "20")
    finally:
        timer.join()
    assert run.code == 0, run.text
    verify = {e["check"]: e for e in run.events() if e["event"] == "verify"}
    assert "lock_wait" in verify, verify.keys()
    assert float(verify["lock_wait"]["details"][0]) > 0.1
    assert "Waited" in verify["preflight:lock"]["message"]
    assert "write lock" in verify["lock_wait"]["message"]


def test_locked_refusal_says_how_long_it_waited(holder) -> None:
    path, _conn = holder
    run = run_cli("upgrade", path, "--json", "--no-backup", "--wait", "0.3")
    assert run.code == 3
    problem = run.done["problems"][0]
    assert problem["code"] == "locked"
    assert "waited 0.3 s" in problem["message"], problem


def test_existing_foreign_key_violations_are_a_warning_not_a_no(tmp_path: Path) -> None:
    path = badfiles.at_version(tmp_path, 9, "database.db")
    with sqlite3.connect(path, isolation_level=None) as conn:
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute("INSERT INTO agents (id, world_id, name, type, provider, model) "
                     "VALUES ('a1', 'nowhere', 'A', 'assistant', 'p', 'm')")
    conn.close()
    check = pf.preflight(path, wait=0).check("foreign_keys")
    assert check is not None and check.ok is None
    assert "1 existing row(s)" in check.message and "agents" in check.message
    run = run_cli("upgrade", path, "--json", "--no-backup")
    assert run.code == 0, run.text
    warning = next(e for e in run.events() if e.get("check") == "preflight:foreign_keys")
    assert warning["details"] == ["warning"]


def test_network_and_cloud_folders_are_a_warning(tmp_path: Path) -> None:
    mounts = [("/", "ext4"), ("/mnt/share", "nfs4"), ("/mnt/share/local", "ext4"),
              ("/media/box", "fuse.sshfs")]
    assert pf.location_kind(Path("/mnt/share/a.db"), mounts) == "network file system (nfs4)"
    assert pf.location_kind(Path("/media/box/x/a.db"), mounts) == "network file system (fuse.sshfs)"
    assert pf.location_kind(Path("/mnt/share/local/a.db"), mounts) is None
    assert pf.location_kind(Path("/home/u/Dropbox/app/a.db"), mounts) == "cloud-synced folder (Dropbox)"
    assert pf.location_kind(Path("/home/u/OneDrive - Acme/a.db"), mounts) is not None
    assert pf.location_kind(Path("/home/u/Google Drive/a.db"), mounts) is not None
    assert pf.location_kind(Path("/home/u/dropboxes/a.db"), mounts) is None
    folder = tmp_path / "Dropbox"
    folder.mkdir()
    path = badfiles.at_version(folder, 9, "database.db")
    checks = pf.preflight(path, wait=0)
    location = checks.check("location")
    assert location is not None and location.ok is None and "cloud-synced" in location.message
    assert checks.go  # a warning does not stop the run
    assert run_cli("upgrade", path, "--no-backup").code == 0


def test_too_old_sqlite_stops_the_run(tmp_path: Path, monkeypatch) -> None:
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "0000_init.sql").write_text("CREATE TABLE t (x, y);\n")
    (folder / "0001_drop.sql").write_text("ALTER TABLE t DROP COLUMN y;\n")
    db = badfiles.empty_file(tmp_path, "app.db")
    assert run_cli("upgrade", db, "--migrations", folder, "--to", "0", "--no-backup").code == 0
    digest = sha256(db)
    monkeypatch.setattr(pf.sqlite3, "sqlite_version_info", (3, 30, 0))
    run = run_cli("upgrade", db, "--migrations", folder, "--json", "--no-backup")
    assert run.code == 3, run.text
    problem = run.done["problems"][0]
    assert problem["code"] == "sqlite_too_old"
    assert "DROP COLUMN" in problem["message"]
    assert sha256(db) == digest


def test_backup_folder_must_exist_and_be_writable(tmp_path: Path) -> None:
    path = badfiles.at_version(tmp_path, 9, "database.db")
    check = pf.preflight(path, wait=0, backup_dir=tmp_path / "nowhere").check("folder")
    assert check is not None and check.ok is False and check.code == "missing"


def test_missing_and_not_sqlite_are_the_first_no(tmp_path: Path) -> None:
    assert pf.preflight(tmp_path / "missing.db").failures[0].code == "missing"
    bad = badfiles.not_sqlite_text(tmp_path)
    first = pf.preflight(bad).failures[0]
    assert (first.name, first.code) == ("readable", "not_sqlite")
    corrupt = badfiles.corrupted_page(tmp_path)
    first = pf.preflight(corrupt, wait=0).failures[0]
    assert (first.name, first.code) == ("quick_check", "corrupt")


def test_engine_api_result_carries_the_list(tmp_path: Path) -> None:
    path = badfiles.at_version(tmp_path, 9, "database.db")
    shutil.copy(path, tmp_path / "copy.db")
    result = engine.upgrade(tmp_path / "copy.db", engine.load_catalog(), backup=False)
    assert result.ok and result.preflight is not None and result.preflight.go
