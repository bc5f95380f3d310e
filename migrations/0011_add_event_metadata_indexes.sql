-- present: SELECT (SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events'
--      AND name IN ('idx_events_owner_agents', 'idx_events_recipient_agent',
--                   'idx_events_message_direction', 'idx_events_memory_only',
--                   'idx_events_cross_agent', 'idx_events_thread_root',
--                   'idx_events_has_tool_calls', 'idx_events_world_chat_owner')) = 8
-- Adds expression indexes on fields of the events' JSON meta column
-- (needs the JSON1 functions, built into SQLite 3.38 and later).

CREATE INDEX IF NOT EXISTS idx_events_owner_agents
    ON events (json_extract(meta, '$.ownerAgentIds'));
CREATE INDEX IF NOT EXISTS idx_events_recipient_agent
    ON events (json_extract(meta, '$.recipientAgentId'));
CREATE INDEX IF NOT EXISTS idx_events_message_direction
    ON events (json_extract(meta, '$.messageDirection'));
CREATE INDEX IF NOT EXISTS idx_events_memory_only
    ON events (json_extract(meta, '$.isMemoryOnly'));
CREATE INDEX IF NOT EXISTS idx_events_cross_agent
    ON events (json_extract(meta, '$.isCrossAgentMessage'));
CREATE INDEX IF NOT EXISTS idx_events_thread_root
    ON events (json_extract(meta, '$.threadRootId'));
CREATE INDEX IF NOT EXISTS idx_events_has_tool_calls
    ON events (json_extract(meta, '$.hasToolCalls'));
CREATE INDEX IF NOT EXISTS idx_events_world_chat_owner
    ON events (world_id, chat_id, json_extract(meta, '$.ownerAgentIds'));

-- migrate:down
DROP INDEX IF EXISTS idx_events_world_chat_owner;
DROP INDEX IF EXISTS idx_events_has_tool_calls;
DROP INDEX IF EXISTS idx_events_thread_root;
DROP INDEX IF EXISTS idx_events_cross_agent;
DROP INDEX IF EXISTS idx_events_memory_only;
DROP INDEX IF EXISTS idx_events_message_direction;
DROP INDEX IF EXISTS idx_events_recipient_agent;
DROP INDEX IF EXISTS idx_events_owner_agents;
