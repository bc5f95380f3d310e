"""The demo database (SPEC §7.13): a legacy v0.6.x agent-world file, built by package code
(`sqlmig_migrations.demo`, shipped with the app's migrations).

No Qt needed: the builder is plain sqlite3.
"""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest

import engine
from sqlmig_migrations.demo import DEMO_ERA, build_demo_database
from sqlmig_migrations.legacy_schema import legacy_indexes, legacy_tables, legacy_triggers

REAL_V5 = "legacy-v5-2aafd789-fresh"

# What the era's initializeSchema() declares, in the order it runs (the real fixture's rowid order;
# `test_demo_shape_equals_real_fixture` holds the builder to the real file itself).
TABLES = [name for name, _sql in legacy_tables(DEMO_ERA)]
INDEXES = [name for name, _table, _cols in legacy_indexes(DEMO_ERA)]
TRIGGERS = [name for name, _sql in legacy_triggers(DEMO_ERA)]
WORLDS_W_D = [
    "id", "name", "description", "turn_limit", "chat_llm_provider", "chat_llm_model",
    "current_chat_id", "mcp_config", "created_at", "updated_at",
]
MEMORY_M_B = ["id", "agent_id", "world_id", "role", "content", "sender", "chat_id", "created_at"]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_demo_database(tmp_path_factory.mktemp("demo"))


def _names(conn: sqlite3.Connection, kind: str) -> list[str]:
    rows = conn.execute("SELECT name FROM sqlite_master WHERE type = ? ORDER BY rowid", (kind,))
    return [name for (name,) in rows]


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in conn.execute(f'PRAGMA table_info("{table}")')]


def _shape(conn: sqlite3.Connection) -> dict[str, object]:
    """Everything schema-related that PRAGMAs and sqlite_master tell, whitespace-normalised."""
    shape: dict[str, object] = {}
    for kind, name, table, sql in conn.execute(
        "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"
    ):
        text = re.sub(r"\s+", " ", sql).strip() if sql else None
        shape[f"{kind}:{name}"] = (table, text)
        if kind == "table":
            for pragma in ("table_info", "foreign_key_list", "index_list"):
                shape[f"{pragma}:{name}"] = conn.execute(f'PRAGMA {pragma}("{name}")').fetchall()
        elif kind == "index":
            shape[f"index_xinfo:{name}"] = conn.execute(f'PRAGMA index_xinfo("{name}")').fetchall()
    return shape


def test_demo_file_is_a_legacy_v5_file(demo: Path) -> None:
    assert demo.name == "database.db"
    with closing(sqlite3.connect(demo)) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 5
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA page_size").fetchone()[0] == 4096
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert "schema_migrations" not in _names(conn, "table")


def test_demo_has_every_object_of_the_real_v5_file(demo: Path) -> None:
    with closing(sqlite3.connect(demo)) as conn:
        tables = _names(conn, "table")
        assert [t for t in tables if t != "sqlite_sequence"] == TABLES
        assert "sqlite_sequence" in tables  # AUTOINCREMENT tables
        indexes = _names(conn, "index")
        assert [i for i in indexes if not i.startswith("sqlite_autoindex_")] == INDEXES
        assert _names(conn, "trigger") == TRIGGERS
        assert _names(conn, "view") == []
        assert _columns(conn, "worlds") == WORLDS_W_D
        assert _columns(conn, "agent_memory") == MEMORY_M_B
        # F3: no summary columns; legacy archive layouts.
        assert "summary" not in _columns(conn, "world_chats")
        assert "summary" not in _columns(conn, "memory_archives")
        assert "original_created_at" in _columns(conn, "archived_messages")
        assert "agent_id" not in _columns(conn, "archived_messages")
        assert "stat_type" in _columns(conn, "archive_statistics")


def test_demo_sample_data(demo: Path) -> None:
    with closing(sqlite3.connect(demo)) as conn:
        count = {
            t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]
            for t in TABLES
        }
        assert count["agent_memory"] == 200
        assert count["archived_messages"] == 10
        assert count["worlds"] == 4
        assert count["world_chats"] == 4
        assert count["agents"] == 5
        assert count["memory_archives"] >= 1
        assert count["archive_statistics"] >= 1
        ids = [w for (w,) in conn.execute("SELECT id FROM worlds")]
        assert "default-world" in ids
        per_agent = conn.execute("SELECT count(*) FROM agent_memory GROUP BY agent_id").fetchall()
        assert per_agent == [(40,)] * 5
        nulls = conn.execute(
            "SELECT count(*) - count(sender), count(*) - count(chat_id) FROM agent_memory"
        ).fetchone()
        assert nulls[0] > 0 and nulls[1] > 0
        text = " ".join(c for (c,) in conn.execute("SELECT content FROM agent_memory"))
        for script in (r"[\u0400-\u04ff]", r"[\u4e00-\u9fff]", r"[\u0600-\u06ff]", r"[\u3040-\u30ff]"):
            assert re.search(script, text), script


def test_demo_is_deterministic_and_never_overwrites(tmp_path: Path) -> None:
    first = build_demo_database(tmp_path / "a")
    second = build_demo_database(tmp_path / "b")
    with closing(sqlite3.connect(first)) as a, closing(sqlite3.connect(second)) as b:
        assert list(a.iterdump()) == list(b.iterdump())
    with pytest.raises(FileExistsError):
        build_demo_database(tmp_path / "a")


def test_demo_builder_needs_no_qt() -> None:
    code = "import sys, sqlmig_migrations.demo; sys.exit(1 if 'PySide6' in sys.modules else 0)"
    assert subprocess.run([sys.executable, "-c", code], timeout=60).returncode == 0


@pytest.mark.fixtures
def test_demo_shape_equals_real_fixture(demo: Path, fixture_copy: Callable[[str], Path]) -> None:
    real = fixture_copy(REAL_V5)
    with closing(sqlite3.connect(demo)) as ours, closing(sqlite3.connect(real)) as theirs:
        assert ours.execute("PRAGMA user_version").fetchone() == theirs.execute(
            "PRAGMA user_version"
        ).fetchone()
        for kind in ("table", "index", "trigger", "view"):
            assert _names(ours, kind) == _names(theirs, kind), kind
        ours_shape, theirs_shape = _shape(ours), _shape(theirs)
        assert ours_shape.keys() == theirs_shape.keys()
        different = [k for k in ours_shape if ours_shape[k] != theirs_shape[k]]
        assert not different, different


def test_the_catalog_ignores_the_builder_modules(bundled_migrations: Path) -> None:
    """The builder lives beside the chain's .sql files: the catalog reads only those."""
    assert (bundled_migrations / "demo.py").is_file()
    catalog = engine.load_catalog()
    assert engine.catalog_problems(catalog) == []
    assert [m.version for m in catalog.migrations] == list(range(19))
