"""Small builders shared by tests (bad input files, …)."""
