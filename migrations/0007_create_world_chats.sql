-- present: SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table'
--      AND name = 'world_chats')
--  AND EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'index'
--      AND name = 'idx_world_chats_world_id' AND tbl_name = 'world_chats')
--  AND EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'trigger'
--      AND name = 'world_chats_updated_at' AND tbl_name = 'world_chats')
-- Creates the chats of a world, with the index on the owning world and the
-- trigger that touches updated_at on every update.

CREATE TABLE IF NOT EXISTS world_chats (
    id            TEXT PRIMARY KEY,
    world_id      TEXT NOT NULL,
    name          TEXT NOT NULL,
    description   TEXT,
    message_count INTEGER DEFAULT 0,
    tags          TEXT,
    created_at    TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    updated_at    TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    FOREIGN KEY (world_id) REFERENCES worlds (id) ON DELETE CASCADE
);

CREATE INDEX IF NOT EXISTS idx_world_chats_world_id ON world_chats (world_id);

CREATE TRIGGER IF NOT EXISTS world_chats_updated_at
AFTER UPDATE ON world_chats
BEGIN
    UPDATE world_chats SET updated_at = CURRENT_TIMESTAMP WHERE id = NEW.id;
END;

-- migrate:down
DROP TRIGGER IF EXISTS world_chats_updated_at;
DROP TABLE world_chats;
