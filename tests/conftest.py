"""Shared test setup: offscreen Qt, the real agent-world fixtures, the bundled migrations."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

# Before anything imports Qt: tests never need a display.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def bundled_migrations() -> Path:
    """The repo's own migrations folder (the bundled agent-world chain)."""
    return REPO_ROOT / "migrations"


@pytest.fixture(scope="session")
def real_fixtures() -> Path:
    """``$SQLMIG_REAL_FIXTURES/agent-world``: the app-written files. Read-only: copy before use."""
    root = os.environ.get("SQLMIG_REAL_FIXTURES")
    if not root:
        pytest.skip("SQLMIG_REAL_FIXTURES is not set: real agent-world fixtures skipped")
    folder = Path(root) / "agent-world"
    if not folder.is_dir():
        pytest.skip(f"SQLMIG_REAL_FIXTURES has no agent-world folder ({folder}): fixtures skipped")
    return folder


@pytest.fixture
def fixture_copy(real_fixtures: Path, tmp_path: Path) -> Callable[[str], Path]:
    """Factory: ``fixture_copy("legacy-v5-2aafd789-fresh")`` copies that fixture (and any -wal/-shm
    beside it) into its own folder under tmp_path and returns the copy's path (writable)."""
    counter = 0

    def copy(name: str) -> Path:
        nonlocal counter
        file_name = name if name.endswith(".db") else f"{name}.db"
        source = real_fixtures / file_name
        if not source.is_file():
            raise FileNotFoundError(f"no fixture named {file_name} in {real_fixtures}")
        counter += 1
        target_dir = tmp_path / f"fixture-{counter}"
        target_dir.mkdir()
        target = target_dir / file_name
        for suffix in ("", "-wal", "-shm"):
            side = source.with_name(source.name + suffix)
            if side.exists():
                dest = target.with_name(target.name + suffix)
                shutil.copyfile(side, dest)
                dest.chmod(0o644)
        return target

    return copy


MILLION = 1_000_000


@pytest.fixture(scope="session")
def million_rows(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A file with `big` (1,000,000 rows: id, name, n, data BLOB) and `small` (100 rows), built
    once per session with a recursive CTE. Read-only for tests: copy it before writing."""
    import sqlite3
    from contextlib import closing

    path = tmp_path_factory.mktemp("million") / "million.db"
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("CREATE TABLE big (id INTEGER PRIMARY KEY, name TEXT, n INTEGER, data BLOB)")
        conn.execute("CREATE TABLE small (id INTEGER PRIMARY KEY, name TEXT, n INTEGER, data BLOB)")
        conn.execute("CREATE INDEX idx_big_n ON big (n)")
        for table, count in (("big", MILLION), ("small", 100)):
            conn.execute(
                f"INSERT INTO {table} (id, name, n, data) "
                "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ?) "
                "SELECT x, 'name ' || x, (x * 7919) % 1000, "
                "CASE WHEN x % 10 = 0 THEN randomblob(40) END FROM c", (count,))
        conn.commit()
    return path
