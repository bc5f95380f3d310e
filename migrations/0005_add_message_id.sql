-- present: SELECT EXISTS (SELECT 1 FROM pragma_table_info('agent_memory')
--      WHERE name = 'message_id')
--  AND EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'index'
--      AND name = 'idx_agent_memory_message_id' AND tbl_name = 'agent_memory')
-- Adds a stable message id to agent memory rows, and indexes it.

ALTER TABLE agent_memory ADD COLUMN message_id TEXT;

CREATE INDEX IF NOT EXISTS idx_agent_memory_message_id ON agent_memory (message_id);

-- migrate:down
DROP INDEX IF EXISTS idx_agent_memory_message_id;
ALTER TABLE agent_memory DROP COLUMN message_id;
