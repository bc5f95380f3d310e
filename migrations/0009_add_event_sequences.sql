-- present: SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'events')
--  AND (NOT EXISTS (SELECT 1 FROM events WHERE seq IS NULL)
--       OR EXISTS (SELECT 1 FROM pragma_table_info('agent_memory') WHERE name = 'tool_calls'))
-- Numbers the events that have no sequence number yet. Within each world and
-- chat (events without a chat form one group per world), the events whose seq
-- is NULL get 1, 2, 3 ... in order of creation time, ties broken by id.
-- Events that already have a seq keep it. No table is created.

WITH numbered AS (
    SELECT id,
           ROW_NUMBER() OVER (
               PARTITION BY world_id, COALESCE(chat_id, '')
               ORDER BY created_at, id
           ) AS n
    FROM events
    WHERE seq IS NULL
)
UPDATE events
SET seq = numbered.n
FROM numbered
WHERE events.id = numbered.id;

-- migrate:down
-- The sequence numbers stay: numbers given here cannot be told apart from the app's own,
-- and a numbered event is valid at every version. Nothing to undo.
SELECT 1;
