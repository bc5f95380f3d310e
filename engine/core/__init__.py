"""Layer 0, the core: errors, events, verdicts, opening SQLite files (the only place that does),
cancelling. Imports nothing else from `engine`."""
