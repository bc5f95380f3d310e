-- present: SELECT (SELECT count(*) FROM pragma_table_info('agent_memory')
--      WHERE name IN ('tool_calls', 'tool_call_id')) = 2
-- Adds the tool call fields to agent memory (the calls an assistant message
-- makes, and the call a tool result answers).

ALTER TABLE agent_memory ADD COLUMN tool_calls TEXT;
ALTER TABLE agent_memory ADD COLUMN tool_call_id TEXT;

-- migrate:down
ALTER TABLE agent_memory DROP COLUMN tool_call_id;
ALTER TABLE agent_memory DROP COLUMN tool_calls;
