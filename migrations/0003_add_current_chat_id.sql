-- present: SELECT EXISTS (SELECT 1 FROM pragma_table_info('worlds') WHERE name = 'current_chat_id')
-- Adds the world's currently selected chat.

ALTER TABLE worlds ADD COLUMN current_chat_id TEXT;

-- migrate:down
ALTER TABLE worlds DROP COLUMN current_chat_id;
