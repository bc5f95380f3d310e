-- present: SELECT EXISTS (SELECT 1 FROM pragma_table_info('agent_memory') WHERE name = 'chat_id')
--  AND EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'index'
--      AND name = 'idx_agent_memory_chat_id' AND tbl_name = 'agent_memory')
-- Adds the chat id column to agent memory, so that each remembered message
-- belongs to a chat, and indexes it.

ALTER TABLE agent_memory ADD COLUMN chat_id TEXT;

CREATE INDEX IF NOT EXISTS idx_agent_memory_chat_id ON agent_memory (chat_id);

-- migrate:down
DROP INDEX IF EXISTS idx_agent_memory_chat_id;
ALTER TABLE agent_memory DROP COLUMN chat_id;
