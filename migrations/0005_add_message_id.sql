-- Adds a stable message id to agent memory rows, and indexes it.

ALTER TABLE agent_memory ADD COLUMN message_id TEXT;

CREATE INDEX IF NOT EXISTS idx_agent_memory_message_id ON agent_memory (message_id);
