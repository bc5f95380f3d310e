-- present: SELECT (SELECT count(*) FROM pragma_table_info('worlds')
--      WHERE name IN ('heartbeat_enabled', 'heartbeat_interval', 'heartbeat_prompt')) = 3
-- Adds the world heartbeat settings (off by default, an interval and a prompt).

ALTER TABLE worlds ADD COLUMN heartbeat_enabled INTEGER DEFAULT 0;
ALTER TABLE worlds ADD COLUMN heartbeat_interval TEXT;
ALTER TABLE worlds ADD COLUMN heartbeat_prompt TEXT;

-- migrate:down
ALTER TABLE worlds DROP COLUMN heartbeat_prompt;
ALTER TABLE worlds DROP COLUMN heartbeat_interval;
ALTER TABLE worlds DROP COLUMN heartbeat_enabled;
