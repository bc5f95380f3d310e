-- Looks at agent_memory_backup, the copy that the app's failed 0012 (v0.10.0 and later) made
-- with CREATE TABLE ... AS SELECT * before it dropped agent_memory and failed to copy the
-- rows back (legacy files without message_id or reply_to_message_id). The app's next attempt
-- would have dropped this copy with every memory row in it. The copy has the legacy column
-- order and may lack columns; the scripts use the columns it has, by name.
-- unplaced_reason says why a row cannot go back into agent_memory (its agent no longer
-- exists, a required value is missing, its id is taken by a different memory row, or the
-- same row is already there); such rows go to agent_memory_unplaced (72_...), the others
-- back into agent_memory (75_...). A row that is already in agent_memory is never copied
-- twice; it is kept in agent_memory_unplaced, so that the row ledger still adds up. The mark
-- 'sqlmig:unplaced:agent_memory' in sqlite_sequence tells 72_unplace_agent_memory_backup that
-- some rows cannot be placed (a repair's when: query may only read tables that surely
-- exist). Runs after 0012, so agent_memory has its current columns and CHECK.
-- when: SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table'
--         AND name = 'agent_memory_backup')
-- before: 0013
-- reason: Memory rows left in agent_memory_backup by the app's failed 0012 run are restored into agent_memory.

ALTER TABLE agent_memory_backup ADD COLUMN unplaced_reason TEXT;

UPDATE agent_memory_backup AS b
SET unplaced_reason = CASE
    WHEN b.id IS NULL OR b.agent_id IS NULL OR b.world_id IS NULL OR b.content IS NULL
         OR b.role IS NULL OR b.role NOT IN ('system', 'user', 'assistant', 'tool')
        THEN 'a required value is missing or not allowed'
    WHEN NOT EXISTS (SELECT 1 FROM agents AS g
                     WHERE g.id = b.agent_id AND g.world_id = b.world_id)
        THEN 'its agent no longer exists'
    WHEN EXISTS (SELECT 1 FROM agent_memory AS m
                 WHERE m.id = b.id
                   AND NOT (m.agent_id IS b.agent_id AND m.world_id IS b.world_id
                            AND m.role IS b.role AND m.content IS b.content))
        THEN 'its id is already used by a different memory row'
    WHEN EXISTS (SELECT 1 FROM agent_memory AS m WHERE m.id = b.id)
        THEN 'the same row is already in agent_memory (kept here so that no row is counted twice)'
    END;

INSERT INTO sqlite_sequence (name, seq)
SELECT 'sqlmig:unplaced:agent_memory', n
FROM (SELECT count(*) AS n FROM agent_memory_backup WHERE unplaced_reason IS NOT NULL)
WHERE n > 0;
