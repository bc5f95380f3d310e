-- present: SELECT (SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'agent_memory')
--      LIKE '%''tool''%'
--  AND (SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'archived_messages')
--      LIKE '%''tool''%'
--  AND (SELECT count(*) FROM pragma_table_info('archived_messages')
--      WHERE name IN ('agent_id', 'world_id', 'original_timestamp')) = 3
--  AND (SELECT count(*) FROM sqlite_master WHERE type = 'index'
--      AND tbl_name || '.' || name IN (
--      'agent_memory.idx_agent_memory_agent_world', 'agent_memory.idx_agent_memory_chat_id',
--      'agent_memory.idx_agent_memory_message_id', 'agent_memory.idx_agent_memory_reply_to',
--      'archived_messages.idx_archived_messages_archive_id')) = 5
-- foreign-keys: off
-- Allows the role 'tool' in agent memory and archived messages. SQLite cannot
-- change a CHECK constraint in place, so both tables are rebuilt in the order
-- SQLite documents for schema changes: create the new table under a temporary
-- name of our own, copy every row with explicit column lists, carry the
-- AUTOINCREMENT counter over, drop the old table, rename the new one, and
-- recreate the indexes. The runner switches foreign keys off before its
-- transaction and runs a foreign key check before COMMIT.
-- This file only ever drops the two tables it rebuilds and never touches any
-- other table (in particular no *_backup table of the app's own 0012).
-- The temporary tables are created without IF NOT EXISTS on purpose, so a
-- stray table of that name makes the migration fail instead of being reused.

-- agent_memory ------------------------------------------------------------

CREATE TABLE agent_memory_sqlmig_0012 (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    agent_id            TEXT NOT NULL,
    world_id            TEXT NOT NULL,
    role                TEXT NOT NULL CHECK (role IN ('system', 'user', 'assistant', 'tool')),
    content             TEXT NOT NULL,
    sender              TEXT,
    created_at          TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    chat_id             TEXT,
    message_id          TEXT,
    reply_to_message_id TEXT,
    tool_calls          TEXT,
    tool_call_id        TEXT,
    FOREIGN KEY (agent_id, world_id) REFERENCES agents (id, world_id) ON DELETE CASCADE
);

INSERT INTO agent_memory_sqlmig_0012 (
    id, agent_id, world_id, role, content, sender, created_at,
    chat_id, message_id, reply_to_message_id, tool_calls, tool_call_id
)
SELECT
    id, agent_id, world_id, role, content, sender, created_at,
    chat_id, message_id, reply_to_message_id, tool_calls, tool_call_id
FROM agent_memory
ORDER BY id;

-- Keep the larger of the two counters (MAX ignores a missing row's NULL).
UPDATE sqlite_sequence
SET seq = (
    SELECT MAX(seq) FROM sqlite_sequence
    WHERE name IN ('agent_memory', 'agent_memory_sqlmig_0012')
)
WHERE name = 'agent_memory_sqlmig_0012';

-- Give the new table a counter row if it has none yet (do not rely on the
-- copy having created one when there was nothing to copy).
INSERT INTO sqlite_sequence (name, seq)
SELECT 'agent_memory_sqlmig_0012', old_seq
FROM (SELECT MAX(seq) AS old_seq FROM sqlite_sequence WHERE name = 'agent_memory')
WHERE old_seq IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'agent_memory_sqlmig_0012');

DROP TABLE agent_memory;

ALTER TABLE agent_memory_sqlmig_0012 RENAME TO agent_memory;

CREATE INDEX IF NOT EXISTS idx_agent_memory_agent_world ON agent_memory (agent_id, world_id);
CREATE INDEX IF NOT EXISTS idx_agent_memory_chat_id ON agent_memory (chat_id);
CREATE INDEX IF NOT EXISTS idx_agent_memory_message_id ON agent_memory (message_id);
CREATE INDEX IF NOT EXISTS idx_agent_memory_reply_to ON agent_memory (reply_to_message_id);

-- archived_messages -------------------------------------------------------

CREATE TABLE archived_messages_sqlmig_0012 (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    archive_id         INTEGER NOT NULL,
    agent_id           TEXT NOT NULL,
    world_id           TEXT NOT NULL,
    role               TEXT NOT NULL CHECK (role IN ('system', 'user', 'assistant', 'tool')),
    content            TEXT NOT NULL,
    sender             TEXT,
    original_timestamp TIMESTAMP,
    FOREIGN KEY (archive_id) REFERENCES memory_archives (id) ON DELETE CASCADE,
    FOREIGN KEY (agent_id, world_id) REFERENCES agents (id, world_id) ON DELETE CASCADE
);

INSERT INTO archived_messages_sqlmig_0012 (
    id, archive_id, agent_id, world_id, role, content, sender, original_timestamp
)
SELECT
    id, archive_id, agent_id, world_id, role, content, sender, original_timestamp
FROM archived_messages
ORDER BY id;

UPDATE sqlite_sequence
SET seq = (
    SELECT MAX(seq) FROM sqlite_sequence
    WHERE name IN ('archived_messages', 'archived_messages_sqlmig_0012')
)
WHERE name = 'archived_messages_sqlmig_0012';

INSERT INTO sqlite_sequence (name, seq)
SELECT 'archived_messages_sqlmig_0012', old_seq
FROM (SELECT MAX(seq) AS old_seq FROM sqlite_sequence WHERE name = 'archived_messages')
WHERE old_seq IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'archived_messages_sqlmig_0012');

DROP TABLE archived_messages;

ALTER TABLE archived_messages_sqlmig_0012 RENAME TO archived_messages;

CREATE INDEX IF NOT EXISTS idx_archived_messages_archive_id ON archived_messages (archive_id);

-- migrate:down
-- Back to the roles 'system', 'user' and 'assistant': the same 12-step rebuild (the rebuild
-- helper's rebuild_sql), foreign keys off by the directive above. Rows with the role 'tool'
-- cannot stay; they move to agent_memory_unplaced / archived_messages_unplaced, which sqlmig
-- allows only with --allow-data-loss (and drops again when they stay empty).

CREATE TABLE IF NOT EXISTS agent_memory_unplaced AS SELECT * FROM agent_memory WHERE 0;

INSERT INTO agent_memory_unplaced
SELECT * FROM agent_memory WHERE role NOT IN ('system', 'user', 'assistant');

CREATE TABLE IF NOT EXISTS archived_messages_unplaced AS SELECT * FROM archived_messages WHERE 0;

INSERT INTO archived_messages_unplaced
SELECT * FROM archived_messages WHERE role NOT IN ('system', 'user', 'assistant');

PRAGMA legacy_alter_table = ON;

CREATE TABLE agent_memory_sqlmig_rebuild (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    agent_id            TEXT NOT NULL,
    world_id            TEXT NOT NULL,
    role                TEXT NOT NULL CHECK (role IN ('system', 'user', 'assistant')),
    content             TEXT NOT NULL,
    sender              TEXT,
    created_at          TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    chat_id             TEXT,
    message_id          TEXT,
    reply_to_message_id TEXT,
    tool_calls          TEXT,
    tool_call_id        TEXT,
    FOREIGN KEY (agent_id, world_id) REFERENCES agents (id, world_id) ON DELETE CASCADE
);

INSERT INTO agent_memory_sqlmig_rebuild (
    id, agent_id, world_id, role, content, sender, created_at,
    chat_id, message_id, reply_to_message_id, tool_calls, tool_call_id
)
SELECT
    id, agent_id, world_id, role, content, sender, created_at,
    chat_id, message_id, reply_to_message_id, tool_calls, tool_call_id
FROM agent_memory
WHERE role IN ('system', 'user', 'assistant')
ORDER BY id;

UPDATE sqlite_sequence
SET seq = (SELECT MAX(seq) FROM sqlite_sequence
           WHERE name IN ('agent_memory', 'agent_memory_sqlmig_rebuild'))
WHERE name = 'agent_memory_sqlmig_rebuild';

INSERT INTO sqlite_sequence (name, seq)
SELECT 'agent_memory_sqlmig_rebuild', old_seq
FROM (SELECT MAX(seq) AS old_seq FROM sqlite_sequence WHERE name = 'agent_memory')
WHERE old_seq IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'agent_memory_sqlmig_rebuild');

DROP TABLE agent_memory;

ALTER TABLE agent_memory_sqlmig_rebuild RENAME TO agent_memory;

CREATE TABLE archived_messages_sqlmig_rebuild (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    archive_id         INTEGER NOT NULL,
    agent_id           TEXT NOT NULL,
    world_id           TEXT NOT NULL,
    role               TEXT NOT NULL CHECK (role IN ('system', 'user', 'assistant')),
    content            TEXT NOT NULL,
    sender             TEXT,
    original_timestamp TIMESTAMP,
    FOREIGN KEY (archive_id) REFERENCES memory_archives (id) ON DELETE CASCADE,
    FOREIGN KEY (agent_id, world_id) REFERENCES agents (id, world_id) ON DELETE CASCADE
);

INSERT INTO archived_messages_sqlmig_rebuild (
    id, archive_id, agent_id, world_id, role, content, sender, original_timestamp
)
SELECT
    id, archive_id, agent_id, world_id, role, content, sender, original_timestamp
FROM archived_messages
WHERE role IN ('system', 'user', 'assistant')
ORDER BY id;

UPDATE sqlite_sequence
SET seq = (SELECT MAX(seq) FROM sqlite_sequence
           WHERE name IN ('archived_messages', 'archived_messages_sqlmig_rebuild'))
WHERE name = 'archived_messages_sqlmig_rebuild';

INSERT INTO sqlite_sequence (name, seq)
SELECT 'archived_messages_sqlmig_rebuild', old_seq
FROM (SELECT MAX(seq) AS old_seq FROM sqlite_sequence WHERE name = 'archived_messages')
WHERE old_seq IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM sqlite_sequence
                  WHERE name = 'archived_messages_sqlmig_rebuild');

DROP TABLE archived_messages;

ALTER TABLE archived_messages_sqlmig_rebuild RENAME TO archived_messages;

PRAGMA legacy_alter_table = OFF;

CREATE INDEX IF NOT EXISTS idx_agent_memory_agent_world ON agent_memory (agent_id, world_id);
CREATE INDEX IF NOT EXISTS idx_agent_memory_chat_id ON agent_memory (chat_id);
CREATE INDEX IF NOT EXISTS idx_agent_memory_message_id ON agent_memory (message_id);
CREATE INDEX IF NOT EXISTS idx_agent_memory_reply_to_message_id
    ON agent_memory (reply_to_message_id);
CREATE INDEX IF NOT EXISTS idx_archived_messages_archive_id ON archived_messages (archive_id);
