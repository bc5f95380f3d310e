-- present: SELECT (SELECT count(*) FROM pragma_table_info('message_queue')
--      WHERE name IN ('world_id', 'chat_id', 'message_id', 'status', 'retry_count')) = 5
--  AND (SELECT count(*) FROM pragma_foreign_key_list('message_queue')
--      WHERE "table" IN ('worlds', 'world_chats')) = 2
--  AND (SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'message_queue'
--      AND name IN ('idx_message_queue_message_id', 'idx_message_queue_chat')) = 2
-- Creates the queue of user messages waiting to be sent to a chat, with a
-- unique index on the message id and an index for reading a chat's queue.

CREATE TABLE IF NOT EXISTS message_queue (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    world_id    TEXT NOT NULL,
    chat_id     TEXT NOT NULL,
    message_id  TEXT NOT NULL,
    content     TEXT NOT NULL,
    sender      TEXT NOT NULL DEFAULT 'human',
    status      TEXT NOT NULL DEFAULT 'queued',
    retry_count INTEGER NOT NULL DEFAULT 0,
    created_at  TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    updated_at  TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    FOREIGN KEY (world_id) REFERENCES worlds (id) ON DELETE CASCADE,
    FOREIGN KEY (chat_id) REFERENCES world_chats (id) ON DELETE CASCADE
);

CREATE UNIQUE INDEX IF NOT EXISTS idx_message_queue_message_id ON message_queue (message_id);
CREATE INDEX IF NOT EXISTS idx_message_queue_chat ON message_queue (world_id, chat_id, status);

-- migrate:down
DROP TABLE message_queue;
