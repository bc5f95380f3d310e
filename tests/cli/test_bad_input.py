"""Bad input never damages anything (SPEC §4.2, §6, §7.7, §7.9).

Every awkward file gets a clear one-sentence message and a hint, `upgrade` exits 3, `status` exits 0
for a database FILE in any state (3 for a missing path or a folder), and the file's bytes are the
same afterwards with no new file beside it (SQLite may leave an empty -wal/-shm).
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers import badfiles
from helpers.badfiles import CliRun, run_cli, sha256

from engine import api

REPO_ROOT = Path(__file__).resolve().parents[2]
TRACEBACK_WORDS = ("Traceback", "sqlite3.", "OperationalError", "DatabaseError", 'File "')


@dataclass(frozen=True)
class Expect:
    states: frozenset[str]  # what `status` may call it
    status_code: str | None  # a problem code `status` must list (None: none required)
    upgrade_code: str  # the code of upgrade's refusal


def expect(states: str, status_code: str | None, upgrade_code: str) -> Expect:
    return Expect(frozenset(states.split()), status_code, upgrade_code)


EXPECTED: dict[str, Expect] = {
    "not_sqlite_text": expect("damaged", "not_sqlite", "not_sqlite"),
    "random_bytes": expect("damaged", "not_sqlite", "not_sqlite"),
    "encrypted_looking": expect("damaged", "not_sqlite", "not_sqlite"),
    "truncated_50": expect("damaged", "corrupt", "corrupt"),
    "truncated_page": expect("damaged", "corrupt", "corrupt"),
    "truncated_mid": expect("damaged", "corrupt", "corrupt"),
    "header_damaged": expect("damaged", "corrupt", "corrupt"),
    # status reads only the schema, so it may not see a damaged data page (SPEC §4.2); the
    # upgrade preflight's quick_check must.
    "corrupted_page": expect("tracked damaged", None, "corrupt"),
    "foreign_db": expect("foreign", "foreign", "foreign"),
    "ahead_db": expect("ahead", "ahead", "ahead"),
    "huge_user_version": expect("ahead", "ahead", "ahead"),
    "garbage_history": expect("legacy", "bad_history", "bad_history"),
}
assert set(EXPECTED) == set(badfiles.BAD_FILES)
NAMES = sorted(EXPECTED)


def check_sentence(message: str) -> None:
    """A message a support person can read: one line, ending with a period, no Python in it."""
    assert message and message.strip() == message, repr(message)
    assert "\n" not in message, repr(message)
    assert message.endswith("."), repr(message)
    for word in TRACEBACK_WORDS:
        assert word not in message, f"{word!r} in {message!r}"


def check_no_repeats(message: str) -> None:
    sentences = [s.strip() for s in re.split(r"(?<=\.)\s+", message) if s.strip()]
    repeated = {s for s in sentences if sentences.count(s) > 1}
    assert not repeated, f"repeated sentence(s) {repeated} in {message!r}"


def check_unchanged(path: Path, digest: str, before: dict[str, int]) -> None:
    assert sha256(path) == digest, f"{path.name} changed"
    assert badfiles.new_files(before, path.parent) == {}


def no_traceback(run: CliRun) -> None:
    for word in ("Traceback", 'File "'):
        assert word not in run.text, run.text


@pytest.fixture
def bad_file(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    folder = tmp_path / request.param
    folder.mkdir()
    return badfiles.BAD_FILES[request.param](folder)


# -- every bad file --------------------------------------------------------------------------------


@pytest.mark.parametrize("bad_file", NAMES, indirect=True)
def test_status_classifies_without_writing(bad_file: Path) -> None:
    expected = EXPECTED[bad_file.parent.name]
    digest, before = sha256(bad_file), badfiles.files_in(bad_file.parent)
    run = run_cli("status", bad_file, "--json")
    assert run.code == 0, run.text
    data = run.json()
    assert data["state"] in expected.states, data
    codes = [p["code"] for p in data["problems"]]
    if expected.status_code:
        assert expected.status_code in codes, data["problems"]
    for problem in data["problems"]:
        check_sentence(problem["message"])
        assert problem["hint"].strip(), problem
    text = run_cli("status", bad_file)
    assert text.code == 0, text.text
    assert data["state"] in text.out
    no_traceback(text)
    check_unchanged(bad_file, digest, before)


@pytest.mark.parametrize("bad_file", NAMES, indirect=True)
def test_upgrade_refuses_without_writing(bad_file: Path) -> None:
    expected = EXPECTED[bad_file.parent.name]
    digest, before = sha256(bad_file), badfiles.files_in(bad_file.parent)
    for extra in ([], ["--dry-run"], ["--no-backup", "--mode", "stepwise"]):
        run = run_cli("upgrade", bad_file, "--json", *extra)
        assert run.code == 3, (extra, run.text)
        done = run.done
        assert done["event"] == "done" and done["ok"] is False
        assert done["backup"] is None
        assert done["problems"][0]["code"] == expected.upgrade_code, done["problems"]
        check_unchanged(bad_file, digest, before)
    text = run_cli("upgrade", bad_file)
    assert text.code == 3, text.text
    assert "hint:" in text.text
    no_traceback(text)
    check_unchanged(bad_file, digest, before)


@pytest.mark.parametrize("bad_file", NAMES, indirect=True)
def test_upgrade_refusal_message_and_hint(bad_file: Path) -> None:
    problem = run_cli("upgrade", bad_file, "--json").done["problems"][0]
    check_sentence(problem["message"])
    assert problem["hint"].strip(), problem
    check_sentence(problem["hint"])


@pytest.mark.parametrize("bad_file", NAMES, indirect=True)
def test_upgrade_refusal_repeats_nothing(bad_file: Path) -> None:
    run = run_cli("upgrade", bad_file, "--json")
    check_no_repeats(run.done["problems"][0]["message"])
    text = run_cli("upgrade", bad_file)
    check_no_repeats(" ".join(line for line in text.text.splitlines() if line.endswith(".")))


@pytest.mark.parametrize("bad_file", NAMES, indirect=True)
def test_refusal_is_a_single_done_line(bad_file: Path) -> None:
    run = run_cli("upgrade", bad_file, "--json")
    assert [e["event"] for e in run.events()] == ["done"]


@pytest.mark.parametrize("at", badfiles.TRUNCATIONS)
def test_truncated_file_is_called_truncated(tmp_path: Path, at: str) -> None:
    path = badfiles.truncated(tmp_path, at)
    data = run_cli("status", path, "--json").json()
    assert data["state"] == "damaged"
    assert "truncated" in data["problems"][0]["message"].lower(), data["problems"]


def test_verify_refuses_a_non_database(tmp_path: Path) -> None:
    """Bad input is refused (3), not a failed check (1)."""
    path = badfiles.not_sqlite_text(tmp_path)
    digest, before = sha256(path), badfiles.files_in(tmp_path)
    run = run_cli("verify", path)
    assert run.code == 3, run.text
    assert "hint:" in run.text
    no_traceback(run)
    check_unchanged(path, digest, before)


def test_corrupted_page_is_refused_by_quick_check(tmp_path: Path) -> None:
    path = badfiles.corrupted_page(tmp_path)
    run = run_cli("upgrade", path, "--json", "--no-backup")
    assert run.code == 3
    assert run.done["problems"][0]["code"] == "corrupt"
    # Nothing ran: no step started.
    assert not [e for e in run.events() if e["event"] in ("step_start", "backup")]


def test_backup_of_bad_file_is_refused(tmp_path: Path) -> None:
    path = badfiles.random_bytes(tmp_path)
    digest, before = sha256(path), badfiles.files_in(tmp_path)
    run = run_cli("backup", path)
    assert run.code == 3, run.text
    assert "error:" in run.err and "hint:" in run.err
    no_traceback(run)
    check_unchanged(path, digest, before)


# -- an empty file is fresh, not an error ----------------------------------------------------------


def test_empty_file_is_fresh(tmp_path: Path) -> None:
    path = badfiles.empty_file(tmp_path)
    run = run_cli("status", path, "--json")
    assert run.code == 0
    assert run.json()["state"] == "fresh"
    assert run.json()["problems"] == []
    dry = run_cli("upgrade", path, "--dry-run")
    assert dry.code == 0, dry.text
    assert path.read_bytes() == b""
    assert badfiles.new_files({path.name: 0}, tmp_path) == {}
    up = run_cli("upgrade", path, "--no-backup")
    assert up.code == 0, up.text
    assert run_cli("status", path, "--json").json()["state"] == "tracked"


# -- paths that are not files ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["status"], ["status", "--json"], ["upgrade"], ["upgrade", "--json"],
        ["upgrade", "--dry-run"], ["upgrade", "--no-backup"], ["verify"], ["backup"],
    ],
    ids=lambda a: "-".join(x.strip("-") for x in a),
)
def test_missing_path_is_never_created(tmp_path: Path, argv: list[str]) -> None:
    for path in (tmp_path / "missing.db", tmp_path / "no-folder" / "missing.db"):
        run = run_cli(argv[0], path, *argv[1:])
        assert run.code == 3, run.text
        no_traceback(run)
        assert not path.exists()
        assert not path.parent.exists() or sorted(path.parent.iterdir()) == []
        if "--json" in argv:
            problems = run.json()["problems"] if argv[0] == "status" else run.done["problems"]
            assert problems[0]["code"] == "missing"
            check_sentence(problems[0]["message"])
            assert problems[0]["hint"]
        else:
            assert "hint:" in run.text


def test_directory_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "database.db"
    folder.mkdir()
    (folder / "inside.txt").write_text("x")
    for argv in (["status", "--json"], ["upgrade", "--json"]):
        run = run_cli(argv[0], folder, *argv[1:])
        assert run.code == 3, run.text
        problems = run.json()["problems"] if argv[0] == "status" else run.done["problems"]
        assert problems[0]["code"] == "is_directory"
        check_sentence(problems[0]["message"])
        assert problems[0]["hint"]
    text = run_cli("status", folder)
    assert text.code == 3 and "hint:" in text.err
    assert sorted(p.name for p in folder.iterdir()) == ["inside.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["database.db"]


def test_symlink_loop_is_refused(tmp_path: Path) -> None:
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    a.symlink_to(b)
    b.symlink_to(a)
    for argv in (["status", "--json"], ["upgrade", "--json"]):
        run = run_cli(argv[0], a, *argv[1:])
        assert run.code == 3, run.text
        problems = run.json()["problems"] if argv[0] == "status" else run.done["problems"]
        assert problems[0]["code"] == "missing"
        assert "link" in problems[0]["message"]
        check_sentence(problems[0]["message"])
        assert problems[0]["hint"]
    assert a.is_symlink() and b.is_symlink()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.db", "b.db"]


# -- a bad migrations folder -----------------------------------------------------------------------

GOOD = b"CREATE TABLE t(x);\n"
BAD_FOLDERS: dict[str, tuple[dict[str, bytes], str, int | None]] = {
    # name: ({file: bytes}, file the first problem names, its line or None)
    "duplicate_version": ({"0000_init.sql": GOOD, "0000_again.sql": b"CREATE TABLE u(y);\n"},
                          "0000_again.sql", None),
    "bad_name": ({"0000_init.sql": GOOD, "1_Bad-Name.sql": b"CREATE TABLE u(y);\n"},
                 "1_Bad-Name.sql", None),
    "not_utf8": ({"0000_init.sql": b"CREATE TABLE t(x);\n-- caf\xe9\n"}, "0000_init.sql", 2),
    "incomplete_statement": ({"0000_init.sql": b"CREATE TABLE t(x);\nCREATE TABLE u(y\n"},
                             "0000_init.sql", 2),
    "unknown_directive": ({"0000_init.sql": b"-- frobnicate: yes\nCREATE TABLE t(x);\n"},
                          "0000_init.sql", 1),
    "vacuum_in_transaction": ({"0000_init.sql": GOOD, "0001_vacuum.sql": b"\nVACUUM;\n"},
                              "0001_vacuum.sql", 2),
}


def make_folder(root: Path, files: dict[str, bytes]) -> Path:
    folder = root / "migrations"
    folder.mkdir()
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return folder


@pytest.mark.parametrize("case", sorted(BAD_FOLDERS))
def test_bad_catalog_blocks_upgrade_not_status(tmp_path: Path, case: str) -> None:
    files, bad_file, line = BAD_FOLDERS[case]
    folder = make_folder(tmp_path, files)
    db = badfiles.empty_file(tmp_path, "database.db")
    before = badfiles.files_in(tmp_path)

    run = run_cli("upgrade", db, "--migrations", folder, "--json")
    assert run.code == 3, run.text
    assert [e["event"] for e in run.events()] == ["done"]
    problem = run.done["problems"][0]
    assert problem["code"] == "bad_catalog"
    if line is None:
        assert problem["file"] in files
    else:
        assert (problem["file"], problem["line"]) == (bad_file, line)
    check_sentence(problem["message"])
    assert problem["hint"]
    assert problem["file"] in problem["message"]
    text = run_cli("upgrade", db, "--migrations", folder)
    assert text.code == 3 and "hint:" in text.text
    no_traceback(text)
    assert run_cli("upgrade", db, "--migrations", folder, "--dry-run").code == 3
    assert db.read_bytes() == b""
    assert badfiles.new_files(before, tmp_path) == {}

    # Inspection still works and lists every problem with its file (and line where there is one).
    st = run_cli("status", db, "--migrations", folder, "--json")
    assert st.code == 0, st.text
    data = st.json()
    assert data["state"] == "fresh"
    listed = [p for p in data["problems"] if p["code"] == "bad_catalog"]
    assert bad_file in {p.get("file") for p in listed}
    if line is not None:
        assert (bad_file, line) in {(p.get("file"), p.get("line")) for p in listed}
    st_text = run_cli("status", db, "--migrations", folder)
    assert st_text.code == 0 and bad_file in st_text.out


def test_good_custom_catalog_upgrades(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, {"0000_init.sql": GOOD, "0001_more.sql": b"CREATE TABLE u(y);\n"})
    db = badfiles.empty_file(tmp_path, "database.db")
    run = run_cli("upgrade", db, "--migrations", folder, "--json", "--no-backup")
    assert run.code == 0, run.text
    assert run.done["to_version"] == 1
    data = run_cli("status", db, "--migrations", folder, "--json").json()
    assert data["state"] == "tracked" and data["current_version"] == 1


def test_missing_migrations_folder(tmp_path: Path) -> None:
    db = badfiles.empty_file(tmp_path, "database.db")
    run = run_cli("upgrade", db, "--migrations", tmp_path / "nowhere", "--json")
    assert run.code == 3, run.text
    assert run.done["problems"][0]["code"] == "bad_catalog"
    check_sentence(run.done["problems"][0]["message"])
    assert db.read_bytes() == b""
    assert not (tmp_path / "nowhere").exists()


# -- a file in use ---------------------------------------------------------------------------------


@pytest.fixture
def held(tmp_path: Path) -> Iterator[tuple[Path, sqlite3.Connection]]:
    """A v9 file on which another connection holds the write lock (BEGIN IMMEDIATE)."""
    path = badfiles.at_version(tmp_path, 9, "database.db")
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    try:
        yield path, holder
    finally:
        if holder.in_transaction:
            holder.execute("ROLLBACK")
        holder.close()


def test_locked_file_is_refused_quickly(held: tuple[Path, sqlite3.Connection]) -> None:
    path, _holder = held
    digest, before = sha256(path), badfiles.files_in(path.parent)
    run = run_cli("upgrade", path, "--wait", "0.5", "--no-backup", "--json")
    assert run.code == 3, run.text
    assert run.seconds < 5, f"took {run.seconds:.1f} s with --wait 0.5"
    assert [e["event"] for e in run.events()] == ["done"]  # a refusal is one `done` line
    problem = run.done["problems"][0]
    assert problem["code"] == "locked"
    check_sentence(problem["message"])
    assert "in use" in problem["message"] and "another program" in problem["message"]
    assert problem["hint"]
    text = run_cli("upgrade", path, "--wait", "0.5", "--no-backup")
    assert text.code == 3
    assert "in use by another program" in text.text
    no_traceback(text)
    check_unchanged(path, digest, before)


def test_locked_file_is_refused_before_the_backup(held: tuple[Path, sqlite3.Connection]) -> None:
    path, _holder = held
    digest, before = sha256(path), badfiles.files_in(path.parent)
    run = run_cli("upgrade", path, "--wait", "0.3", "--json")
    assert run.code == 3, run.text
    assert run.done["problems"][0]["code"] == "locked"
    assert run.done["backup"] is None
    check_unchanged(path, digest, before)  # no backup of a file that cannot be upgraded


def test_upgrade_waits_for_the_lock(held: tuple[Path, sqlite3.Connection]) -> None:
    path, holder = held
    timer = threading.Timer(0.3, lambda: holder.execute("ROLLBACK"))
    timer.start()
    try:
        run = run_cli("upgrade", path, "--wait", "10", "--no-backup", "--json")
    finally:
        timer.join()
    assert run.code == 0, run.text
    assert run.done["to_version"] == api.load_catalog().head_version


# -- read-only file or folder (as an unprivileged user: root ignores permissions) ------------------

NOBODY = 65534
SETPRIV = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]


def _probe(python: str, env: dict[str, str]) -> str | None:
    """None when `python` run as nobody imports the engine; else what went wrong."""
    try:
        proc = subprocess.run(
            [*SETPRIV, python, "-c", "import sqlite3, engine.cli"],
            capture_output=True, text=True, timeout=60, env=env, cwd="/",
        )
    except OSError as exc:
        return f"{python}: {exc}"
    if proc.returncode != 0:
        return f"{python}: exit {proc.returncode}: {proc.stderr.strip()[-300:]}"
    return None


@pytest.fixture(scope="module")
def nobody() -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run `python -m engine ARGS` as uid/gid 65534 (returns a runner)."""
    if os.geteuid() != 0:
        pytest.skip("read-only tests switch to uid 65534 with setpriv, which needs root")
    if shutil.which("setpriv") is None:
        pytest.skip("setpriv (util-linux) is not installed")
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    env.pop("PYTHONHOME", None)
    failures = []
    for python in dict.fromkeys([sys.executable, "/usr/bin/python3"]):
        error = _probe(python, env)
        if error is None:
            break
        failures.append(error)
    else:
        pytest.skip("uid 65534 cannot run a Python that imports the engine: " + "; ".join(failures))

    def run(*args: object) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*SETPRIV, python, "-m", "engine", *map(str, args)],
            capture_output=True, text=True, timeout=120, env=env, cwd="/",
        )

    return run


@pytest.fixture
def shared_folder() -> Iterator[Path]:
    """A folder uid 65534 can reach (pytest's tmp_path is private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="sqlmig-ro-"))
    os.chmod(folder, 0o755)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.parametrize("what", ["file", "folder"])
def test_read_only_is_refused(
    what: str, shared_folder: Path, nobody: Callable[..., subprocess.CompletedProcess[str]]
) -> None:
    path = badfiles.at_version(shared_folder, 9, "database.db")
    if what == "file":  # nobody may write the folder but not the file
        os.chown(shared_folder, NOBODY, NOBODY)
        os.chmod(path, 0o444)
    else:  # nobody owns the file, but the folder (root's, 0755) is read-only to them
        os.chown(path, NOBODY, NOBODY)
        os.chmod(path, 0o644)
    digest, before = sha256(path), badfiles.files_in(shared_folder)

    st = nobody("status", path, "--json")
    assert st.returncode == 0, st.stderr
    assert '"state": "tracked"' in st.stdout

    for extra in ([], ["--no-backup"]):
        up = nobody("upgrade", path, "--json", *extra)
        assert up.returncode == 3, (up.stdout[-2000:], up.stderr)
        events = badfiles.CliRun(up.returncode, up.stdout, up.stderr, 0).events()
        assert [e["event"] for e in events] == ["done"]  # a refusal is one `done` line
        done = events[0]
        assert done["ok"] is False
        problem = done["problems"][0]
        assert problem["code"] == "read_only"
        check_sentence(problem["message"])
        assert problem["hint"]
        check_unchanged(path, digest, before)
    text = nobody("upgrade", path)
    assert text.returncode == 3
    assert "read-only" in text.stdout + text.stderr
    assert "Traceback" not in text.stderr
    check_unchanged(path, digest, before)


def test_read_only_keeps_file_readable_for_status(
    shared_folder: Path, nobody: Callable[..., subprocess.CompletedProcess[str]]
) -> None:
    """Inspection of a read-only file in a read-only folder writes nothing and still works."""
    path = badfiles.head_db(shared_folder, "database.db")
    os.chmod(path, 0o444)
    digest, before = sha256(path), badfiles.files_in(shared_folder)
    st = nobody("status", path)
    assert st.returncode == 0, st.stderr
    assert "tracked" in st.stdout
    vf = nobody("verify", path)
    assert vf.returncode == 0, (vf.stdout, vf.stderr)
    check_unchanged(path, digest, before)
