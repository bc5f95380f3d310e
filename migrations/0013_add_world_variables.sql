-- Adds the world's variables (free text, typically key=value lines).

ALTER TABLE worlds ADD COLUMN variables TEXT;
