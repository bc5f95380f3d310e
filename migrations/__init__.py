"""Bundled agent-world migrations (data package, read with importlib.resources)."""
