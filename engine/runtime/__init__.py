"""Layer 6, the runtime: the runner, the rebuild helper, checks, preflight, backups, restore,
recover, verify, one upgrade from start to end. The only code that writes to a file."""
