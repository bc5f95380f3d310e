-- Adds the world's currently selected chat.

ALTER TABLE worlds ADD COLUMN current_chat_id TEXT;
