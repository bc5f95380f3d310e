"""`python -m engine` is the `sqlmig` command."""

from engine.cli import main_entry

main_entry()
