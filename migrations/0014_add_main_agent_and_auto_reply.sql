-- present: SELECT EXISTS (SELECT 1 FROM pragma_table_info('worlds') WHERE name = 'main_agent')
--  AND EXISTS (SELECT 1 FROM pragma_table_info('agents') WHERE name = 'auto_reply')
-- Adds the world's main agent, and the per-agent auto reply switch (on by
-- default, so existing agents keep replying).

ALTER TABLE worlds ADD COLUMN main_agent TEXT;
ALTER TABLE agents ADD COLUMN auto_reply INTEGER NOT NULL DEFAULT 1;

-- migrate:down
ALTER TABLE agents DROP COLUMN auto_reply;
ALTER TABLE worlds DROP COLUMN main_agent;
