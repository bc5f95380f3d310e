-- present: SELECT EXISTS (SELECT 1 FROM pragma_foreign_key_list('events')
--      WHERE "table" = 'worlds' AND "from" = 'world_id')
--  AND EXISTS (SELECT 1 FROM pragma_foreign_key_list('events')
--      WHERE "table" = 'world_chats' AND "from" = 'chat_id')
--  AND (SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events'
--      AND name IN ('idx_events_world_chat_time', 'idx_events_world_chat_seq',
--                   'idx_events_type', 'idx_events_world_id')) = 4
-- Creates the persistent event log. Payload and meta hold JSON text. Events
-- go away with their world, and with their chat when they have one.

CREATE TABLE IF NOT EXISTS events (
    id         TEXT PRIMARY KEY,
    world_id   TEXT NOT NULL,
    chat_id    TEXT,
    seq        INTEGER,
    type       TEXT NOT NULL,
    payload    TEXT NOT NULL,
    meta       TEXT,
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    FOREIGN KEY (world_id) REFERENCES worlds (id) ON DELETE CASCADE,
    FOREIGN KEY (chat_id) REFERENCES world_chats (id) ON DELETE CASCADE
);

CREATE INDEX IF NOT EXISTS idx_events_world_chat_time ON events (world_id, chat_id, created_at);
CREATE INDEX IF NOT EXISTS idx_events_world_chat_seq ON events (world_id, chat_id, seq);
CREATE INDEX IF NOT EXISTS idx_events_type ON events (type);
CREATE INDEX IF NOT EXISTS idx_events_world_id ON events (world_id);

-- migrate:down
DROP TABLE events;
