"""An emulation of the agent-world app's own SQL-file runner (§3.2), with the app's SQL (§3.1).

Used to build the files the app itself leaves behind when it opens a legacy file: history rows that
start at legacy uv+1, `user_version` 11 with a half-done 0012 (backup tables left over), `uv` 18
with the legacy `archived_messages` rows lost, an empty `schema_migrations`, PR #82 files.

The runner facts reproduced here:
* `schema_migrations(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMP DEFAULT
  CURRENT_TIMESTAMP)` is created first, on every run;
* pending = every file when `uv == 0`, else `version > uv` (the history is never read);
* per file: `exec(whole file)` (stops at the first failing statement, earlier ones stay applied, no
  transaction), then `INSERT INTO schema_migrations(version, name)`, then `PRAGMA user_version`;
* a failure stops the run; the next storage call in the same process runs it again (``attempts``);
* after a failed run the factory still attaches the event storage, which creates the fallback
  `events` table (no FKs) when it is missing.

The SQL below is written from the fact tables of §3.1 (HEAD variants, 0012 v2 = bc194cc5 with its
`DROP TABLE IF EXISTS …_backup` first, positional backups via `CREATE TABLE … AS SELECT *` and
explicit column lists on the copy back), not copied from the app.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from builders import ddl

APP_HISTORY_DDL = (
    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
    "name TEXT NOT NULL, applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP)"
)

ROLE4 = "CHECK (role IN ('system', 'user', 'assistant', 'tool'))"

M0000 = f"""
CREATE TABLE IF NOT EXISTS worlds (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, description TEXT,
  turn_limit INTEGER NOT NULL DEFAULT 5,
  created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP, updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP);
CREATE TABLE IF NOT EXISTS agents (
  id TEXT NOT NULL, world_id TEXT NOT NULL, name TEXT NOT NULL, type TEXT NOT NULL,
  status TEXT DEFAULT 'inactive', provider TEXT NOT NULL, model TEXT NOT NULL, system_prompt TEXT,
  temperature REAL, max_tokens INTEGER, llm_call_count INTEGER DEFAULT 0,
  created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP, last_active TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
  last_llm_call TIMESTAMP, PRIMARY KEY (id, world_id),
  FOREIGN KEY (world_id) REFERENCES worlds(id) ON DELETE CASCADE);
CREATE TABLE IF NOT EXISTS agent_memory (
  id INTEGER PRIMARY KEY AUTOINCREMENT, agent_id TEXT NOT NULL, world_id TEXT NOT NULL,
  role TEXT NOT NULL {ddl.LEGACY_ROLE_CHECK}, content TEXT NOT NULL, sender TEXT,
  created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
  FOREIGN KEY (agent_id, world_id) REFERENCES agents(id, world_id) ON DELETE CASCADE);
CREATE TABLE IF NOT EXISTS memory_archives (
  id INTEGER PRIMARY KEY AUTOINCREMENT, agent_id TEXT NOT NULL, world_id TEXT NOT NULL,
  session_name TEXT, archive_reason TEXT, message_count INTEGER NOT NULL DEFAULT 0,
  start_time TIMESTAMP, end_time TIMESTAMP, participants TEXT, tags TEXT,
  created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
  FOREIGN KEY (agent_id, world_id) REFERENCES agents(id, world_id) ON DELETE CASCADE);
CREATE TABLE IF NOT EXISTS archived_messages (
  id INTEGER PRIMARY KEY AUTOINCREMENT, archive_id INTEGER NOT NULL, agent_id TEXT NOT NULL,
  world_id TEXT NOT NULL, role TEXT NOT NULL {ddl.LEGACY_ROLE_CHECK}, content TEXT NOT NULL,
  sender TEXT, original_timestamp TIMESTAMP,
  FOREIGN KEY (archive_id) REFERENCES memory_archives(id) ON DELETE CASCADE,
  FOREIGN KEY (agent_id, world_id) REFERENCES agents(id, world_id) ON DELETE CASCADE);
CREATE TABLE IF NOT EXISTS archive_statistics (
  id INTEGER PRIMARY KEY AUTOINCREMENT, agent_id TEXT NOT NULL, world_id TEXT NOT NULL,
  total_archives INTEGER DEFAULT 0, total_messages INTEGER DEFAULT 0,
  average_session_length REAL DEFAULT 0, most_active_agent TEXT, archive_frequency TEXT,
  created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP, updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
  FOREIGN KEY (agent_id, world_id) REFERENCES agents(id, world_id) ON DELETE CASCADE);
CREATE INDEX IF NOT EXISTS idx_agents_world_id ON agents(world_id);
CREATE INDEX IF NOT EXISTS idx_agents_status ON agents(status);
CREATE INDEX IF NOT EXISTS idx_agent_memory_agent_world ON agent_memory(agent_id, world_id);
CREATE INDEX IF NOT EXISTS idx_memory_archives_agent_world ON memory_archives(agent_id, world_id);
CREATE INDEX IF NOT EXISTS idx_archived_messages_archive_id ON archived_messages(archive_id);
CREATE INDEX IF NOT EXISTS idx_archive_statistics_agent_world ON archive_statistics(agent_id, world_id);
CREATE TRIGGER IF NOT EXISTS worlds_updated_at AFTER UPDATE ON worlds BEGIN
  UPDATE worlds SET updated_at = CURRENT_TIMESTAMP WHERE id = NEW.id; END;
CREATE TRIGGER IF NOT EXISTS agents_last_active AFTER UPDATE ON agents BEGIN
  UPDATE agents SET last_active = CURRENT_TIMESTAMP WHERE id = NEW.id AND world_id = NEW.world_id; END;
CREATE TRIGGER IF NOT EXISTS archive_statistics_updated_at AFTER UPDATE ON archive_statistics BEGIN
  UPDATE archive_statistics SET updated_at = CURRENT_TIMESTAMP WHERE id = NEW.id; END;
"""

M0012_V2 = f"""
DROP TABLE IF EXISTS agent_memory_backup;
DROP TABLE IF EXISTS archived_messages_backup;
CREATE TABLE agent_memory_backup AS SELECT * FROM agent_memory;
DROP TABLE agent_memory;
CREATE TABLE agent_memory (
  id INTEGER PRIMARY KEY AUTOINCREMENT, agent_id TEXT NOT NULL, world_id TEXT NOT NULL,
  role TEXT NOT NULL {ROLE4}, content TEXT NOT NULL, sender TEXT,
  created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP, chat_id TEXT, message_id TEXT,
  reply_to_message_id TEXT, tool_calls TEXT, tool_call_id TEXT,
  FOREIGN KEY (agent_id, world_id) REFERENCES agents(id, world_id) ON DELETE CASCADE);
INSERT INTO agent_memory (id, agent_id, world_id, role, content, sender, created_at, chat_id,
  message_id, reply_to_message_id, tool_calls, tool_call_id)
SELECT id, agent_id, world_id, role, content, sender, created_at, chat_id, message_id,
  reply_to_message_id, tool_calls, tool_call_id FROM agent_memory_backup;
DROP TABLE agent_memory_backup;
CREATE INDEX IF NOT EXISTS idx_agent_memory_agent_world ON agent_memory(agent_id, world_id);
CREATE INDEX IF NOT EXISTS idx_agent_memory_chat_id ON agent_memory(chat_id);
CREATE INDEX IF NOT EXISTS idx_agent_memory_message_id ON agent_memory(message_id);
CREATE INDEX IF NOT EXISTS idx_agent_memory_reply_to ON agent_memory(reply_to_message_id);
CREATE TABLE archived_messages_backup AS SELECT * FROM archived_messages;
DROP TABLE archived_messages;
CREATE TABLE archived_messages (
  id INTEGER PRIMARY KEY AUTOINCREMENT, archive_id INTEGER NOT NULL, agent_id TEXT NOT NULL,
  world_id TEXT NOT NULL, role TEXT NOT NULL {ROLE4}, content TEXT NOT NULL, sender TEXT,
  original_timestamp TIMESTAMP,
  FOREIGN KEY (archive_id) REFERENCES memory_archives(id) ON DELETE CASCADE,
  FOREIGN KEY (agent_id, world_id) REFERENCES agents(id, world_id) ON DELETE CASCADE);
INSERT INTO archived_messages (id, archive_id, agent_id, world_id, role, content, sender,
  original_timestamp)
SELECT id, archive_id, agent_id, world_id, role, content, sender, original_timestamp
FROM archived_messages_backup;
DROP TABLE archived_messages_backup;
CREATE INDEX IF NOT EXISTS idx_archived_messages_archive_id ON archived_messages(archive_id);
"""

EVENTS_WITH_FKS = """
CREATE TABLE IF NOT EXISTS events (
  id TEXT PRIMARY KEY, world_id TEXT NOT NULL, chat_id TEXT, seq INTEGER, type TEXT NOT NULL,
  payload TEXT NOT NULL, meta TEXT, created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
  FOREIGN KEY (world_id) REFERENCES worlds(id) ON DELETE CASCADE,
  FOREIGN KEY (chat_id) REFERENCES world_chats(id) ON DELETE CASCADE);
CREATE INDEX IF NOT EXISTS idx_events_world_chat_time ON events(world_id, chat_id, created_at);
CREATE INDEX IF NOT EXISTS idx_events_world_chat_seq ON events(world_id, chat_id, seq);
CREATE INDEX IF NOT EXISTS idx_events_type ON events(type);
CREATE INDEX IF NOT EXISTS idx_events_world_id ON events(world_id);
"""

_JSON_INDEXES = [
    ("idx_events_owner_agents", "json_extract(meta, '$.ownerAgentIds')"),
    ("idx_events_recipient_agent", "json_extract(meta, '$.recipientAgentId')"),
    ("idx_events_message_direction", "json_extract(meta, '$.messageDirection')"),
    ("idx_events_memory_only", "json_extract(meta, '$.isMemoryOnly')"),
    ("idx_events_cross_agent", "json_extract(meta, '$.isCrossAgentMessage')"),
    ("idx_events_thread_root", "json_extract(meta, '$.threadRootId')"),
    ("idx_events_has_tool_calls", "json_extract(meta, '$.hasToolCalls')"),
    ("idx_events_world_chat_owner", "world_id, chat_id, json_extract(meta, '$.ownerAgentIds')"),
]

# (version, name, sql) of the app's HEAD chain (458d539e).
HEAD_CHAIN: list[tuple[int, str, str]] = [
    (0, "init_base_schema", M0000),
    (
        1,
        "add_chat_id",
        "ALTER TABLE agent_memory ADD COLUMN chat_id TEXT;\n"
        "CREATE INDEX IF NOT EXISTS idx_agent_memory_chat_id ON agent_memory(chat_id);",
    ),
    (
        2,
        "add_llm_config",
        "ALTER TABLE worlds ADD COLUMN chat_llm_provider TEXT;\n"
        "ALTER TABLE worlds ADD COLUMN chat_llm_model TEXT;",
    ),
    (3, "add_current_chat_id", "ALTER TABLE worlds ADD COLUMN current_chat_id TEXT;"),
    (4, "add_mcp_config", "ALTER TABLE worlds ADD COLUMN mcp_config TEXT;"),
    (
        5,
        "add_message_id",
        "ALTER TABLE agent_memory ADD COLUMN message_id TEXT;\n"
        "CREATE INDEX IF NOT EXISTS idx_agent_memory_message_id ON agent_memory(message_id);",
    ),
    (
        6,
        "add_reply_to_message_id",
        "ALTER TABLE agent_memory ADD COLUMN reply_to_message_id TEXT;\n"
        "CREATE INDEX IF NOT EXISTS idx_agent_memory_reply_to_message_id "
        "ON agent_memory(reply_to_message_id);",
    ),
    (
        7,
        "create_world_chats",
        "CREATE TABLE IF NOT EXISTS world_chats\n(\n  id TEXT PRIMARY KEY, world_id TEXT NOT NULL, "
        "name TEXT NOT NULL, description TEXT, message_count INTEGER DEFAULT 0, tags TEXT, "
        "created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP, "
        "updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP, "
        "FOREIGN KEY (world_id) REFERENCES worlds(id) ON DELETE CASCADE);\n"
        "CREATE INDEX IF NOT EXISTS idx_world_chats_world_id ON world_chats(world_id);\n"
        "CREATE TRIGGER IF NOT EXISTS world_chats_updated_at AFTER UPDATE ON world_chats BEGIN "
        "UPDATE world_chats SET updated_at = CURRENT_TIMESTAMP WHERE id = NEW.id; END;",
    ),
    (8, "create_events_table", EVENTS_WITH_FKS),
    (
        9,
        "add_event_sequences",
        "WITH numbered AS (SELECT id, ROW_NUMBER() OVER (PARTITION BY world_id, "
        "COALESCE(chat_id, '') ORDER BY created_at) AS n FROM events WHERE seq IS NULL)\n"
        "UPDATE events SET seq = (SELECT n FROM numbered WHERE numbered.id = events.id) "
        "WHERE seq IS NULL;",
    ),
    (
        10,
        "add_tool_call_fields",
        "ALTER TABLE agent_memory ADD COLUMN tool_calls TEXT;\n"
        "ALTER TABLE agent_memory ADD COLUMN tool_call_id TEXT;",
    ),
    (
        11,
        "add_event_metadata_indexes",
        "\n".join(f"CREATE INDEX IF NOT EXISTS {n} ON events({e});" for n, e in _JSON_INDEXES),
    ),
    (12, "add_tool_role", M0012_V2),
    (13, "add_world_variables", "ALTER TABLE worlds ADD COLUMN variables TEXT;"),
    (
        14,
        "add_main_agent_and_auto_reply",
        "ALTER TABLE worlds ADD COLUMN main_agent TEXT;\n"
        "ALTER TABLE agents ADD COLUMN auto_reply INTEGER NOT NULL DEFAULT 1;",
    ),
    (
        15,
        "add_message_queue",
        "CREATE TABLE IF NOT EXISTS message_queue (id INTEGER PRIMARY KEY AUTOINCREMENT, "
        "world_id TEXT NOT NULL, chat_id TEXT NOT NULL, message_id TEXT NOT NULL, "
        "content TEXT NOT NULL, sender TEXT NOT NULL DEFAULT 'human', "
        "status TEXT NOT NULL DEFAULT 'queued', retry_count INTEGER NOT NULL DEFAULT 0, "
        "created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP, "
        "updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP, "
        "FOREIGN KEY (world_id) REFERENCES worlds(id) ON DELETE CASCADE, "
        "FOREIGN KEY (chat_id) REFERENCES world_chats(id) ON DELETE CASCADE);\n"
        "CREATE UNIQUE INDEX IF NOT EXISTS idx_message_queue_message_id "
        "ON message_queue(message_id);\n"
        "CREATE INDEX IF NOT EXISTS idx_message_queue_chat "
        "ON message_queue(world_id, chat_id, status);",
    ),
    (
        16,
        "add_world_heartbeat",
        "ALTER TABLE worlds ADD COLUMN heartbeat_enabled INTEGER DEFAULT 0;\n"
        "ALTER TABLE worlds ADD COLUMN heartbeat_interval TEXT;\n"
        "ALTER TABLE worlds ADD COLUMN heartbeat_prompt TEXT;",
    ),
    (
        17,
        "add_title_provenance",
        "ALTER TABLE world_chats ADD COLUMN title_provenance TEXT DEFAULT 'default';",
    ),
    (18, "add_agent_turn_metadata", "ALTER TABLE agent_memory ADD COLUMN message_metadata TEXT;"),
]

# PR #82's own 0013/0014 (refs/pull/82/head, never merged), §3.1 rows 13' and 14'.
PR82_CHAIN: list[tuple[int, str, str]] = [
    (
        13,
        "create_chat_messages",
        "CREATE TABLE IF NOT EXISTS chat_messages (id INTEGER PRIMARY KEY AUTOINCREMENT, "
        "chat_id TEXT NOT NULL, world_id TEXT NOT NULL, message_id TEXT UNIQUE NOT NULL, "
        f"role TEXT NOT NULL {ROLE4}, content TEXT NOT NULL, sender TEXT NOT NULL, "
        "reply_to_message_id TEXT, tool_calls TEXT, tool_call_id TEXT, "
        "created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP, "
        "FOREIGN KEY (chat_id) REFERENCES world_chats(id) ON DELETE CASCADE, "
        "FOREIGN KEY (world_id) REFERENCES worlds(id) ON DELETE CASCADE);\n"
        "CREATE INDEX IF NOT EXISTS idx_chat_messages_chat_id ON chat_messages(chat_id);\n"
        "CREATE INDEX IF NOT EXISTS idx_chat_messages_message_id ON chat_messages(message_id);\n"
        "CREATE INDEX IF NOT EXISTS idx_chat_messages_world_chat ON chat_messages(world_id, chat_id);\n"
        "CREATE INDEX IF NOT EXISTS idx_chat_messages_created_at "
        "ON chat_messages(chat_id, created_at);\n"
        "CREATE INDEX IF NOT EXISTS idx_chat_messages_sender ON chat_messages(sender);",
    ),
    (
        14,
        "migrate_agent_memory_to_chat_messages",
        "INSERT OR IGNORE INTO chat_messages (chat_id, world_id, message_id, role, content, sender, "
        "reply_to_message_id, tool_calls, tool_call_id, created_at) "
        "SELECT chat_id, world_id, message_id, role, content, sender, "
        "reply_to_message_id, tool_calls, tool_call_id, created_at FROM agent_memory "
        "WHERE chat_id IS NOT NULL AND message_id IS NOT NULL;\n"
        "UPDATE world_chats SET message_count = (SELECT COUNT(*) FROM chat_messages "
        "WHERE chat_messages.chat_id = world_chats.id);\n"
        "ALTER TABLE world_chats ADD COLUMN data_migrated INTEGER DEFAULT 0;\n"
        "UPDATE world_chats SET data_migrated = 1;",
    ),
]


@dataclass
class RunLog:
    """What the emulated app printed: one entry per failed attempt (like the MANIFEST's column)."""

    errors: list[str] = field(default_factory=list)
    applied: list[int] = field(default_factory=list)


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = OFF")  # test files: speed over durability
    return conn


def run_app_runner(
    path: str | Path,
    *,
    chain: Iterable[tuple[int, str, str]] | None = None,
    attempts: int = 2,
    migrations_found: bool = True,
    stop_after: int | None = None,
    events_fallback: bool = True,
) -> RunLog:
    """Open `path` the way the app's runner does, `attempts` times in one process.

    `attempts=1` is a bare start-up (fixture suffix none); 2 is a start-up followed by the first
    reads (the "-op" fixtures). `migrations_found=False` is the npm ≤ 0.12.0 / wrong-cwd case: only
    the empty history table is created. `stop_after` limits the chain (an app release older than
    HEAD, e.g. 14 for v0.11.x).
    """
    steps = list(chain if chain is not None else HEAD_CHAIN)
    if stop_after is not None:
        steps = [s for s in steps if s[0] <= stop_after]
    log = RunLog()
    conn = _connect(Path(path))
    try:
        for _ in range(max(1, attempts)):
            conn.execute(APP_HISTORY_DDL)
            if not migrations_found:
                break
            uv = int(conn.execute("PRAGMA user_version").fetchone()[0])
            pending = [s for s in steps if uv == 0 or s[0] > uv]
            try:
                for version, name, sql in pending:
                    conn.executescript(sql)
                    conn.execute(
                        "INSERT INTO schema_migrations (version, name) VALUES (?, ?)",
                        (version, name),
                    )
                    conn.execute(f"PRAGMA user_version = {int(version)}")
                    log.applied.append(version)
                break
            except sqlite3.Error as exc:
                log.errors.append(f"SQLITE_ERROR: {exc}")
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
        if events_fallback:
            for statement in ddl.EVENTS_FALLBACK:
                conn.execute(statement)
    finally:
        conn.close()
    return log
