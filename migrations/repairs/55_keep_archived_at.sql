-- Keeps the legacy archived_at time of archived messages: archived_messages gets an extra
-- column archived_at (the current schema has none; extra columns are kept and reported).
-- Runs only when some message to be restored has an archived_at value (the mark set by
-- 50_prepare_legacy_archived_messages). ALTER TABLE cannot add a column with a non-constant
-- default, so the column has no default; the app's current code never writes it.
-- when: SELECT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'sqlmig:archived_at')
-- before: 0013
-- reason: Archived messages keep their old archived_at time in an extra column of archived_messages.

ALTER TABLE archived_messages ADD COLUMN archived_at TIMESTAMP;

DELETE FROM sqlite_sequence WHERE name = 'sqlmig:archived_at';
