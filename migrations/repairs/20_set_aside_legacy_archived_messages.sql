-- Sets the legacy archived_messages table aside before 0000 runs. Files born before the
-- tracked migrations store archived messages as (id, archive_id, role, content, sender,
-- original_created_at, archived_at), without agent_id and world_id. Migration 0012
-- rebuilds archived_messages copying only the current columns, which would fail (the app's
-- own 0012 failed exactly there and then lost the rows). So every row, with all its
-- columns, is copied to archived_messages_legacy and the old table is dropped; 0000 creates
-- the current table, 0012 rebuilds it, and 50_prepare_legacy_archived_messages ...
-- 65_restore_legacy_archived_messages (before 0013) move every row back in the current
-- layout. The table is copied rather than renamed so that a user's view or trigger that
-- names archived_messages keeps naming it (a rename would point it at the copy, which is
-- dropped at the end). Its legacy indexes go with it (they hold no data). The AUTOINCREMENT
-- counter is kept in sqlite_sequence under the copy's name, for 65 to carry back.
-- when: SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table'
--         AND name = 'archived_messages')
--   AND NOT EXISTS (SELECT 1 FROM pragma_table_info('archived_messages')
--         WHERE name = 'agent_id')
--   AND NOT EXISTS (SELECT 1 FROM sqlite_master WHERE name = 'archived_messages_legacy')
-- before: 0000
-- reason: Archived messages in the old layout are converted to the current layout (agent and world taken from their archive).
-- moves: archived_messages -> archived_messages_legacy, archived_messages_unplaced

CREATE TABLE archived_messages_legacy AS
SELECT * FROM archived_messages ORDER BY id;

INSERT INTO sqlite_sequence (name, seq)
SELECT 'archived_messages_legacy', seq FROM sqlite_sequence WHERE name = 'archived_messages';

DROP TABLE archived_messages;
