"""Down parts of the bundled chain (SPEC §7.21): every migration has one, each takes the
chain's schema at V back to the schema at V-1, and adding them changed no checksum."""

from __future__ import annotations

import sqlite3

import engine
from engine.schema import compare, snapshot

# The whole-file checksums of the bundled files before they had down parts (commit af37126):
# files upgraded before must still verify `ok`.
CHECKSUMS_BEFORE_DOWN_PARTS = {
    0: "sha256:953a86e8dbd000a3fdf2f2512a902d7cb7cd936af9b83dfcfeeef43131fd7ec3",
    1: "sha256:d361ec5a034b70538759fec7949585a5b0929fa77d99ec3e51812f5c9c342d33",
    2: "sha256:777ca84bd44fcf14af497c7306f1e02a90e4a62ebf69c69167b3ddf616141c92",
    3: "sha256:809f464eadc49b9a81377e74ca21aeaedb583b9024220f008bebbb53538a77e5",
    4: "sha256:bbc6d0eb99f0f0dc97fc28e4ee16a8b377fdb6dee8a8715ebf134101f185cf09",
    5: "sha256:1332e0612b2d87d2e534ab51b5a7d75e67039483db5a08c39140c60fffcd00f2",
    6: "sha256:f6ac15cfa125c4c83884a0166379bce4187fb0eda27ee26b7d5e0257c76ff5e2",
    7: "sha256:2b8540d8da5d7c0d74e282a8b9ff82bfd61acce0d3af5a87d4f656887a080b61",
    8: "sha256:20566f4580a8eb762fb4523a990e307ab875e9cfbed7edfde4b30fc10b55cc1e",
    9: "sha256:9a58ae24eaab3915a0ccf97b6b3e2feccc28c708be8f2b134b2103abb7046fa3",
    10: "sha256:09d7cb05c1ab6748b50ae0a46fa93ca1625467583e0925612cea3e3ff390973d",
    11: "sha256:a40d77e738357bf45e119f883fc558b920eb63feac0baecba9699691a7011b71",
    12: "sha256:6aed21bb9ad8b4c1cc41684d1dbdbf852a492ef866cd33a33397eb1d19144b04",
    13: "sha256:59345fd11c46388042ca08d34b1bbd9a6d1c0d3dc53437118f244d128948e0b1",
    14: "sha256:812a26a26bea56abe2aed3125204becbdd39a30a02472c7ecd7d7ee971947ad1",
    15: "sha256:f189029a0cbdf043c18748a5ebc0aa54a533c8067aa3b4862a014da9ba51ac97",
    16: "sha256:3463c08c54889843c179c8baae42c6de43c1b9cdda6a6be5c7e9aafcf7b6952c",
    17: "sha256:3fb92e4a824db3afd59044f07b8ceb38adb25f603628716da4418b85cedea0e0",
    18: "sha256:c49f135c894bf60f2592de8d95dc807405b6070a71ad914f5eddd684e02abfc6",
}


def test_adding_down_parts_changed_no_checksum() -> None:
    catalog = engine.load_catalog()
    assert catalog.ok, catalog.problems
    assert {m.version: m.checksum for m in catalog.migrations} == CHECKSUMS_BEFORE_DOWN_PARTS


def test_every_bundled_migration_has_a_down_part() -> None:
    missing = [m.filename for m in engine.load_catalog().migrations if not m.down]
    assert missing == []


def _replay(conn: sqlite3.Connection, statements: list[str]) -> None:
    for sql in statements:
        conn.execute(sql)


def test_each_down_part_gives_the_schema_of_the_version_before() -> None:
    catalog = engine.load_catalog()
    conn = sqlite3.connect(":memory:")
    _replay(conn, [s.sql for m in catalog.migrations for s in m.up])
    for migration in reversed(catalog.migrations[1:]):
        assert migration.down is not None
        _replay(conn, [s.sql for s in migration.down])
        before = sqlite3.connect(":memory:")
        _replay(before, [s.sql for m in catalog.migrations if m.version < migration.version
                         for s in m.up])
        diff = compare(snapshot(conn), snapshot(before))
        assert diff.ok, (migration.filename, [d.message for d in diff.differences])
    assert catalog.migrations[0].down is not None
    _replay(conn, [s.sql for s in catalog.migrations[0].down])
    left = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    # The empty side tables of 0012's down part are dropped by the down runner, not by SQL.
    assert left <= {"sqlite_sequence", "agent_memory_unplaced", "archived_messages_unplaced"}
