"""What the test builders add to the app's legacy schema (``sqlmig_migrations.legacy_schema``, the
tables, indexes and triggers of each fresh era, shared with the demo file): the legacy code
generations that open and migrate a file (§1.3b), the indexes only ALTER paths create (§1.3), and the
TypeScript fallback tables (§2). Written from /work/shared/agent-world-schema.md, never copied from
a fixture file.
"""

from __future__ import annotations

from sqlmig_migrations import legacy_schema
from sqlmig_migrations.legacy_schema import (
    ERA_INDEX,
    FRESH_ERAS,
    LEGACY_ROLE_CHECK,
    create_index,
)

__all__ = [
    "ALTER_INDEXES", "ERA_INDEX", "FALLBACKS", "FRESH_ERAS", "FRESH_USER_VERSION",
    "LEGACY_ROLE_CHECK", "OPENERS", "create_index", "ddl_era", "legacy_indexes", "legacy_tables",
    "legacy_triggers",
]

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


def legacy_tables(era: str) -> list[tuple[str, str]]:
    """(name, CREATE) in `initializeSchema()` order; `era` may be a code generation."""
    return legacy_schema.legacy_tables(ddl_era(era))


def legacy_indexes(era: str) -> list[tuple[str, str, str]]:
    return legacy_schema.legacy_indexes(ddl_era(era))


def legacy_triggers(era: str) -> list[tuple[str, str]]:
    return legacy_schema.legacy_triggers(ddl_era(era))


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
