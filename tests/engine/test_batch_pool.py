"""engine.batch (SPEC §7.23): many files through worker processes, each on its own."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from helpers.batchfolder import damaged, fresh, mixed_folder, sha256, tracked

import engine

UPGRADED = {"fresh", "legacy", "tracked", "headered", "real"}


def outcomes_by_path(result: engine.BatchResult) -> dict[Path, Any]:
    return {Path(o.path): o for o in result.outcomes}


def user_version(path: Path) -> int:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])


def test_batch_files_takes_databases_and_never_backups_or_side_files(tmp_path: Path) -> None:
    files = mixed_folder(tmp_path)
    found = engine.batch_files([tmp_path])
    assert sorted(found) == sorted(files.values())
    named = engine.batch_files([tmp_path / "fresh.db-wal", files["fresh"], files["fresh"]])
    assert named == [files["fresh"]]  # a side file named is still not an input; no duplicates


def test_a_mixed_folder_gets_one_verdict_per_file(tmp_path: Path) -> None:
    files = mixed_folder(tmp_path)
    untouched = {name: sha256(files[name]) for name in ("ahead", "damaged")}
    events: list[Any] = []
    result = engine.batch([tmp_path], jobs=2, on_event=events.append)

    by_path = outcomes_by_path(result)
    assert {name for name, path in files.items()
            if by_path[path].kind == engine.BatchKind.UPGRADED} == UPGRADED & set(files)
    assert by_path[files["current"]].kind == engine.BatchKind.CURRENT
    assert by_path[files["ahead"]].reason == "ahead"
    assert by_path[files["damaged"]].reason == "damaged"
    upgraded = len(UPGRADED & set(files))
    assert result.message == f"{upgraded} upgraded, 1 already current, 2 refused: 1 ahead, 1 damaged"
    assert result.exit_code == 3
    for name, digest in untouched.items():
        assert sha256(files[name]) == digest, f"{name} was changed"
    for name in UPGRADED & set(files):
        assert user_version(files[name]) == 18
        assert list(files[name].parent.glob(f"{files[name].stem}.*.sqlmig-backup*")), name
    starts = [e for e in events if isinstance(e, engine.FileStartEvent)]
    dones = [e for e in events if isinstance(e, engine.FileDoneEvent)]
    assert len(starts) == len(dones) == len(files)
    assert any(isinstance(e, engine.FileProgressEvent) and e.event.name == "statement"
               for e in events)
    assert isinstance(events[-1], engine.BatchDoneEvent)
    assert events[-1].to_json()["refused"][0]["path"] in {str(files["ahead"]),
                                                          str(files["damaged"])}


@pytest.mark.parametrize("how", ["exit", "kill"])
def test_a_worker_dying_mid_file_leaves_that_file_old_and_the_rest_done(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    victim = tracked(tmp_path / "victim.db", 3)  # rollback journal: a cut-off write is hot
    others = [fresh(tmp_path / f"other{n}.db") for n in range(3)]
    before = sha256(victim)
    monkeypatch.setenv("SQLMIG_BATCH_FAULT", f"{how}:victim.db")

    result = engine.batch([tmp_path], jobs=2, backup=False)

    by_path = outcomes_by_path(result)
    crashed = by_path[victim]
    assert crashed.kind == engine.BatchKind.FAILED
    assert crashed.reason == "worker_crashed"
    assert "the file is at v3" in crashed.headline  # recovered, then read again
    assert sha256(victim) == before  # the hot journal was rolled back: byte for byte
    after = engine.inspect_file(victim)
    assert (after.state, after.current_version) == ("tracked", 3)  # not `interrupted`
    assert all(by_path[p].kind == engine.BatchKind.UPGRADED for p in others)
    assert all(user_version(p) == 18 for p in others)
    assert result.exit_code == 1
    assert result.message == "3 upgraded, 1 failed: worker crashed"


def test_cancel_rolls_back_the_file_in_flight_and_leaves_the_rest(tmp_path: Path) -> None:
    from gui import gui_files  # the slow catalog of the window's tests

    migrations = gui_files.slow_migrations(tmp_path / "migrations")
    catalog = engine.load_catalog(migrations)
    slow = gui_files.slow_file(tmp_path / "a", migrations)  # a/fresh.db: sorted first
    later = [fresh(tmp_path / "b" / f"later{n}.db") for n in range(2)]
    before = {p: sha256(p) for p in [slow, *later]}
    token = engine.CancelToken()

    def on_event(event: Any) -> None:
        if isinstance(event, engine.FileProgressEvent) and event.event.name == "statement":
            token.cancel()

    result = engine.batch([tmp_path / "a", tmp_path / "b"], catalog, jobs=1, backup=False,
                          on_event=on_event, cancel=token)

    by_path = outcomes_by_path(result)
    assert by_path[slow].kind == engine.BatchKind.CANCELLED
    assert all(by_path[p].kind == engine.BatchKind.NOT_STARTED for p in later)
    assert all(sha256(p) == digest for p, digest in before.items())
    assert result.exit_code == 1
    assert result.message == "1 cancelled (rolled back), 2 not started"


def test_an_empty_batch_says_so(tmp_path: Path) -> None:
    result = engine.batch([tmp_path])
    assert (result.outcomes, result.message, result.exit_code) == ([], "No database files found.", 0)


def test_a_missing_file_named_is_refused_and_the_others_still_run(tmp_path: Path) -> None:
    good = fresh(tmp_path / "good.db")
    result = engine.batch([tmp_path / "gone.db", good, damaged(tmp_path / "bad.db")], jobs=1)
    kinds = [(Path(o.path).name, o.kind, o.reason) for o in result.outcomes]
    assert kinds == [("gone.db", "refused", "missing"), ("good.db", "upgraded", ""),
                     ("bad.db", "refused", "damaged")]


def test_a_cancel_while_workers_start_is_a_cancel_not_a_crash(tmp_path: Path) -> None:
    """SIGTERM reaching a worker before its file's cancel handler is in place waits for it
    (blocked at spawn), instead of killing the worker."""
    files = [fresh(tmp_path / f"f{n}.db") for n in range(4)]
    before = {p: sha256(p) for p in files}
    token = engine.CancelToken()

    def on_event(event: Any) -> None:
        if isinstance(event, engine.FileStartEvent) and event.index == 2:
            token.cancel()  # both workers have a file; neither has started up yet

    result = engine.batch([tmp_path], jobs=2, on_event=on_event, cancel=token)

    kinds = [o.kind for o in result.outcomes]
    assert kinds[:2] == ["cancelled", "cancelled"], [o.headline for o in result.outcomes]
    assert kinds[2:] == ["not_started", "not_started"]
    assert all(sha256(p) == digest for p, digest in before.items())


def test_a_worker_that_does_not_stop_after_a_cancel_is_killed_and_its_file_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker that ignores SIGTERM inside its transaction is killed after KILL_AFTER seconds;
    SQLite's journal rolls its write back, and the outcome says the version read afterwards."""
    from engine.runtime import batch as batch_module

    monkeypatch.setattr(batch_module, "KILL_AFTER", 0.5)
    victim = tracked(tmp_path / "victim.db", 3)
    before = sha256(victim)
    monkeypatch.setenv("SQLMIG_BATCH_FAULT", "stall:victim.db")
    token = engine.CancelToken()
    statements = [0]

    def on_event(event: Any) -> None:
        if isinstance(event, engine.FileProgressEvent) and event.event.name == "statement":
            statements[0] += 1
            if statements[0] == 2:  # the worker stalls here, SIGTERM blocked
                token.cancel()

    result = engine.batch([victim], jobs=1, backup=False, on_event=on_event, cancel=token)

    outcome = result.outcomes[0]
    assert outcome.kind == engine.BatchKind.CANCELLED, outcome.headline
    assert "did not stop in time and was killed (killed by SIGKILL)" in outcome.headline
    assert "the file is at v3" in outcome.headline
    assert outcome.problems[0]["code"] == "cancelled"
    assert sha256(victim) == before
    assert engine.inspect_file(victim).state == "tracked"
    assert result.exit_code == 1
