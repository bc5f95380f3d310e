"""The agent-world app's legacy DDL, era by era, written from /work/shared/agent-world-schema.md.

Nothing here is copied from a fixture file: every column list, index and trigger is the fact table
of §1.4 (F1 and the "additions made by later fresh schemas"), §1.3 (which indexes only ALTER paths
create) and §2 (the TypeScript fallback tables). Column order matters (§1.6), so tables are
described as ordered column lists and rendered into CREATE text the way the TypeScript code wrote it
(two-space indented, ``IF NOT EXISTS``).
"""

from __future__ import annotations

from dataclasses import dataclass

CT = "CURRENT_TIMESTAMP"

# Birth eras that have a fresh legacy schema (§1.4), oldest first.
FRESH_ERAS = ("F1", "F2", "F3", "F4", "F7", "F8", "F10", "F11")
ERA_INDEX = {era: i for i, era in enumerate(FRESH_ERAS)}

# Legacy code generations that can *open* (and so migrate) a file (§1.3b "E5…E11"), keyed by the
# era name used by `build_legacy(era=…)`. Each entry: (DDL era, needsMigration target, blocks run).
#   F4      = 19f31173 (E5): target 2, no `<3` block
#   F4-v3   = 71e4915f (E6): target 3
#   F7      = 8ae248f2 (E7, v0.5.0): target 4
#   F8-v4   = 97f0fd97 (E8): blocks up to 5 but target left at 4 (the target bug, §1.3 L12)
#   F8      = 2aafd789 (E9, v0.6.x): target 5
#   F10     = 7499ef88 (E10): target 6
#   F11     = 9b413202 / a8962e7f (E11, v0.7.0 / v0.8.0): target 7
OPENERS: dict[str, tuple[str, int, int]] = {
    "F4": ("F4", 2, 2),
    "F4-v3": ("F4", 3, 3),
    "F7": ("F7", 4, 4),
    "F8-v4": ("F8", 4, 5),
    "F8": ("F8", 5, 5),
    "F10": ("F10", 6, 6),
    "F11": ("F11", 7, 7),
}

# The user_version a fresh file of each era carries (§1.2, §1.3).
FRESH_USER_VERSION = {
    "F1": 1, "F2": 1, "F3": 1, "F4": 2, "F4-v3": 3, "F7": 4, "F8": 5, "F8-v4": 5,
    "F10": 6, "F11": 7,
}  # fmt: skip


def ddl_era(era: str) -> str:
    """The fresh-schema era whose DDL a code generation uses (``F4-v3`` → ``F4``)."""
    return OPENERS[era][0] if era in OPENERS else era


def at_least(era: str, other: str) -> bool:
    return ERA_INDEX[ddl_era(era)] >= ERA_INDEX[other]


@dataclass(frozen=True)
class Col:
    name: str
    decl: str  # type and constraints, e.g. "TEXT NOT NULL"

    def render(self) -> str:
        return f"{self.name} {self.decl}"


# --------------------------------------------------------------------------------------------
# Tables (§1.4)


def worlds_columns(era: str) -> list[Col]:
    cols = [
        Col("id", "TEXT PRIMARY KEY"),
        Col("name", "TEXT NOT NULL"),
        Col("description", "TEXT"),
        Col("turn_limit", "INTEGER NOT NULL DEFAULT 5"),
    ]
    if at_least(era, "F2"):
        cols += [Col("chat_llm_provider", "TEXT"), Col("chat_llm_model", "TEXT")]
    if at_least(era, "F7"):
        cols.append(Col("current_chat_id", "TEXT"))
    if at_least(era, "F8"):
        cols.append(Col("mcp_config", "TEXT"))
    cols += [
        Col("created_at", f"TIMESTAMP DEFAULT {CT}"),
        Col("updated_at", f"TIMESTAMP DEFAULT {CT}"),
    ]
    return cols


AGENTS_COLUMNS = [
    Col("id", "TEXT NOT NULL"),
    Col("world_id", "TEXT NOT NULL"),
    Col("name", "TEXT NOT NULL"),
    Col("type", "TEXT NOT NULL"),
    Col("status", "TEXT DEFAULT 'inactive'"),
    Col("provider", "TEXT NOT NULL"),
    Col("model", "TEXT NOT NULL"),
    Col("system_prompt", "TEXT"),
    Col("temperature", "REAL"),
    Col("max_tokens", "INTEGER"),
    Col("llm_call_count", "INTEGER DEFAULT 0"),
    Col("created_at", f"TIMESTAMP DEFAULT {CT}"),
    Col("last_active", f"TIMESTAMP DEFAULT {CT}"),
    Col("last_llm_call", "TIMESTAMP"),
]
AGENTS_TAIL = [
    "PRIMARY KEY (id, world_id)",
    "FOREIGN KEY (world_id) REFERENCES worlds(id) ON DELETE CASCADE",
]

LEGACY_ROLE_CHECK = "CHECK (role IN ('system', 'user', 'assistant'))"


def agent_memory_columns(era: str) -> list[Col]:
    """M-A (F1–F3), M-B (F4–F8), M-C (F10), M-D (F11), §1.6."""
    cols = [
        Col("id", "INTEGER PRIMARY KEY AUTOINCREMENT"),
        Col("agent_id", "TEXT NOT NULL"),
        Col("world_id", "TEXT NOT NULL"),
    ]
    if at_least(era, "F10"):
        cols.append(Col("message_id", "TEXT"))
    if at_least(era, "F11"):
        cols.append(Col("reply_to_message_id", "TEXT"))
    cols += [
        Col("role", f"TEXT NOT NULL {LEGACY_ROLE_CHECK}"),
        Col("content", "TEXT NOT NULL"),
        Col("sender", "TEXT"),
    ]
    if at_least(era, "F4"):
        cols.append(Col("chat_id", "TEXT"))
    cols.append(Col("created_at", f"TIMESTAMP DEFAULT {CT}"))
    return cols


AGENT_FK = "FOREIGN KEY (agent_id, world_id) REFERENCES agents(id, world_id) ON DELETE CASCADE"
WORLD_FK = "FOREIGN KEY (world_id) REFERENCES worlds(id) ON DELETE CASCADE"


def memory_archives_columns(era: str) -> list[Col]:
    cols = [
        Col("id", "INTEGER PRIMARY KEY AUTOINCREMENT"),
        Col("agent_id", "TEXT NOT NULL"),
        Col("world_id", "TEXT NOT NULL"),
        Col("session_name", "TEXT"),
        Col("archive_reason", "TEXT"),
        Col("message_count", "INTEGER NOT NULL DEFAULT 0"),
        Col("start_time", "TIMESTAMP"),
        Col("end_time", "TIMESTAMP"),
        Col("participants", "TEXT"),
        Col("tags", "TEXT"),
    ]
    if not at_least(era, "F3"):  # F1, F2 keep `summary`; F3 removed it from CREATE
        cols.append(Col("summary", "TEXT"))
    cols.append(Col("created_at", f"TIMESTAMP DEFAULT {CT}"))
    return cols


ARCHIVED_MESSAGES_LEGACY = [
    Col("id", "INTEGER PRIMARY KEY AUTOINCREMENT"),
    Col("archive_id", "INTEGER NOT NULL"),
    Col("role", f"TEXT NOT NULL {LEGACY_ROLE_CHECK}"),
    Col("content", "TEXT NOT NULL"),
    Col("sender", "TEXT"),
    Col("original_created_at", "TIMESTAMP"),
    Col("archived_at", f"TIMESTAMP DEFAULT {CT}"),
]
ARCHIVED_MESSAGES_TAIL = [
    "FOREIGN KEY (archive_id) REFERENCES memory_archives(id) ON DELETE CASCADE",
]

ARCHIVE_STATISTICS_LEGACY = [
    Col("id", "INTEGER PRIMARY KEY AUTOINCREMENT"),
    Col("world_id", "TEXT NOT NULL"),
    Col("agent_id", "TEXT"),
    Col("stat_type", "TEXT NOT NULL"),
    Col("stat_date", "DATE NOT NULL"),
    Col("archive_count", "INTEGER DEFAULT 0"),
    Col("message_count", "INTEGER DEFAULT 0"),
    Col("session_length_avg", "REAL DEFAULT 0"),
    Col("most_active_agent", "TEXT"),
    Col("data", "TEXT"),
    Col("created_at", f"TIMESTAMP DEFAULT {CT}"),
    Col("updated_at", f"TIMESTAMP DEFAULT {CT}"),
]


def world_chats_columns(era: str) -> list[Col]:
    cols = [
        Col("id", "TEXT PRIMARY KEY"),
        Col("world_id", "TEXT NOT NULL"),
        Col("name", "TEXT NOT NULL"),
        Col("description", "TEXT"),
        Col("message_count", "INTEGER DEFAULT 0"),
    ]
    if ddl_era(era) == "F2":  # only 9d0bb861 created world_chats with `summary`
        cols.append(Col("summary", "TEXT"))
    cols += [
        Col("tags", "TEXT"),
        Col("created_at", f"TIMESTAMP DEFAULT {CT}"),
        Col("updated_at", f"TIMESTAMP DEFAULT {CT}"),
    ]
    return cols


CHAT_SNAPSHOTS_COLUMNS = [
    Col("id", "INTEGER PRIMARY KEY AUTOINCREMENT"),
    Col("chat_id", "TEXT NOT NULL"),
    Col("world_id", "TEXT NOT NULL"),
    Col("snapshot_data", "TEXT NOT NULL"),
    Col("captured_at", f"TIMESTAMP DEFAULT {CT}"),
    Col("version", "TEXT DEFAULT '1.0'"),
]
CHAT_SNAPSHOTS_TAIL = [
    "FOREIGN KEY (chat_id) REFERENCES world_chats(id) ON DELETE CASCADE",
    WORLD_FK,
]


def create_table(name: str, cols: list[Col], tail: tuple[str, ...] | list[str] = ()) -> str:
    body = ",\n      ".join([c.render() for c in cols] + list(tail))
    return f"CREATE TABLE IF NOT EXISTS {name} (\n      {body}\n    )"


def legacy_tables(era: str) -> list[tuple[str, str]]:
    """(name, CREATE) in the order `initializeSchema()` of that era runs them."""
    out = [
        ("worlds", create_table("worlds", worlds_columns(era))),
        ("agents", create_table("agents", AGENTS_COLUMNS, AGENTS_TAIL)),
        ("agent_memory", create_table("agent_memory", agent_memory_columns(era), [AGENT_FK])),
    ]
    if at_least(era, "F2"):
        out += [
            ("world_chats", create_table("world_chats", world_chats_columns(era), [WORLD_FK])),
            (
                "chat_snapshots",
                create_table("chat_snapshots", CHAT_SNAPSHOTS_COLUMNS, CHAT_SNAPSHOTS_TAIL),
            ),
        ]
    out += [
        (
            "memory_archives",
            create_table("memory_archives", memory_archives_columns(era), [AGENT_FK]),
        ),
        (
            "archived_messages",
            create_table("archived_messages", ARCHIVED_MESSAGES_LEGACY, ARCHIVED_MESSAGES_TAIL),
        ),
        (
            "archive_statistics",
            create_table("archive_statistics", ARCHIVE_STATISTICS_LEGACY, [WORLD_FK]),
        ),
    ]
    return out


# --------------------------------------------------------------------------------------------
# Indexes and triggers


def legacy_indexes(era: str) -> list[tuple[str, str, str]]:
    """(name, table, column list) in `createIndexes()` order for that era (§1.4)."""
    out = [
        ("idx_agents_world_id", "agents", "world_id"),
        ("idx_agents_status", "agents", "status"),
        ("idx_agents_last_active", "agents", "last_active"),
        ("idx_agent_memory_agent_world", "agent_memory", "agent_id, world_id"),
        ("idx_agent_memory_created_at", "agent_memory", "created_at"),
        ("idx_agent_memory_sender", "agent_memory", "sender"),
    ]
    if at_least(era, "F4"):
        out.append(("idx_agent_memory_chat_id", "agent_memory", "chat_id"))
    if at_least(era, "F10"):
        out.append(("idx_agent_memory_message_id", "agent_memory", "message_id"))
    if at_least(era, "F2"):
        out += [
            ("idx_world_chats_world_id", "world_chats", "world_id"),
            ("idx_world_chats_created_at", "world_chats", "created_at"),
            ("idx_world_chats_updated_at", "world_chats", "updated_at"),
            ("idx_chat_snapshots_chat_id", "chat_snapshots", "chat_id"),
            ("idx_chat_snapshots_world_id", "chat_snapshots", "world_id"),
        ]
    out += [
        ("idx_memory_archives_agent_world", "memory_archives", "agent_id, world_id"),
        ("idx_memory_archives_created_at", "memory_archives", "created_at"),
        ("idx_memory_archives_session_name", "memory_archives", "session_name"),
        ("idx_archived_messages_archive_id", "archived_messages", "archive_id"),
        ("idx_archived_messages_content", "archived_messages", "content"),
        ("idx_archived_messages_sender", "archived_messages", "sender"),
        ("idx_archive_statistics_world_date", "archive_statistics", "world_id, stat_date"),
        ("idx_archive_statistics_type", "archive_statistics", "stat_type"),
    ]
    return out


# Indexes only the legacy `migrate()` ALTER blocks create (§1.4 "Indexes that only ALTER paths
# create"), keyed by the column whose ALTER they follow.
ALTER_INDEXES = {
    "chat_id": ("idx_agent_memory_chat_id", "agent_memory", "chat_id"),
    "message_id": ("idx_agent_memory_message_id", "agent_memory", "message_id"),
    "reply_to_message_id": (
        "idx_agent_memory_reply_to_message_id",
        "agent_memory",
        "reply_to_message_id",
    ),
}


def create_index(name: str, table: str, columns: str) -> str:
    return f"CREATE INDEX IF NOT EXISTS {name} ON {table}({columns})"


def _touch_trigger(name: str, table: str, column: str, where: str) -> str:
    return (
        f"CREATE TRIGGER IF NOT EXISTS {name}\n    AFTER UPDATE ON {table}\n    BEGIN\n"
        f"      UPDATE {table} SET {column} = {CT} WHERE {where};\n    END"
    )


def legacy_triggers(era: str) -> list[tuple[str, str]]:
    out = [
        (
            "worlds_updated_at",
            _touch_trigger("worlds_updated_at", "worlds", "updated_at", "id = NEW.id"),
        ),
        (
            "agents_last_active",
            _touch_trigger(
                "agents_last_active",
                "agents",
                "last_active",
                "id = NEW.id AND world_id = NEW.world_id",
            ),
        ),
    ]
    if at_least(era, "F2"):
        out.append(
            (
                "world_chats_updated_at",
                _touch_trigger(
                    "world_chats_updated_at", "world_chats", "updated_at", "id = NEW.id"
                ),
            )
        )
    out.append(
        (
            "archive_statistics_updated_at",
            _touch_trigger(
                "archive_statistics_updated_at", "archive_statistics", "updated_at", "id = NEW.id"
            ),
        )
    )
    return out


# --------------------------------------------------------------------------------------------
# The pre-runner TypeScript fallbacks (§2)

EVENTS_FALLBACK = [
    """CREATE TABLE IF NOT EXISTS events (
        id TEXT PRIMARY KEY,
        world_id TEXT NOT NULL,
        chat_id TEXT,
        seq INTEGER,
        type TEXT NOT NULL,
        payload TEXT NOT NULL,
        meta TEXT,
        created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
      )""",
    "CREATE INDEX IF NOT EXISTS idx_events_world_chat_time ON events(world_id, chat_id, created_at)",
    "CREATE INDEX IF NOT EXISTS idx_events_world_chat_seq ON events(world_id, chat_id, seq)",
    "CREATE INDEX IF NOT EXISTS idx_events_type ON events(type)",
    "CREATE INDEX IF NOT EXISTS idx_events_world_id ON events(world_id)",
]

EVENT_SEQUENCES_FALLBACK = [
    """CREATE TABLE IF NOT EXISTS event_sequences (
        world_id TEXT NOT NULL,
        chat_id TEXT,
        last_seq INTEGER DEFAULT 0,
        PRIMARY KEY (world_id, chat_id)
      )""",
    "CREATE INDEX IF NOT EXISTS idx_event_sequences_world ON event_sequences(world_id)",
]

MESSAGE_QUEUE_CAMEL = [
    """CREATE TABLE IF NOT EXISTS message_queue (
        id TEXT PRIMARY KEY,
        worldId TEXT NOT NULL,
        messageId TEXT NOT NULL,
        content TEXT NOT NULL,
        sender TEXT NOT NULL DEFAULT 'human',
        chatId TEXT,
        status TEXT NOT NULL DEFAULT 'pending'
          CHECK (status IN ('pending', 'processing', 'completed', 'failed')),
        priority INTEGER DEFAULT 0,
        createdAt INTEGER NOT NULL,
        processedAt INTEGER,
        heartbeatAt INTEGER,
        completedAt INTEGER,
        error TEXT,
        retryCount INTEGER DEFAULT 0,
        maxRetries INTEGER DEFAULT 3,
        timeoutSeconds INTEGER DEFAULT 300
      )""",
    "CREATE INDEX IF NOT EXISTS idx_queue_dequeue ON message_queue(worldId, status, priority DESC, createdAt ASC)",
    "CREATE INDEX IF NOT EXISTS idx_queue_message ON message_queue(messageId)",
    "CREATE INDEX IF NOT EXISTS idx_queue_stuck ON message_queue(status, heartbeatAt)",
    "CREATE INDEX IF NOT EXISTS idx_queue_world ON message_queue(worldId)",
    "CREATE INDEX IF NOT EXISTS idx_queue_cleanup ON message_queue(status, completedAt)",
]

FALLBACKS = {
    "events": EVENTS_FALLBACK,
    "event_sequences": EVENT_SEQUENCES_FALLBACK,
    "message_queue": MESSAGE_QUEUE_CAMEL,
}
