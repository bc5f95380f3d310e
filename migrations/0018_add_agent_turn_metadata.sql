-- Adds per-message turn metadata (JSON text) to agent memory.

ALTER TABLE agent_memory ADD COLUMN message_metadata TEXT;
