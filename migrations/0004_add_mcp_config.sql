-- present: SELECT EXISTS (SELECT 1 FROM pragma_table_info('worlds') WHERE name = 'mcp_config')
-- Adds the world's MCP server configuration (JSON text).

ALTER TABLE worlds ADD COLUMN mcp_config TEXT;

-- migrate:down
ALTER TABLE worlds DROP COLUMN mcp_config;
