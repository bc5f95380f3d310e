"""dbmate itself, run after sqlmig on the same file and folder, finds nothing to do (SPEC §7.19).

`scripts/dev test` installs dbmate into .venv/node (its npm package ships a static binary). The
test skips only when npm is not available at all."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

import engine
from tests.dialects.folders import at_middle_version, empty_db, make_folder, rows

REPO = Path(__file__).resolve().parents[2]


def dbmate_binary() -> str:
    for candidate in (os.environ.get("SQLMIG_DBMATE"),
                      str(REPO / ".venv" / "node" / "node_modules" / ".bin" / "dbmate"),
                      shutil.which("dbmate")):
        if candidate and Path(candidate).is_file():
            return candidate
    if shutil.which("npm") is None:
        pytest.skip("npm is not installed, so dbmate cannot be installed: dbmate test skipped")
    pytest.fail("dbmate is not installed: run `bash scripts/dev test`, which installs it into "
                ".venv/node with npm (or set SQLMIG_DBMATE to a dbmate binary)")


def dbmate(db: Path, folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [dbmate_binary(), "--url", f"sqlite:{db}", "--migrations-dir", str(folder),
         "--no-dump-schema", *args],
        capture_output=True, text=True, timeout=60, check=False,
    )


@pytest.mark.parametrize("start", ["empty", "middle"])
def test_dbmate_finds_nothing_pending_after_sqlmig(tmp_path: Path, start: str) -> None:
    folder = make_folder(tmp_path, "dbmate")
    db = empty_db(tmp_path) if start == "empty" else at_middle_version(tmp_path, "dbmate", folder)
    assert engine.upgrade(db, engine.load_catalog(folder), backup=False).ok
    status = dbmate(db, folder, "status")
    assert status.returncode == 0, status.stderr
    assert "Pending: 0" in status.stdout, status.stdout
    assert f"Applied: {len(engine.load_catalog(folder).migrations)}" in status.stdout
    before = rows(db, "SELECT version FROM schema_migrations ORDER BY version")
    migrate = dbmate(db, folder, "migrate")
    assert migrate.returncode == 0, migrate.stderr
    assert "Applying" not in migrate.stdout
    assert rows(db, "SELECT version FROM schema_migrations ORDER BY version") == before


def test_sqlmig_reads_what_dbmate_wrote(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, "dbmate")
    db = tmp_path / "app.db"
    made = dbmate(db, folder, "up")
    assert made.returncode == 0, made.stderr
    found = engine.inspect_file(db, engine.load_catalog(folder))
    assert (found.state, found.pending) == ("tracked", ())
    assert found.current_version == 20240302000000
