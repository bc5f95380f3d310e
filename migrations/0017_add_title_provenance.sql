-- present: SELECT EXISTS (SELECT 1 FROM pragma_table_info('world_chats')
--      WHERE name = 'title_provenance')
-- Records where a chat's title came from ('default' for existing chats).

ALTER TABLE world_chats ADD COLUMN title_provenance TEXT DEFAULT 'default';

-- migrate:down
ALTER TABLE world_chats DROP COLUMN title_provenance;
