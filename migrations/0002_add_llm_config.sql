-- Adds the per-world chat LLM settings (provider and model).

ALTER TABLE worlds ADD COLUMN chat_llm_provider TEXT;
ALTER TABLE worlds ADD COLUMN chat_llm_model TEXT;
