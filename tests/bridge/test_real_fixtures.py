"""Every real agent-world file (written by the app's own code) reaches head with the bridge.

Parametrized over every `.db` in `$SQLMIG_REAL_FIXTURES/agent-world/`; skipped with a visible
reason when the variable is unset. Files are copied to tmp_path before anything opens them.
"""

from __future__ import annotations

import io
import json
import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from builders.checks import check_reaches_head

import engine
import engine.cli


def _fixture_names() -> list[str]:
    root = os.environ.get("SQLMIG_REAL_FIXTURES")
    folder = Path(root) / "agent-world" if root else None
    if folder is None or not folder.is_dir():
        return ["(SQLMIG_REAL_FIXTURES unset)"]
    return sorted(p.stem for p in folder.glob("*.db"))


NAMES = _fixture_names()
pytestmark = pytest.mark.fixtures

# A first line a support person understands: one sentence, no Python in it.
PYTHON_NOISE = re.compile(
    r"Traceback|Error\(|Exception|PosixPath|<[a-zA-Z_.]+ object|\bNone\b|\{'|\['|\\n"
)


@pytest.mark.parametrize("name", NAMES)
def test_real_file_reaches_head_keeping_every_row(
    fixture_copy: Callable[[str], Path], tmp_path: Path, name: str
) -> None:
    path = fixture_copy(name)
    check_reaches_head(path, scratch=tmp_path)


@pytest.mark.parametrize("name", NAMES)
def test_status_first_line_is_one_plain_sentence(
    fixture_copy: Callable[[str], Path], name: str
) -> None:
    path = fixture_copy(name)
    out = io.StringIO()
    code = engine.cli.main(["status", str(path)], stdout=out)
    assert code == 0
    text = out.getvalue()
    first = text.splitlines()[0]
    assert first.strip(), text
    assert not PYTHON_NOISE.search(first), first
    assert "Traceback" not in text
    body = first.split(": ", 1)[-1]  # "<file name>: <sentence>"
    assert body[:1].isupper() and body.rstrip().endswith("."), first
    assert body.count(". ") == 0, f"more than one sentence: {first}"


@pytest.mark.parametrize("name", NAMES)
def test_status_json_describes_a_legacy_file(
    fixture_copy: Callable[[str], Path], name: str
) -> None:
    path = fixture_copy(name)
    inspection = engine.inspect_file(path)
    out = io.StringIO()
    assert engine.cli.main(["status", "--json", str(path)], stdout=out) == 0
    data = json.loads(out.getvalue())
    assert data["state"] == inspection.state
    if inspection.state != "legacy":
        return
    legacy = data["legacy"]
    assert isinstance(legacy, dict), legacy
    for key in ("claimed_version", "shape_version", "era", "differences"):
        assert key in legacy, legacy
    assert legacy["claimed_version"] == inspection.user_version
    assert isinstance(legacy["shape_version"], int) or legacy["shape_version"] is None
    assert isinstance(legacy["differences"], list)
    assert all(isinstance(d, str) for d in legacy["differences"])
