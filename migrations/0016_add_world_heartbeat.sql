-- Adds the world heartbeat settings (off by default, an interval and a prompt).

ALTER TABLE worlds ADD COLUMN heartbeat_enabled INTEGER DEFAULT 0;
ALTER TABLE worlds ADD COLUMN heartbeat_interval TEXT;
ALTER TABLE worlds ADD COLUMN heartbeat_prompt TEXT;
