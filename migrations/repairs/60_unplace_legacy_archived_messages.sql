-- Moves the set-aside archived messages that cannot go into archived_messages (see
-- unplaced_reason, filled by 50_prepare_legacy_archived_messages) to
-- archived_messages_unplaced, with all their columns and the reason. Nothing is lost:
-- support can look at them, and fix or delete them by hand.
-- when: SELECT EXISTS (SELECT 1 FROM sqlite_sequence
--         WHERE name = 'sqlmig:unplaced:archived_messages')
-- before: 0013
-- reason: Archived messages that cannot be placed (archive or agent gone, id taken) are kept in archived_messages_unplaced.
-- moves: archived_messages_legacy -> archived_messages_unplaced
-- moves: archived_messages -> archived_messages_unplaced

CREATE TABLE IF NOT EXISTS archived_messages_unplaced AS
SELECT * FROM archived_messages_legacy WHERE 0;

INSERT INTO archived_messages_unplaced
    ({{columns(archived_messages_legacy, archived_messages_unplaced)}})
SELECT {{columns(archived_messages_legacy, archived_messages_unplaced)}}
FROM archived_messages_legacy
WHERE unplaced_reason IS NOT NULL
ORDER BY id;

DELETE FROM archived_messages_legacy WHERE unplaced_reason IS NOT NULL;

DELETE FROM sqlite_sequence WHERE name = 'sqlmig:unplaced:archived_messages';
