-- Keeps the camelCase message_queue table (worldId, messageId, ...) that the ws server wrote
-- on main for a few hours on 2025-11-01, under the name message_queue_legacy. Migration 0015
-- creates a different message_queue; with the old table in the way it skipped the table and
-- failed on its unique index. The old indexes (idx_queue_*) move with the table; their names
-- do not clash with 0015's.
-- when: SELECT EXISTS (SELECT 1 FROM pragma_table_info('message_queue') WHERE name = 'worldId')
--   AND NOT EXISTS (SELECT 1 FROM sqlite_master WHERE name = 'message_queue_legacy')
-- before: 0015
-- reason: The old camelCase message_queue table is kept, renamed to message_queue_legacy.
-- moves: message_queue -> message_queue_legacy

ALTER TABLE message_queue RENAME TO message_queue_legacy;
