-- Adds the world's MCP server configuration (JSON text).

ALTER TABLE worlds ADD COLUMN mcp_config TEXT;
