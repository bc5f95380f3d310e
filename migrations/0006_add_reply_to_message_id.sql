-- present: SELECT EXISTS (SELECT 1 FROM pragma_table_info('agent_memory')
--      WHERE name = 'reply_to_message_id')
-- Adds the id of the message a memory row replies to, and indexes it.
-- Migration 0012 rebuilds agent memory and renames this index to
-- idx_agent_memory_reply_to.

ALTER TABLE agent_memory ADD COLUMN reply_to_message_id TEXT;

CREATE INDEX IF NOT EXISTS idx_agent_memory_reply_to_message_id
    ON agent_memory (reply_to_message_id);

-- migrate:down
DROP INDEX IF EXISTS idx_agent_memory_reply_to_message_id;
ALTER TABLE agent_memory DROP COLUMN reply_to_message_id;
