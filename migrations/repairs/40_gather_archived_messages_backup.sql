-- Picks up archived_messages_backup, the copy that the app's failed 0012 (v0.10.0 and later)
-- made with CREATE TABLE ... AS SELECT * before it dropped archived_messages and failed to
-- copy the rows back. The app's next attempt would have dropped this copy; here it is
-- renamed to archived_messages_legacy, so that the next scripts (50 ... 65, before 0013)
-- put its rows into archived_messages, in either layout the copy can have: the legacy one
-- (original_created_at, archived_at; no agent or world) or the current one.
-- Runs after 0012, so that the current archived_messages is complete when the rows arrive.
-- If the file also has a legacy archived_messages table (never seen), the copy is left alone.
-- when: SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table'
--         AND name = 'archived_messages_backup')
--   AND NOT EXISTS (SELECT 1 FROM sqlite_master WHERE name = 'archived_messages_legacy')
-- before: 0013
-- reason: Archived messages left in archived_messages_backup by the app's failed 0012 run are restored.
-- moves: archived_messages_backup -> archived_messages_legacy, archived_messages, archived_messages_unplaced

ALTER TABLE archived_messages_backup RENAME TO archived_messages_legacy;
