"""The bundled agent-world chain (migrations/0000..0018), checked with raw sqlite3.

Independent of the engine: a tiny runner applies the files the way the engine
does (one statement at a time inside BEGIN IMMEDIATE, history row, user_version,
foreign keys off around the file that asks for it), and a PRAGMA-based dump
compares the result with the head schema of agent-world-schema.md section 4
and with a file written by the real app.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"
FILE_RE = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
DIRECTIVE_RE = re.compile(r"^-- ([a-z0-9-]+):\s*(.*?)\s*$")


# --------------------------------------------------------------------------
# A minimal runner


def catalog() -> dict[int, tuple[str, Path]]:
    found = {}
    for path in sorted(MIGRATIONS.glob("*.sql")):
        m = FILE_RE.match(path.name)
        assert m, f"bad migration file name {path.name}"
        found[int(m.group(1))] = (m.group(2), path)
    return found


def directives(text: str) -> dict[str, str]:
    found = {}
    for line in text.splitlines():
        if not line.startswith("--"):
            break
        m = DIRECTIVE_RE.match(line)
        if m:
            found[m.group(1)] = m.group(2)
    return found


def statements(text: str) -> list[str]:
    out, buf = [], ""
    for line in text.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            out.append(buf)
            buf = ""
    assert not tokens(buf), f"incomplete statement at end of file: {buf!r}"
    return out


def apply_migrations(path: Path, first: int, last: int) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY,"
            " name TEXT NOT NULL, applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP)"
        )
        for version in range(first, last + 1):
            name, file = catalog()[version]
            # The up part: what comes before the down part's marker (SPEC §4.1, §7.21).
            text = file.read_text(encoding="utf-8").split("\n-- migrate:down\n")[0]
            fk_off = directives(text).get("foreign-keys") == "off"
            if fk_off:
                conn.execute("PRAGMA foreign_keys=OFF")
            conn.execute("BEGIN IMMEDIATE")
            for stmt in statements(text):
                conn.execute(stmt)
            conn.execute(
                "INSERT INTO schema_migrations(version, name) VALUES (?, ?)", (version, name)
            )
            conn.execute(f"PRAGMA user_version = {version}")
            if fk_off:
                assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
            conn.execute("COMMIT")
            if fk_off:
                conn.execute("PRAGMA foreign_keys=ON")
    finally:
        conn.close()


# --------------------------------------------------------------------------
# A PRAGMA-based structural dump

TOKEN_RE = re.compile(
    r"""(?P<skip>\s+|--[^\n]*|/\*.*?\*/)
      |(?P<str>'(?:[^']|'')*')
      |(?P<qid>"(?:[^"]|"")*")
      |(?P<word>[A-Za-z_][A-Za-z0-9_$]*)
      |(?P<other><=|>=|<>|!=|==|\|\||\d+(?:\.\d+)?|.)""",
    re.S | re.X,
)


def tokens(sql: str) -> list[str]:
    """Tokens with comments and whitespace dropped, case folded outside string literals."""
    out = []
    for m in TOKEN_RE.finditer(sql):
        kind = m.lastgroup
        if kind == "str":
            out.append(m.group())
        elif kind == "qid":
            out.append(m.group()[1:-1].replace('""', '"').lower())
        elif kind != "skip":
            out.append(m.group().lower())
    if out[3:6] == ["if", "not", "exists"] or out[2:5] == ["if", "not", "exists"]:
        i = out.index("if")
        del out[i : i + 3]
    return out


def norm(sql: str) -> str:
    return " ".join(tokens(sql))


def balanced(toks: list[str], start: int) -> list[str]:
    """The tokens from toks[start] == '(' through its matching ')'."""
    depth = 0
    for i in range(start, len(toks)):
        depth += {"(": 1, ")": -1}.get(toks[i], 0)
        if depth == 0:
            return toks[start : i + 1]
    raise AssertionError("unbalanced parentheses")


def check_clauses(create_sql: str) -> tuple[str, ...]:
    toks = tokens(create_sql)
    found = [
        " ".join(["check", *balanced(toks, i + 1)])
        for i, t in enumerate(toks)
        if t == "check" and toks[i + 1 : i + 2] == ["("]
    ]
    return tuple(sorted(found))


def index_items(create_sql: str) -> list[str]:
    """The normalised key items of CREATE INDEX ... ON t ( item, item ... )."""
    toks = tokens(create_sql)
    body = balanced(toks, toks.index("on") + 2)[1:-1]
    items: list[str] = []
    cur: list[str] = []
    depth = 0
    for t in body:
        depth += {"(": 1, ")": -1}.get(t, 0)
        if t == "," and depth == 0:
            items.append(" ".join(cur))
            cur = []
        else:
            cur.append(t)
    return [*items, " ".join(cur)]


def dump(conn: sqlite3.Connection) -> dict:
    tables, indexes, triggers = {}, {}, {}
    rows = conn.execute(
        "SELECT type, name, tbl_name, sql FROM sqlite_master"
        " WHERE name NOT LIKE 'sqlite_%' AND tbl_name != 'schema_migrations'"
    ).fetchall()
    for kind, name, table, sql in rows:
        if kind == "trigger":
            triggers[name] = (table, norm(sql))
        if kind != "table":
            continue
        q = name.replace('"', '""')
        fks: dict[int, list] = {}
        for fid, _seq, parent, frm, to, _upd, on_delete, _m in conn.execute(
            f'PRAGMA foreign_key_list("{q}")'
        ):
            fk = fks.setdefault(fid, [[], parent.lower(), [], on_delete])
            fk[0].append(frm)
            fk[2].append(to)
        tables[name] = {
            "columns": {
                (r[1], r[2].upper(), r[3], r[4], r[5])
                for r in conn.execute(f'PRAGMA table_xinfo("{q}")')
            },
            "foreign_keys": {(tuple(a), p, tuple(b), d) for a, p, b, d in fks.values()},
            "checks": check_clauses(sql),
            "autoincrement": "autoincrement" in tokens(sql),
        }
        for _seq, iname, unique, origin, partial in conn.execute(f'PRAGMA index_list("{q}")'):
            if origin == "pk":
                continue
            isql = conn.execute(
                "SELECT sql FROM sqlite_master WHERE type='index' AND name=?", (iname,)
            ).fetchone()[0]
            items = index_items(isql) if isql else []
            keys = [
                (cname if cid >= 0 else items[seqno]) + (" desc" if desc else "")
                for seqno, cid, cname, desc, _coll, key in conn.execute(
                    f'PRAGMA index_xinfo("{iname}")'
                )
                if key
            ]
            indexes[iname] = (name, bool(unique), tuple(keys), bool(partial))
    return {"tables": tables, "indexes": indexes, "triggers": triggers}


def dump_file(path: Path) -> dict:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        return dump(conn)
    finally:
        conn.close()


def without_tables(d: dict, names: set[str]) -> dict:
    return {
        "tables": {k: v for k, v in d["tables"].items() if k not in names},
        "indexes": {k: v for k, v in d["indexes"].items() if v[0] not in names},
        "triggers": {k: v for k, v in d["triggers"].items() if v[0] not in names},
    }


# --------------------------------------------------------------------------
# Section 4 of agent-world-schema.md, written out

CT = "CURRENT_TIMESTAMP"


def C(name, type_, notnull=0, default=None, pk=0):
    return (name, type_, notnull, default, pk)


def FK(cols, parent, parent_cols, on_delete="CASCADE"):
    return (tuple(cols), parent, tuple(parent_cols), on_delete)


TO_WORLD = FK(["world_id"], "worlds", ["id"])
TO_AGENT = FK(["agent_id", "world_id"], "agents", ["id", "world_id"])
TO_CHAT = FK(["chat_id"], "world_chats", ["id"])
ROLE_CHECK = norm("CHECK (role IN ('system', 'user', 'assistant', 'tool'))")

HEAD_TABLES = {
    "worlds": (
        [
            C("id", "TEXT", pk=1),
            C("name", "TEXT", 1),
            C("description", "TEXT"),
            C("turn_limit", "INTEGER", 1, "5"),
            C("created_at", "TIMESTAMP", 0, CT),
            C("updated_at", "TIMESTAMP", 0, CT),
            C("chat_llm_provider", "TEXT"),
            C("chat_llm_model", "TEXT"),
            C("current_chat_id", "TEXT"),
            C("mcp_config", "TEXT"),
            C("variables", "TEXT"),
            C("main_agent", "TEXT"),
            C("heartbeat_enabled", "INTEGER", 0, "0"),
            C("heartbeat_interval", "TEXT"),
            C("heartbeat_prompt", "TEXT"),
        ],
        [],
        (),
        False,
    ),
    "agents": (
        [
            C("id", "TEXT", 1, pk=1),
            C("world_id", "TEXT", 1, pk=2),
            C("name", "TEXT", 1),
            C("type", "TEXT", 1),
            C("status", "TEXT", 0, "'inactive'"),
            C("provider", "TEXT", 1),
            C("model", "TEXT", 1),
            C("system_prompt", "TEXT"),
            C("temperature", "REAL"),
            C("max_tokens", "INTEGER"),
            C("llm_call_count", "INTEGER", 0, "0"),
            C("created_at", "TIMESTAMP", 0, CT),
            C("last_active", "TIMESTAMP", 0, CT),
            C("last_llm_call", "TIMESTAMP"),
            C("auto_reply", "INTEGER", 1, "1"),
        ],
        [TO_WORLD],
        (),
        False,
    ),
    "agent_memory": (
        [
            C("id", "INTEGER", pk=1),
            C("agent_id", "TEXT", 1),
            C("world_id", "TEXT", 1),
            C("role", "TEXT", 1),
            C("content", "TEXT", 1),
            C("sender", "TEXT"),
            C("created_at", "TIMESTAMP", 0, CT),
            C("chat_id", "TEXT"),
            C("message_id", "TEXT"),
            C("reply_to_message_id", "TEXT"),
            C("tool_calls", "TEXT"),
            C("tool_call_id", "TEXT"),
            C("message_metadata", "TEXT"),
        ],
        [TO_AGENT],
        (ROLE_CHECK,),
        True,
    ),
    "memory_archives": (
        [
            C("id", "INTEGER", pk=1),
            C("agent_id", "TEXT", 1),
            C("world_id", "TEXT", 1),
            C("session_name", "TEXT"),
            C("archive_reason", "TEXT"),
            C("message_count", "INTEGER", 1, "0"),
            C("start_time", "TIMESTAMP"),
            C("end_time", "TIMESTAMP"),
            C("participants", "TEXT"),
            C("tags", "TEXT"),
            C("created_at", "TIMESTAMP", 0, CT),
        ],
        [TO_AGENT],
        (),
        True,
    ),
    "archived_messages": (
        [
            C("id", "INTEGER", pk=1),
            C("archive_id", "INTEGER", 1),
            C("agent_id", "TEXT", 1),
            C("world_id", "TEXT", 1),
            C("role", "TEXT", 1),
            C("content", "TEXT", 1),
            C("sender", "TEXT"),
            C("original_timestamp", "TIMESTAMP"),
        ],
        [FK(["archive_id"], "memory_archives", ["id"]), TO_AGENT],
        (ROLE_CHECK,),
        True,
    ),
    "archive_statistics": (
        [
            C("id", "INTEGER", pk=1),
            C("agent_id", "TEXT", 1),
            C("world_id", "TEXT", 1),
            C("total_archives", "INTEGER", 0, "0"),
            C("total_messages", "INTEGER", 0, "0"),
            C("average_session_length", "REAL", 0, "0"),
            C("most_active_agent", "TEXT"),
            C("archive_frequency", "TEXT"),
            C("created_at", "TIMESTAMP", 0, CT),
            C("updated_at", "TIMESTAMP", 0, CT),
        ],
        [TO_AGENT],
        (),
        True,
    ),
    "world_chats": (
        [
            C("id", "TEXT", pk=1),
            C("world_id", "TEXT", 1),
            C("name", "TEXT", 1),
            C("description", "TEXT"),
            C("message_count", "INTEGER", 0, "0"),
            C("tags", "TEXT"),
            C("created_at", "TIMESTAMP", 0, CT),
            C("updated_at", "TIMESTAMP", 0, CT),
            C("title_provenance", "TEXT", 0, "'default'"),
        ],
        [TO_WORLD],
        (),
        False,
    ),
    "events": (
        [
            C("id", "TEXT", pk=1),
            C("world_id", "TEXT", 1),
            C("chat_id", "TEXT"),
            C("seq", "INTEGER"),
            C("type", "TEXT", 1),
            C("payload", "TEXT", 1),
            C("meta", "TEXT"),
            C("created_at", "TIMESTAMP", 0, CT),
        ],
        [TO_WORLD, TO_CHAT],
        (),
        False,
    ),
    "message_queue": (
        [
            C("id", "INTEGER", pk=1),
            C("world_id", "TEXT", 1),
            C("chat_id", "TEXT", 1),
            C("message_id", "TEXT", 1),
            C("content", "TEXT", 1),
            C("sender", "TEXT", 1, "'human'"),
            C("status", "TEXT", 1, "'queued'"),
            C("retry_count", "INTEGER", 1, "0"),
            C("created_at", "TIMESTAMP", 0, CT),
            C("updated_at", "TIMESTAMP", 0, CT),
        ],
        [TO_WORLD, TO_CHAT],
        (),
        True,
    ),
}


def meta(key: str) -> str:
    return norm(f"json_extract(meta, '$.{key}')")


HEAD_INDEXES = {  # name: (table, unique, key columns)
    "idx_agents_world_id": ("agents", False, ("world_id",)),
    "idx_agents_status": ("agents", False, ("status",)),
    "idx_agent_memory_agent_world": ("agent_memory", False, ("agent_id", "world_id")),
    "idx_agent_memory_chat_id": ("agent_memory", False, ("chat_id",)),
    "idx_agent_memory_message_id": ("agent_memory", False, ("message_id",)),
    "idx_agent_memory_reply_to": ("agent_memory", False, ("reply_to_message_id",)),
    "idx_memory_archives_agent_world": ("memory_archives", False, ("agent_id", "world_id")),
    "idx_archived_messages_archive_id": ("archived_messages", False, ("archive_id",)),
    "idx_archive_statistics_agent_world": ("archive_statistics", False, ("agent_id", "world_id")),
    "idx_world_chats_world_id": ("world_chats", False, ("world_id",)),
    "idx_events_world_chat_time": ("events", False, ("world_id", "chat_id", "created_at")),
    "idx_events_world_chat_seq": ("events", False, ("world_id", "chat_id", "seq")),
    "idx_events_type": ("events", False, ("type",)),
    "idx_events_world_id": ("events", False, ("world_id",)),
    "idx_events_owner_agents": ("events", False, (meta("ownerAgentIds"),)),
    "idx_events_recipient_agent": ("events", False, (meta("recipientAgentId"),)),
    "idx_events_message_direction": ("events", False, (meta("messageDirection"),)),
    "idx_events_memory_only": ("events", False, (meta("isMemoryOnly"),)),
    "idx_events_cross_agent": ("events", False, (meta("isCrossAgentMessage"),)),
    "idx_events_thread_root": ("events", False, (meta("threadRootId"),)),
    "idx_events_has_tool_calls": ("events", False, (meta("hasToolCalls"),)),
    "idx_events_world_chat_owner": (
        "events",
        False,
        ("world_id", "chat_id", meta("ownerAgentIds")),
    ),
    "idx_message_queue_message_id": ("message_queue", True, ("message_id",)),
    "idx_message_queue_chat": ("message_queue", False, ("world_id", "chat_id", "status")),
}


def touch_trigger(name: str, table: str, column: str, where: str = "id = NEW.id") -> tuple:
    return (
        table,
        norm(
            f"CREATE TRIGGER {name} AFTER UPDATE ON {table} BEGIN"
            f" UPDATE {table} SET {column} = CURRENT_TIMESTAMP WHERE {where}; END"
        ),
    )


HEAD_TRIGGERS = {
    "worlds_updated_at": touch_trigger("worlds_updated_at", "worlds", "updated_at"),
    "agents_last_active": touch_trigger(
        "agents_last_active", "agents", "last_active", "id = NEW.id AND world_id = NEW.world_id"
    ),
    "archive_statistics_updated_at": touch_trigger(
        "archive_statistics_updated_at", "archive_statistics", "updated_at"
    ),
    "world_chats_updated_at": touch_trigger("world_chats_updated_at", "world_chats", "updated_at"),
}

HEAD_HISTORY = [
    "init_base_schema",
    "add_chat_id",
    "add_llm_config",
    "add_current_chat_id",
    "add_mcp_config",
    "add_message_id",
    "add_reply_to_message_id",
    "create_world_chats",
    "create_events_table",
    "add_event_sequences",
    "add_tool_call_fields",
    "add_event_metadata_indexes",
    "add_tool_role",
    "add_world_variables",
    "add_main_agent_and_auto_reply",
    "add_message_queue",
    "add_world_heartbeat",
    "add_title_provenance",
    "add_agent_turn_metadata",
]


def expected_head_dump() -> dict:
    return {
        "tables": {
            name: {
                "columns": set(cols),
                "foreign_keys": set(fks),
                "checks": checks,
                "autoincrement": autoinc,
            }
            for name, (cols, fks, checks, autoinc) in HEAD_TABLES.items()
        },
        "indexes": {name: (*spec, False) for name, spec in HEAD_INDEXES.items()},
        "triggers": HEAD_TRIGGERS,
    }


# --------------------------------------------------------------------------
# Helpers for the tests


def fresh_chain(tmp_path: Path, last: int) -> Path:
    path = tmp_path / f"fresh-to-{last}.db"
    apply_migrations(path, 0, last)
    return path


def query(path: Path, sql: str, params: tuple = ()) -> list[tuple]:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def row_counts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {n: conn.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}
    finally:
        conn.close()


def execute_script(path: Path, *stmts: str) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA foreign_keys=ON")
        for stmt in stmts:
            conn.execute(stmt)
    finally:
        conn.close()


# --------------------------------------------------------------------------
# Tests


def test_catalog_is_versions_0_to_18_with_the_apps_recorded_names():
    assert [name for _v, (name, _p) in sorted(catalog().items())] == HEAD_HISTORY
    assert sorted(catalog()) == list(range(19))
    for _name, path in catalog().values():
        raw = path.read_bytes()
        assert not raw.startswith(b"\xef\xbb\xbf") and b"\r" not in raw, path.name
        found = directives(raw.decode("utf-8"))
        assert set(found) <= {"foreign-keys", "present"}, (path.name, found)


def test_fresh_chain_matches_head_table(tmp_path):
    path = fresh_chain(tmp_path, 18)
    assert dump_file(path) == expected_head_dump()
    assert query(path, "PRAGMA user_version") == [(18,)]
    assert query(path, "SELECT version, name FROM schema_migrations ORDER BY version") == list(
        enumerate(HEAD_HISTORY)
    )
    assert query(path, "PRAGMA foreign_key_check") == []
    assert query(path, "PRAGMA integrity_check") == [("ok",)]


def test_fresh_chain_keeps_the_apps_column_order(tmp_path):
    path = fresh_chain(tmp_path, 18)
    for table in ("worlds", "agents", "agent_memory"):
        order = [r[1] for r in query(path, f"PRAGMA table_info({table})")]
        assert order == [c[0] for c in HEAD_TABLES[table][0]], table


@pytest.mark.fixtures
def test_fresh_chain_matches_real_app_head_file(tmp_path, fixture_copy):
    real = fixture_copy("tracked-458d539e-fresh")
    ours = fresh_chain(tmp_path, 18)
    assert dump_file(ours) == dump_file(real)


@pytest.mark.fixtures
def test_real_tracked_v9_file_reaches_head_with_every_row(fixture_copy):
    path = fixture_copy("tracked-8d121597-fresh")
    head = fixture_copy("tracked-458d539e-fresh")
    counts = row_counts(path)
    sequences = query(path, "SELECT name, seq FROM sqlite_sequence ORDER BY name")
    assert query(path, "PRAGMA user_version") == [(9,)]

    apply_migrations(path, 10, 18)

    after = row_counts(path)
    assert after.pop("schema_migrations") == counts.pop("schema_migrations") + 9
    del counts["sqlite_sequence"]  # SQLite bookkeeping, compared by counter below
    assert {name: after[name] for name in counts} == counts
    # Every AUTOINCREMENT counter is kept. The rebuild's INSERT ... SELECT gives the
    # never-used archived_messages a 0 counter, as the real app's 0012 does.
    assert set(sequences) <= set(query(path, "SELECT name, seq FROM sqlite_sequence"))
    # This file ran the first 0009 (2025-11-02..11-06), which left event_sequences behind;
    # it is an extra, everything of the head schema is equal.
    ours = dump_file(path)
    assert set(ours["tables"]) - set(dump_file(head)["tables"]) == {"event_sequences"}
    assert without_tables(ours, {"event_sequences"}) == dump_file(head)
    assert query(path, "SELECT version, name FROM schema_migrations ORDER BY version") == list(
        enumerate(HEAD_HISTORY)
    )
    assert query(path, "PRAGMA foreign_key_check") == []


AM_COLS = (
    "id, agent_id, world_id, role, content, sender, created_at, chat_id, message_id,"
    " reply_to_message_id, tool_calls, tool_call_id"
)
AR_COLS = "id, archive_id, agent_id, world_id, role, content, sender, original_timestamp"


@pytest.mark.parametrize("archive_emptied", [False, True], ids=["archive-rows", "archive-empty"])
def test_0012_keeps_rows_ids_and_autoincrement_counter(tmp_path, archive_emptied):
    path = fresh_chain(tmp_path, 11)
    memory = [
        f"({i}, 'a1', 'w1', '{role}', 'text {i}', 'human', '2025-01-0{i} 10:00:00',"
        f" 'c1', 'm{i}', {'NULL' if i == 1 else repr(f'm{i - 1}')}, NULL, NULL)"
        for i, role in zip(
            range(1, 6), ["system", "user", "assistant", "user", "assistant"], strict=True
        )
    ]
    archived = [
        f"({i}, 1, 'a1', 'w1', 'user', 'old {i}', 'human', '2024-12-0{i} 09:00:00')"
        for i in range(1, 4)
    ]
    execute_script(
        path,
        "INSERT INTO worlds(id, name) VALUES ('w1', 'World')",
        "INSERT INTO agents(id, world_id, name, type, provider, model)"
        " VALUES ('a1', 'w1', 'Agent', 'assistant', 'openai', 'gpt')",
        "INSERT INTO world_chats(id, world_id, name) VALUES ('c1', 'w1', 'Chat')",
        f"INSERT INTO agent_memory({AM_COLS}) VALUES {', '.join(memory)}",
        "DELETE FROM agent_memory WHERE id IN (2, 5)",  # a gap, and a deleted top id
        "INSERT INTO memory_archives(id, agent_id, world_id) VALUES (1, 'a1', 'w1')",
        f"INSERT INTO archived_messages({AR_COLS}) VALUES {', '.join(archived)}",
        "DELETE FROM archived_messages WHERE id " + ("> 0" if archive_emptied else "= 3"),
    )
    memory_before = query(path, f"SELECT {AM_COLS} FROM agent_memory ORDER BY id")
    archived_before = query(path, f"SELECT {AR_COLS} FROM archived_messages ORDER BY id")
    assert query(path, "SELECT name, seq FROM sqlite_sequence ORDER BY name") == [
        ("agent_memory", 5),
        ("archived_messages", 3),
        ("memory_archives", 1),
    ]

    apply_migrations(path, 12, 12)

    assert query(path, f"SELECT {AM_COLS} FROM agent_memory ORDER BY id") == memory_before
    assert query(path, f"SELECT {AR_COLS} FROM archived_messages ORDER BY id") == archived_before
    assert query(path, "SELECT name, seq FROM sqlite_sequence ORDER BY name") == [
        ("agent_memory", 5),
        ("archived_messages", 3),
        ("memory_archives", 1),
    ]
    assert query(path, "SELECT name FROM sqlite_master WHERE name LIKE '%sqlmig%'") == []
    assert query(path, "SELECT name FROM sqlite_master WHERE name LIKE '%backup%'") == []
    names = {r[0] for r in query(path, "SELECT name FROM sqlite_master WHERE type='index'")}
    assert "idx_agent_memory_reply_to" in names
    assert "idx_agent_memory_reply_to_message_id" not in names

    execute_script(
        path,
        "INSERT INTO agent_memory(agent_id, world_id, role, content) VALUES ('a1', 'w1', 'tool', 'r')",
        "INSERT INTO archived_messages(archive_id, agent_id, world_id, role, content)"
        " VALUES (1, 'a1', 'w1', 'tool', 'r')",
    )
    assert query(path, "SELECT max(id) FROM agent_memory") == [(6,)]
    assert query(path, "SELECT max(id) FROM archived_messages") == [(4,)]
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        execute_script(
            path,
            "INSERT INTO agent_memory(agent_id, world_id, role, content)"
            " VALUES ('a1', 'w1', 'robot', 'x')",
        )


def test_0009_numbers_null_seq_per_world_and_chat(tmp_path):
    path = fresh_chain(tmp_path, 8)
    events = [  # id, world, chat, seq, created_at
        ("e1", "w1", "c1", None, "2025-01-01 10:00:03"),
        ("e2", "w1", "c1", None, "2025-01-01 10:00:01"),
        ("e3", "w1", "c1", 7, "2025-01-01 10:00:00"),  # already numbered: untouched
        ("e5", "w1", "c1", None, "2025-01-01 10:00:02"),  # same time as e4: id decides
        ("e4", "w1", "c1", None, "2025-01-01 10:00:02"),
        ("e6", "w1", "c2", None, "2025-01-01 09:00:00"),
        ("e7", "w1", None, None, "2025-01-01 11:00:00"),  # no chat: one group per world
        ("e8", "w1", None, None, "2025-01-01 08:00:00"),
        ("e9", "w2", None, None, "2025-01-01 07:00:00"),
        ("e10", "w2", "c3", None, "2025-01-01 07:00:00"),
    ]
    execute_script(
        path,
        "INSERT INTO worlds(id, name) VALUES ('w1', 'One'), ('w2', 'Two')",
        "INSERT INTO world_chats(id, world_id, name)"
        " VALUES ('c1', 'w1', 'A'), ('c2', 'w1', 'B'), ('c3', 'w2', 'C')",
        *[
            "INSERT INTO events(id, world_id, chat_id, seq, type, payload, created_at)"
            f" VALUES ({e!r}, {w!r}, {'NULL' if c is None else repr(c)},"
            f" {'NULL' if s is None else s}, 'message', '{{}}', {t!r})"
            for e, w, c, s, t in events
        ],
    )

    apply_migrations(path, 9, 9)

    assert dict(query(path, "SELECT id, seq FROM events")) == {
        "e2": 1,
        "e4": 2,
        "e5": 3,
        "e1": 4,
        "e3": 7,
        "e6": 1,
        "e8": 1,
        "e7": 2,
        "e9": 1,
        "e10": 1,
    }
    assert query(path, "SELECT name FROM sqlite_master WHERE name LIKE 'event_seq%'") == []
