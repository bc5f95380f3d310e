-- Keeps the legacy archive_statistics table (world_id, agent_id, stat_type, stat_date, ...)
-- under the name archive_statistics_legacy, so that 0000 can create the current table.
-- Every file born before the tracked migrations has this layout; no code reads it any more.
-- The legacy trigger is dropped and recreated under its own name on the renamed table,
-- because 0000 creates a trigger with the old name on the new table. The legacy indexes
-- idx_archive_statistics_world_date and idx_archive_statistics_type move with the table.
-- An idx_archive_statistics_agent_world index that the app's own 0000 put on the legacy
-- table (uv 0 files) is dropped, so that 0000 can create it on the new table.
-- when: SELECT EXISTS (SELECT 1 FROM pragma_table_info('archive_statistics')
--         WHERE name = 'stat_type')
--   AND NOT EXISTS (SELECT 1 FROM sqlite_master WHERE name = 'archive_statistics_legacy')
-- before: 0000
-- reason: The old-style archive_statistics table is kept, renamed to archive_statistics_legacy.
-- moves: archive_statistics -> archive_statistics_legacy

DROP TRIGGER IF EXISTS archive_statistics_updated_at;

DROP INDEX IF EXISTS idx_archive_statistics_agent_world;

ALTER TABLE archive_statistics RENAME TO archive_statistics_legacy;

CREATE TRIGGER IF NOT EXISTS archive_statistics_legacy_updated_at
AFTER UPDATE ON archive_statistics_legacy
BEGIN
    UPDATE archive_statistics_legacy SET updated_at = CURRENT_TIMESTAMP WHERE id = NEW.id;
END;
