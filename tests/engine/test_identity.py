"""The tool version in audit rows and backup origins: read beside a regular install, else from
importlib.metadata; never a wrong value."""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path

from engine.core.identity import tool_version, version_beside


def _dist_info(folder: Path, name: str, metadata: str) -> None:
    (folder / name).mkdir()
    (folder / name / "METADATA").write_text(metadata, encoding="utf-8")


def test_the_version_is_read_from_the_one_dist_info_beside_the_package(tmp_path: Path) -> None:
    assert version_beside(tmp_path) is None  # an editable install: nothing beside the package
    _dist_info(tmp_path, "sqlmig-1.2.3.dist-info",
               "Metadata-Version: 2.1\nName: sqlmig\nVersion: 1.2.3\n\nVersion: 9\n")
    _dist_info(tmp_path, "other-4.0.dist-info", "Name: other\nVersion: 4.0\n")
    assert version_beside(tmp_path) == "1.2.3"
    _dist_info(tmp_path, "sqlmig-1.2.2.dist-info", "Name: sqlmig\nVersion: 1.2.2\n")
    assert version_beside(tmp_path) is None  # two installs' leftovers: ask importlib instead


def test_metadata_without_a_version_header_gives_none(tmp_path: Path) -> None:
    _dist_info(tmp_path, "sqlmig-1.0.dist-info", "Name: sqlmig\n\nVersion: 1.0\n")
    assert version_beside(tmp_path) is None


def test_the_tool_version_is_the_installed_packages() -> None:
    assert tool_version() == version("sqlmig")
