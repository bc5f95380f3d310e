"""Versions in words, for the header, the badge, the confirmation and the result panel.

The numbers are the engine's: where the file is (its inspection) and the newest version this tool
knows (`Assessment.newest_version`).
"""

from __future__ import annotations

from typing import Any


def legacy_claim(inspection: Any) -> int:
    """The version a legacy file claims (its `user_version`)."""
    legacy = inspection.legacy
    return (legacy.claimed_version if legacy is not None else inspection.user_version) or 0


def ahead_version(inspection: Any) -> int:
    """The version a file written by a newer app has reached (history or `user_version`)."""
    return max([a.version for a in inspection.applied] + [inspection.user_version or 0])


def current_label(inspection: Any) -> str:
    """Where the file is: "legacy v5", "empty", "v9", "unknown"…"""
    state = inspection.state
    if state == "legacy":
        return f"legacy v{legacy_claim(inspection)}"
    if state == "fresh":
        return "empty"
    if state in ("foreign", "damaged"):
        return "unknown"
    if state == "interrupted":
        return "unknown until recovered"
    if state == "ahead":
        return f"v{ahead_version(inspection)}"
    current = inspection.current_version
    return "none" if current is None else f"v{current}"


def version_labels(assessment: Any) -> tuple[str, str]:
    """("legacy v5", "v18"): where the file is and where an upgrade takes it."""
    inspection = assessment.inspection
    newest = assessment.newest_version
    target = "—" if newest is None else f"v{newest}"
    if assessment.state in ("foreign", "damaged", "interrupted"):
        target = "—"
    elif assessment.state == "ahead":
        target = f"no upgrade (this tool knows up to {target})"
    return current_label(inspection), target
