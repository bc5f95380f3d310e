-- Puts the set-aside archived messages back into archived_messages, in the current layout
-- (agent_id and world_id from the archive, original_timestamp from original_created_at,
-- archived_at kept when 55_keep_archived_at added the column), with their ids (a message
-- whose id is taken was moved to archived_messages_unplaced just before). The AUTOINCREMENT
-- counter keeps the larger of the two tables' values (20_set_aside_legacy_archived_messages
-- left the old one under the copy's name). Then archived_messages_legacy is
-- dropped, as every row of it is now in archived_messages or archived_messages_unplaced.
-- when: SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table'
--         AND name = 'archived_messages_legacy')
-- before: 0013
-- reason: The set-aside archived messages are put back into archived_messages in the current layout.
-- moves: archived_messages_legacy -> archived_messages, archived_messages_unplaced

INSERT INTO archived_messages ({{columns(archived_messages, archived_messages_legacy)}})
SELECT {{columns(archived_messages, archived_messages_legacy)}}
FROM archived_messages_legacy AS l
WHERE NOT EXISTS (SELECT 1 FROM archived_messages AS m WHERE m.id = l.id)
ORDER BY l.id;

UPDATE sqlite_sequence
SET seq = (SELECT MAX(seq) FROM sqlite_sequence
           WHERE name IN ('archived_messages', 'archived_messages_legacy'))
WHERE name = 'archived_messages';

INSERT INTO sqlite_sequence (name, seq)
SELECT 'archived_messages', old_seq
FROM (SELECT MAX(seq) AS old_seq FROM sqlite_sequence WHERE name = 'archived_messages_legacy')
WHERE old_seq IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'archived_messages');

DELETE FROM sqlite_sequence WHERE name = 'archived_messages_legacy';

DROP TABLE archived_messages_legacy;
