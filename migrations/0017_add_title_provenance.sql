-- Records where a chat's title came from ('default' for existing chats).

ALTER TABLE world_chats ADD COLUMN title_provenance TEXT DEFAULT 'default';
