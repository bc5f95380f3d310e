-- Rebuilds an events table that the app's TypeScript fallback created without foreign keys
-- (v0.8.0 era, or any start where the migrations did not reach 0008). Migration 0008 uses
-- IF NOT EXISTS, so it never fixed such a table. The rebuild follows the steps SQLite
-- documents for schema changes: create the table in its current definition under a
-- temporary name, copy every row by column name, drop the old table, rename the new one.
-- Its indexes go with the old table; 0008 (and 0011 when it had run) then create them
-- again, and are recorded as repaired. Events whose world or chat no longer exists are kept
-- as they are: they were already orphans, and the upgrade reports them as existing damage.
-- when: SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'events')
--   AND NOT (EXISTS (SELECT 1 FROM pragma_foreign_key_list('events')
--                WHERE "table" = 'worlds' AND "from" = 'world_id')
--            AND EXISTS (SELECT 1 FROM pragma_foreign_key_list('events')
--                WHERE "table" = 'world_chats' AND "from" = 'chat_id'))
-- before: 0008
-- foreign-keys: off
-- reason: The events table has no foreign keys (it was made by the app's fallback code) and is rebuilt with them.

CREATE TABLE events_sqlmig_rebuild (
    id         TEXT PRIMARY KEY,
    world_id   TEXT NOT NULL,
    chat_id    TEXT,
    seq        INTEGER,
    type       TEXT NOT NULL,
    payload    TEXT NOT NULL,
    meta       TEXT,
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    FOREIGN KEY (world_id) REFERENCES worlds (id) ON DELETE CASCADE,
    FOREIGN KEY (chat_id) REFERENCES world_chats (id) ON DELETE CASCADE
);

INSERT INTO events_sqlmig_rebuild ({{columns(events, events_sqlmig_rebuild)}})
SELECT {{columns(events, events_sqlmig_rebuild)}}
FROM events;

DROP TABLE events;

ALTER TABLE events_sqlmig_rebuild RENAME TO events;
