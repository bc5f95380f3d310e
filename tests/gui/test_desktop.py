"""Desktop integration: the AppStream metadata is valid, and `sqlmig-gui --install-desktop` puts
the entry, the metadata and the icon where desktops look (a temporary XDG data folder here)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from sqlmig_gui import app
from sqlmig_gui.desktop import APP_ID

RESOURCES = Path(__file__).resolve().parents[2] / "resources"


def test_the_metainfo_is_valid_appstream() -> None:
    tool = shutil.which("appstreamcli")
    if tool is None:
        pytest.skip("appstreamcli is not installed (Debian package appstream)")
    run = subprocess.run([tool, "validate", "--no-net", str(RESOURCES / "sqlmig.metainfo.xml")],
                         capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    text = (RESOURCES / "sqlmig.metainfo.xml").read_text(encoding="utf-8")
    assert f"<id>{APP_ID}</id>" in text
    assert '<launchable type="desktop-id">sqlmig.desktop</launchable>' in text


def test_install_desktop_puts_the_files_where_desktops_look(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    assert app.main(["--install-desktop"]) == 0
    share = tmp_path / "share"
    entry = share / "applications" / "sqlmig.desktop"
    metainfo = share / "metainfo" / f"{APP_ID}.metainfo.xml"
    icon = share / "icons" / "hicolor" / "scalable" / "apps" / "sqlmig.svg"
    assert capsys.readouterr().out.split() == [str(entry), str(metainfo), str(icon)]
    assert metainfo.read_bytes() == (RESOURCES / "sqlmig.metainfo.xml").read_bytes()
    assert icon.read_bytes() == (RESOURCES / "icons" / "sqlmig.svg").read_bytes()
    text = entry.read_text(encoding="utf-8")
    assert "Icon=sqlmig" in text and "sqlmig-gui %f" in text
    validate = shutil.which("desktop-file-validate")
    if validate is not None:
        run = subprocess.run([validate, str(entry)], capture_output=True, text=True, check=False)
        assert run.returncode == 0, run.stdout
    # Again: replaced in place, nothing else left behind.
    assert app.main(["--install-desktop"]) == 0
    made = sorted(p.name for p in share.rglob("*") if p.is_file() and p.name != "mimeinfo.cache")
    assert made == [
        f"{APP_ID}.metainfo.xml", "sqlmig.desktop", "sqlmig.svg"]
