"""Layer 1, the scripts: migration files, directives, markers, the profile, SQL text and what a
statement does. Never opens a database (`sqlite3` only for `complete_statement`)."""
