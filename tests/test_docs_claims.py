"""Every test a document names as proof exists: docs/comparison.md's "yes: `tests/…::test_…`"."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
NAMED = re.compile(r"`(tests/[\w/]+\.py)::(test_\w+)`|`…::(test_\w+)`")


def test_every_test_named_in_the_comparison_exists() -> None:
    text = (REPO / "docs" / "comparison.md").read_text(encoding="utf-8")
    missing, last_file = [], None
    for found in NAMED.finditer(text):
        file, name = (found.group(1), found.group(2)) if found.group(1) else (last_file, found.group(3))
        last_file = file
        source = (REPO / file).read_text(encoding="utf-8") if (REPO / file).is_file() else ""
        if not re.search(rf"^def {name}\(", source, re.MULTILINE):
            missing.append(f"{file}::{name}")
    assert len(list(NAMED.finditer(text))) >= 20
    assert not missing, f"docs/comparison.md names tests that do not exist: {missing}"
