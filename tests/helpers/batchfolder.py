"""A mixed folder for batch tests: fresh, legacy, tracked, ahead and damaged files (built with
tests/builders and the engine), plus what a batch must never take as input (a backup, its
sidecar, a -wal decoy, a text file). With SQLMIG_REAL_FIXTURES set, a real app-written legacy
file joins them."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

from builders.legacy import build_legacy

import engine

REAL_LEGACY = "legacy-chain-19f31173-to-a8962e7f.db"  # uv 7, app-written


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fresh(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("VACUUM")  # a valid header, no tables
    return path


def tracked(path: Path, version: int | None) -> Path:
    fresh(path)
    result = engine.upgrade(path, target=version, backup=False)
    assert result.ok, result.error
    return path


def ahead(path: Path) -> Path:
    tracked(path, None)
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA user_version = 25")
    return path


def damaged(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"These are my notes, not a database.\n" * 200)
    return path


def mixed_folder(folder: Path) -> dict[str, Path]:
    """name → path of each database file a batch of `folder` must take (sub-folders included)."""
    (folder / "shop").mkdir(parents=True, exist_ok=True)
    files = {
        "fresh": fresh(folder / "fresh.db"),
        "legacy": build_legacy(folder / "shop" / "legacy.sqlite", era="F8", rng=7).path,
        "tracked": tracked(folder / "tracked.db", 9),
        "current": tracked(folder / "shop" / "current.db", None),
        "ahead": ahead(folder / "ahead.sqlite3"),
        "damaged": damaged(folder / "notes.db"),
    }
    # Never inputs: an earlier backup and its sidecar, a side file, a text file.
    backup = folder / "shop" / "current.20250101-000000.v18.sqlmig-backup.db"
    shutil.copyfile(files["current"], backup)
    backup.with_name(backup.name + ".json").write_text("{}", encoding="utf-8")
    (folder / "fresh.db-wal").write_bytes(b"")
    (folder / "readme.txt").write_text("not a database", encoding="utf-8")
    # A database without a database extension is found by its header.
    files["headered"] = tracked(folder / "shop" / "orders.data", 12)
    root = os.environ.get("SQLMIG_REAL_FIXTURES")
    real = Path(root) / "agent-world" / REAL_LEGACY if root else None
    if real is not None and real.is_file():
        target = folder / "real" / REAL_LEGACY
        target.parent.mkdir()
        shutil.copyfile(real, target)
        target.chmod(0o644)
        files["real"] = target
    return files
