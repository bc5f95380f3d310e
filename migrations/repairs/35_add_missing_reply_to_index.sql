-- Adds idx_agent_memory_reply_to when a file already has everything else of 0012 (both
-- tables accept the role 'tool' and archived_messages has the current layout) but lacks
-- this index. Without this script 0012 would count as missing and rebuild both tables
-- again, and a rebuild copies only 0012's own columns: it would drop later or extra
-- columns (agent_memory.message_metadata of 0018, archived_messages.archived_at). The
-- other indexes 0012 creates belong to 0000, 0001 and 0005 as well, which put them back
-- before 0012's turn.
-- when: SELECT (SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'agent_memory')
--         LIKE '%''tool''%'
--   AND (SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'archived_messages')
--         LIKE '%''tool''%'
--   AND (SELECT count(*) FROM pragma_table_info('archived_messages')
--         WHERE name IN ('agent_id', 'world_id', 'original_timestamp')) = 3
--   AND NOT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'index'
--         AND name = 'idx_agent_memory_reply_to' AND tbl_name = 'agent_memory')
-- before: 0012
-- reason: The index idx_agent_memory_reply_to is missing and is created again.

DROP INDEX IF EXISTS idx_agent_memory_reply_to;

CREATE INDEX IF NOT EXISTS idx_agent_memory_reply_to ON agent_memory (reply_to_message_id);
