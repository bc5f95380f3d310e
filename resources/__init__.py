"""Bundled resources: icons, style sheets, desktop entry (read with importlib.resources)."""
