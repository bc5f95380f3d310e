-- present: SELECT (SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN (
--      'worlds', 'agents', 'agent_memory', 'memory_archives', 'archived_messages',
--      'archive_statistics')) = 6
--  AND (SELECT count(*) FROM pragma_table_info('archived_messages')
--      WHERE name IN ('agent_id', 'world_id', 'original_timestamp')) = 3
--  AND (SELECT count(*) FROM pragma_table_info('archive_statistics')
--      WHERE name IN ('agent_id', 'total_archives', 'total_messages',
--                     'archive_frequency')) = 4
--  AND (SELECT count(*) FROM sqlite_master WHERE type = 'index'
--      AND tbl_name || '.' || name IN (
--      'agents.idx_agents_world_id', 'agents.idx_agents_status',
--      'agent_memory.idx_agent_memory_agent_world',
--      'memory_archives.idx_memory_archives_agent_world',
--      'archived_messages.idx_archived_messages_archive_id',
--      'archive_statistics.idx_archive_statistics_agent_world')) = 6
--  AND (SELECT count(*) FROM sqlite_master WHERE type = 'trigger'
--      AND tbl_name || '.' || name IN (
--      'worlds.worlds_updated_at', 'agents.agents_last_active',
--      'archive_statistics.archive_statistics_updated_at')) = 3
-- Creates the base agent-world schema: worlds, agents, agent memory and the
-- three archive tables (tracked layout), with their indexes and the
-- timestamp triggers. Later migrations append columns to these tables.

CREATE TABLE IF NOT EXISTS worlds (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    description TEXT,
    turn_limit  INTEGER NOT NULL DEFAULT 5,
    created_at  TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    updated_at  TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE IF NOT EXISTS agents (
    id             TEXT NOT NULL,
    world_id       TEXT NOT NULL,
    name           TEXT NOT NULL,
    type           TEXT NOT NULL,
    status         TEXT DEFAULT 'inactive',
    provider       TEXT NOT NULL,
    model          TEXT NOT NULL,
    system_prompt  TEXT,
    temperature    REAL,
    max_tokens     INTEGER,
    llm_call_count INTEGER DEFAULT 0,
    created_at     TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    last_active    TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    last_llm_call  TIMESTAMP,
    PRIMARY KEY (id, world_id),
    FOREIGN KEY (world_id) REFERENCES worlds (id) ON DELETE CASCADE
);

CREATE TABLE IF NOT EXISTS agent_memory (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    agent_id   TEXT NOT NULL,
    world_id   TEXT NOT NULL,
    role       TEXT NOT NULL CHECK (role IN ('system', 'user', 'assistant')),
    content    TEXT NOT NULL,
    sender     TEXT,
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    FOREIGN KEY (agent_id, world_id) REFERENCES agents (id, world_id) ON DELETE CASCADE
);

CREATE TABLE IF NOT EXISTS memory_archives (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    agent_id       TEXT NOT NULL,
    world_id       TEXT NOT NULL,
    session_name   TEXT,
    archive_reason TEXT,
    message_count  INTEGER NOT NULL DEFAULT 0,
    start_time     TIMESTAMP,
    end_time       TIMESTAMP,
    participants   TEXT,
    tags           TEXT,
    created_at     TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    FOREIGN KEY (agent_id, world_id) REFERENCES agents (id, world_id) ON DELETE CASCADE
);

CREATE TABLE IF NOT EXISTS archived_messages (
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

CREATE TABLE IF NOT EXISTS archive_statistics (
    id                     INTEGER PRIMARY KEY AUTOINCREMENT,
    agent_id               TEXT NOT NULL,
    world_id               TEXT NOT NULL,
    total_archives         INTEGER DEFAULT 0,
    total_messages         INTEGER DEFAULT 0,
    average_session_length REAL DEFAULT 0,
    most_active_agent      TEXT,
    archive_frequency      TEXT,
    created_at             TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    updated_at             TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    FOREIGN KEY (agent_id, world_id) REFERENCES agents (id, world_id) ON DELETE CASCADE
);

CREATE INDEX IF NOT EXISTS idx_agents_world_id ON agents (world_id);
CREATE INDEX IF NOT EXISTS idx_agents_status ON agents (status);
CREATE INDEX IF NOT EXISTS idx_agent_memory_agent_world ON agent_memory (agent_id, world_id);
CREATE INDEX IF NOT EXISTS idx_memory_archives_agent_world ON memory_archives (agent_id, world_id);
CREATE INDEX IF NOT EXISTS idx_archived_messages_archive_id ON archived_messages (archive_id);
CREATE INDEX IF NOT EXISTS idx_archive_statistics_agent_world ON archive_statistics (agent_id, world_id);

CREATE TRIGGER IF NOT EXISTS worlds_updated_at
AFTER UPDATE ON worlds
BEGIN
    UPDATE worlds SET updated_at = CURRENT_TIMESTAMP WHERE id = NEW.id;
END;

CREATE TRIGGER IF NOT EXISTS agents_last_active
AFTER UPDATE ON agents
BEGIN
    UPDATE agents SET last_active = CURRENT_TIMESTAMP
    WHERE id = NEW.id AND world_id = NEW.world_id;
END;

CREATE TRIGGER IF NOT EXISTS archive_statistics_updated_at
AFTER UPDATE ON archive_statistics
BEGIN
    UPDATE archive_statistics SET updated_at = CURRENT_TIMESTAMP WHERE id = NEW.id;
END;

-- migrate:down
-- Drops the base schema, children before parents.
DROP TRIGGER IF EXISTS archive_statistics_updated_at;
DROP TRIGGER IF EXISTS agents_last_active;
DROP TRIGGER IF EXISTS worlds_updated_at;
DROP TABLE archive_statistics;
DROP TABLE archived_messages;
DROP TABLE memory_archives;
DROP TABLE agent_memory;
DROP TABLE agents;
DROP TABLE worlds;
