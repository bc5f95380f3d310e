-- present: SELECT EXISTS (SELECT 1 FROM pragma_table_info('worlds') WHERE name = 'variables')
-- Adds the world's variables (free text, typically key=value lines).

ALTER TABLE worlds ADD COLUMN variables TEXT;

-- migrate:down
ALTER TABLE worlds DROP COLUMN variables;
