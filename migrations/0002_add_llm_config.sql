-- present: SELECT (SELECT count(*) FROM pragma_table_info('worlds')
--      WHERE name IN ('chat_llm_provider', 'chat_llm_model')) = 2
-- Adds the per-world chat LLM settings (provider and model).

ALTER TABLE worlds ADD COLUMN chat_llm_provider TEXT;
ALTER TABLE worlds ADD COLUMN chat_llm_model TEXT;

-- migrate:down
ALTER TABLE worlds DROP COLUMN chat_llm_model;
ALTER TABLE worlds DROP COLUMN chat_llm_provider;
