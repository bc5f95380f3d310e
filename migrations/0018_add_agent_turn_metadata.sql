-- present: SELECT EXISTS (SELECT 1 FROM pragma_table_info('agent_memory')
--      WHERE name = 'message_metadata')
-- Adds per-message turn metadata (JSON text) to agent memory.

ALTER TABLE agent_memory ADD COLUMN message_metadata TEXT;

-- migrate:down
ALTER TABLE agent_memory DROP COLUMN message_metadata;
