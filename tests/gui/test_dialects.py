"""The window on another tool's folder (SPEC §7.19): the badge and the Pending tab's preview come
from the same assessment as for sqlmig's own folders, in that tool's versions."""

from __future__ import annotations

from pathlib import Path

from gui_files import open_and_wait

from tests.dialects.folders import at_middle_version, make_folder


def test_a_dbmate_file_at_a_middle_version_shows_its_badge_and_preview(
    qtbot, make_window, tmp_path: Path
) -> None:
    folder = make_folder(tmp_path, "dbmate")
    path = at_middle_version(tmp_path, "dbmate", folder)
    window = make_window(folder)
    open_and_wait(qtbot, window, path)
    assert (window.badge.state, window.badge.text()) == (
        "pending", "Tracked v20240101120000 — 3 migrations pending"
    )
    steps = window.pending_view.steps()
    assert [s.version for s in steps] == [20240215093000, 20240301000000, 20240302000000]
    assert window.upgrade_flow.upgrade_button.isEnabled()


def test_a_flyway_file_shows_dotted_versions(qtbot, make_window, tmp_path: Path) -> None:
    folder = make_folder(tmp_path, "flyway")
    path = at_middle_version(tmp_path, "flyway", folder)
    window = make_window(folder)
    open_and_wait(qtbot, window, path)
    assert window.badge.text() == "Tracked v1 — 3 migrations pending"
    assert window.header.versions.text() == "v1 → v2"
    assert [str(s.version) for s in window.pending_view.steps()] == ["1.9", "1.10", "2"]
