"""The agent-world app's legacy schema (``user_version`` 0…7), era by era, as its code created it.

Written from the facts of ``agent-world-schema.md`` (§1.4 and the column orders of §1.6), never
copied from a user's file. Column order matters, so tables are ordered column lists rendered into
CREATE text the way the app's TypeScript wrote it (two-space indented, ``IF NOT EXISTS``; SQLite
stores it without ``IF NOT EXISTS``). The demo file (``demo.py``) and the test builders
(``tests/builders/``) both build from here. Plain Python: no Qt, no database.

Eras are the fresh legacy schemas ``F1 F2 F3 F4 F7 F8 F10 F11``, oldest first.
"""

from __future__ import annotations

from dataclasses import dataclass

CT = "CURRENT_TIMESTAMP"

FRESH_ERAS = ("F1", "F2", "F3", "F4", "F7", "F8", "F10", "F11")
ERA_INDEX = {era: i for i, era in enumerate(FRESH_ERAS)}


def at_least(era: str, other: str) -> bool:
    """Is fresh era `era` as new as `other` (it has every table and column `other` created)?"""
    return ERA_INDEX[era] >= ERA_INDEX[other]


@dataclass(frozen=True)
class Col:
    name: str
    decl: str  # type and constraints, e.g. "TEXT NOT NULL"

    def render(self) -> str:
        return f"{self.name} {self.decl}"


# --------------------------------------------------------------------------------------------
# Tables (§1.4)


def worlds_columns(era: str) -> list[Col]:
    """W-A (F1) … W-D (F8 on), §1.6."""
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
    return [*cols, Col("created_at", f"TIMESTAMP DEFAULT {CT}"),
            Col("updated_at", f"TIMESTAMP DEFAULT {CT}")]


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
AGENT_FK = "FOREIGN KEY (agent_id, world_id) REFERENCES agents(id, world_id) ON DELETE CASCADE"
WORLD_FK = "FOREIGN KEY (world_id) REFERENCES worlds(id) ON DELETE CASCADE"


def agent_memory_columns(era: str) -> list[Col]:
    """M-A (F1-F3), M-B (F4-F8), M-C (F10), M-D (F11), §1.6."""
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
    return [*cols, Col("created_at", f"TIMESTAMP DEFAULT {CT}")]


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
    return [*cols, Col("created_at", f"TIMESTAMP DEFAULT {CT}")]


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
    if era == "F2":  # only 9d0bb861 created world_chats with `summary`
        cols.append(Col("summary", "TEXT"))
    return [*cols, Col("tags", "TEXT"), Col("created_at", f"TIMESTAMP DEFAULT {CT}"),
            Col("updated_at", f"TIMESTAMP DEFAULT {CT}")]


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
            ("chat_snapshots",
             create_table("chat_snapshots", CHAT_SNAPSHOTS_COLUMNS, CHAT_SNAPSHOTS_TAIL)),
        ]
    return [
        *out,
        ("memory_archives",
         create_table("memory_archives", memory_archives_columns(era), [AGENT_FK])),
        ("archived_messages",
         create_table("archived_messages", ARCHIVED_MESSAGES_LEGACY, ARCHIVED_MESSAGES_TAIL)),
        ("archive_statistics",
         create_table("archive_statistics", ARCHIVE_STATISTICS_LEGACY, [WORLD_FK])),
    ]


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
    return [
        *out,
        ("idx_memory_archives_agent_world", "memory_archives", "agent_id, world_id"),
        ("idx_memory_archives_created_at", "memory_archives", "created_at"),
        ("idx_memory_archives_session_name", "memory_archives", "session_name"),
        ("idx_archived_messages_archive_id", "archived_messages", "archive_id"),
        ("idx_archived_messages_content", "archived_messages", "content"),
        ("idx_archived_messages_sender", "archived_messages", "sender"),
        ("idx_archive_statistics_world_date", "archive_statistics", "world_id, stat_date"),
        ("idx_archive_statistics_type", "archive_statistics", "stat_type"),
    ]


def create_index(name: str, table: str, columns: str) -> str:
    return f"CREATE INDEX IF NOT EXISTS {name} ON {table}({columns})"


# (trigger name, table, column it touches, which row) in `createTriggers()` order.
_TOUCH_TRIGGERS = (
    ("worlds_updated_at", "worlds", "updated_at", "id = NEW.id", "F1"),
    ("agents_last_active", "agents", "last_active", "id = NEW.id AND world_id = NEW.world_id",
     "F1"),
    ("world_chats_updated_at", "world_chats", "updated_at", "id = NEW.id", "F2"),
    ("archive_statistics_updated_at", "archive_statistics", "updated_at", "id = NEW.id", "F1"),
)


def legacy_triggers(era: str) -> list[tuple[str, str]]:
    """(name, CREATE TRIGGER) for that era: each keeps a timestamp column current."""
    return [
        (name, f"CREATE TRIGGER IF NOT EXISTS {name}\n    AFTER UPDATE ON {table}\n    BEGIN\n"
               f"      UPDATE {table} SET {column} = {CT} WHERE {where};\n    END")
        for name, table, column, where, since in _TOUCH_TRIGGERS
        if at_least(era, since)
    ]


def schema_statements(era: str) -> list[str]:
    """A fresh file of `era`, as its `initializeSchema()` made it: tables, indexes, triggers."""
    return [
        *(sql for _name, sql in legacy_tables(era)),
        *(create_index(*index) for index in legacy_indexes(era)),
        *(sql for _name, sql in legacy_triggers(era)),
    ]
