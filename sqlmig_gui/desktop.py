"""`sqlmig-gui --install-desktop`: put the desktop entry, the AppStream metadata and the icon
where desktops and software centres look for them (the per-user XDG data folder), so sqlmig shows
in the application menu with its icon and opens database files given to it."""

from __future__ import annotations

import os
import shutil
import sys
from importlib import resources
from pathlib import Path

APP_ID = "io.github.sqlmig"  # the AppStream component id (resources/sqlmig.metainfo.xml)


def data_home() -> Path:
    """$XDG_DATA_HOME, else ~/.local/share (the XDG base directory default)."""
    configured = os.environ.get("XDG_DATA_HOME", "")
    return Path(configured) if os.path.isabs(configured) else Path.home() / ".local" / "share"


def gui_command() -> str:
    """The sqlmig-gui beside this Python (a venv's bin/), else the name looked up in PATH."""
    beside = Path(sys.executable).parent / "sqlmig-gui"
    return str(beside) if beside.is_file() else "sqlmig-gui"


def install_desktop(home: Path | None = None) -> list[Path]:
    """Copy the three files into `home` (default: `data_home()`); returns where they went."""
    home = home or data_home()
    bundled = resources.files("sqlmig_resources")
    entry = (bundled / "sqlmig.desktop").read_text(encoding="utf-8")
    command = gui_command()
    quoted = f'"{command}"' if " " in command else command
    entry = entry.replace("Exec=sqlmig-gui ", f"Exec={quoted} ")
    targets = {
        home / "applications" / "sqlmig.desktop": entry.encode("utf-8"),
        home / "metainfo" / f"{APP_ID}.metainfo.xml":
            (bundled / "sqlmig.metainfo.xml").read_bytes(),
        home / "icons" / "hicolor" / "scalable" / "apps" / "sqlmig.svg":
            (bundled / "icons" / "sqlmig.svg").read_bytes(),
    }
    for target, content in targets.items():
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".partial")
        partial.write_bytes(content)
        os.replace(partial, target)
    _refresh_caches(home)
    return list(targets)


def _refresh_caches(home: Path) -> None:
    """Tell the desktop about the new entry when its tool is there (optional everywhere)."""
    tool = shutil.which("update-desktop-database")
    if tool:
        import subprocess

        subprocess.run([tool, str(home / "applications")], check=False,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
