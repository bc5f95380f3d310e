"""The window and the command line say the same about every file (issue 9): the badge's state is
`sqlmig status --json`'s, the upgrade action is enabled exactly when `sqlmig upgrade --dry-run
--json` ends ok with a non-empty plan, and the Pending tab lists that plan's steps (repair scripts
included) in its order.

Files: every real fixture (`SQLMIG_REAL_FIXTURES`; skipped when unset), and a tracked head file
with one index dropped (which needs a repair), an `ahead`, a `foreign` and a `damaged` file.
"""

from __future__ import annotations

import io
import json
import os
from pathlib import Path
from typing import Any

import gui_files
import pytest
from gui_files import open_and_wait

from engine.cli import main as cli_main

MADE = ("index-dropped", "ahead", "foreign", "damaged")


def _fixture_names() -> list[str]:
    root = os.environ.get("SQLMIG_REAL_FIXTURES")
    folder = Path(root) / "agent-world" if root else None
    if folder is None or not folder.is_dir():
        return ["(no real fixtures)"]  # the test skips through the `real_fixtures` fixture
    return sorted(p.stem for p in folder.glob("*.db"))


MAKERS = {"index-dropped": gui_files.index_dropped, "ahead": gui_files.ahead,
          "foreign": gui_files.foreign, "damaged": gui_files.damaged}


def _cli(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = cli_main(list(argv), stdout=out)
    return code, out.getvalue()


def cli_verdict(path: Path) -> dict[str, Any]:
    """What the command line says: state, can-upgrade and the plan's steps."""
    _code, status = _cli("status", str(path), "--json")
    _code, lines = _cli("upgrade", str(path), "--dry-run", "--json")
    events = [json.loads(line) for line in lines.splitlines() if line.strip()]
    plans = [e for e in events if e["event"] == "plan"]
    (done,) = [e for e in events if e["event"] == "done"]
    steps = [(s["kind"], s["version"] if s["version"] is not None else s["name"])
             for s in (plans[0]["steps"] if plans else [])]
    return {"state": json.loads(status)["state"], "can_upgrade": done["ok"] and bool(steps),
            "steps": steps}


def window_verdict(window: Any) -> dict[str, Any]:
    steps = [(s.kind, s.version if s.version is not None else s.name)
             for s in window.pending_view.steps()]
    return {"state": window.badge.file_state,
            "can_upgrade": window.upgrade_flow.upgrade_action.isEnabled(),
            "steps": steps}


def _agree(qtbot: Any, window: Any, path: Path) -> dict[str, Any]:
    before = path.read_bytes()
    expected = cli_verdict(path)
    open_and_wait(qtbot, window, path)
    assert window_verdict(window) == expected
    assert window.upgrade_flow.upgrade_button.isEnabled() == expected["can_upgrade"]
    assert path.read_bytes() == before  # neither face wrote
    return expected


@pytest.mark.fixtures
@pytest.mark.parametrize("name", _fixture_names())
def test_the_window_agrees_with_the_cli_on_a_real_file(qtbot, window, fixture_copy, name) -> None:
    _agree(qtbot, window, fixture_copy(name))


@pytest.mark.parametrize("kind", MADE)
def test_the_window_agrees_with_the_cli(qtbot, window, tmp_path: Path, kind: str) -> None:
    verdict = _agree(qtbot, window, MAKERS[kind](tmp_path / kind))
    if kind == "index-dropped":
        assert verdict["can_upgrade"] and ("repair", "35_add_missing_reply_to_index") in (
            verdict["steps"])
        # "needs repair", in the engine's words (those of `sqlmig status`), never "Up to date"
        assert window.badge.state == "pending" and "repair" in window.badge.text()
        assert "Up to date" not in window.badge.text()
    else:
        assert not verdict["can_upgrade"]
