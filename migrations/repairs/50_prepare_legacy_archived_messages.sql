-- Brings the set-aside archived messages (archived_messages_legacy, made by
-- 20_set_aside_legacy_archived_messages or 40_gather_archived_messages_backup) to a layout
-- with both the legacy and the current columns, and decides where each row goes:
-- * agent_id and world_id come from the message's archive (memory_archives) where the row
--   has none; original_timestamp comes from original_created_at.
-- * unplaced_reason says why a row cannot go into archived_messages (its archive or its
--   agent no longer exists, a required value is missing, its id is taken by a different
--   archived message, or the same message is already there); such rows go to
--   archived_messages_unplaced (60_...), the others back into archived_messages (65_...).
--   A message already in archived_messages is never copied twice.
-- Two marks in sqlite_sequence tell the next scripts what to do ('sqlmig:archived_at': some
-- rows have an archived_at time to keep; 'sqlmig:unplaced:archived_messages': some rows
-- cannot be placed). A repair's when: query may only read tables that surely exist at its
-- turn, and sqlite_sequence does (0000 and 0012 create AUTOINCREMENT tables). The scripts
-- that act on a mark delete it.
-- when: SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table'
--         AND name = 'archived_messages_legacy')
-- before: 0013
-- moves: archived_messages.original_created_at -> archived_messages.original_timestamp
-- reason: The set-aside archived messages get their agent, world and time from their archive, and each is checked for a place.

ALTER TABLE archived_messages_legacy ADD COLUMN agent_id TEXT;

ALTER TABLE archived_messages_legacy ADD COLUMN world_id TEXT;

ALTER TABLE archived_messages_legacy ADD COLUMN original_timestamp TIMESTAMP;

ALTER TABLE archived_messages_legacy ADD COLUMN original_created_at TIMESTAMP;

ALTER TABLE archived_messages_legacy ADD COLUMN archived_at TIMESTAMP;

ALTER TABLE archived_messages_legacy ADD COLUMN unplaced_reason TEXT;

UPDATE archived_messages_legacy
SET original_timestamp = original_created_at
WHERE original_timestamp IS NULL;

UPDATE archived_messages_legacy
SET agent_id = (SELECT a.agent_id FROM memory_archives AS a
                WHERE a.id = archived_messages_legacy.archive_id),
    world_id = (SELECT a.world_id FROM memory_archives AS a
                WHERE a.id = archived_messages_legacy.archive_id)
WHERE agent_id IS NULL OR world_id IS NULL;

UPDATE archived_messages_legacy AS l
SET unplaced_reason = CASE
    WHEN l.id IS NULL OR l.archive_id IS NULL OR l.content IS NULL OR l.role IS NULL
         OR l.role NOT IN ('system', 'user', 'assistant', 'tool')
        THEN 'a required value is missing or not allowed'
    WHEN NOT EXISTS (SELECT 1 FROM memory_archives AS a WHERE a.id = l.archive_id)
        THEN 'its archive (memory_archives ' || l.archive_id || ') no longer exists'
    WHEN l.agent_id IS NULL OR l.world_id IS NULL
         OR NOT EXISTS (SELECT 1 FROM agents AS g
                        WHERE g.id = l.agent_id AND g.world_id = l.world_id)
        THEN 'its agent no longer exists'
    WHEN EXISTS (SELECT 1 FROM archived_messages AS m
                 WHERE m.id = l.id
                   AND NOT (m.archive_id IS l.archive_id AND m.role IS l.role
                            AND m.content IS l.content AND m.sender IS l.sender))
        THEN 'its id is already used by a different archived message'
    WHEN EXISTS (SELECT 1 FROM archived_messages AS m WHERE m.id = l.id)
        THEN 'the same message is already in archived_messages (kept here so that no row is counted twice)'
    END;

INSERT INTO sqlite_sequence (name, seq)
SELECT 'sqlmig:archived_at', n
FROM (SELECT count(*) AS n FROM archived_messages_legacy
      WHERE archived_at IS NOT NULL AND unplaced_reason IS NULL)
WHERE n > 0;

INSERT INTO sqlite_sequence (name, seq)
SELECT 'sqlmig:unplaced:archived_messages', n
FROM (SELECT count(*) AS n FROM archived_messages_legacy WHERE unplaced_reason IS NOT NULL)
WHERE n > 0;
