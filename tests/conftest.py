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
