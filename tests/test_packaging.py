"""SPEC §7.15: after a normal (non-editable) ``pip install .`` into a clean environment, the code
finds the bundled migrations, the profile and the resources from anywhere.

PySide6 is left out (``--no-deps``, then the other, small runtime dependencies) so the test does not
download Qt again; the engine and the CLI need no Qt.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
SOURCE_ITEMS = ("pyproject.toml", "README.md", "engine", "sqlmig_gui", "migrations", "resources")

CHECK_DATA = r"""
import importlib.resources as r, json, sys
from pathlib import Path

migrations = r.files("sqlmig_migrations")
resources = r.files("sqlmig_resources")
import engine

print(json.dumps({
    "migrations_dir": str(migrations),
    "migrations": sorted(p.name for p in migrations.iterdir()),
    "repairs": sorted(p.name for p in migrations.joinpath("repairs").iterdir())
    if migrations.joinpath("repairs").is_dir() else [],
    "resources_dir": str(resources),
    "resources_is_dir": resources.is_dir(),
    "resources": sorted(
        str(p.relative_to(Path(str(resources)))) for p in Path(str(resources)).rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    ),
    "engine_file": engine.__file__,
}))
"""

CLI_STATUS = (
    "import sys; from engine.cli import main; sys.exit(main(['status', sys.argv[1], '--json']))"
)


def _run(
    cmd: list[str], cwd: Path, env: dict[str, str], timeout: float = 240
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def _clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SQLMIG_", "PYTHON"))}
    env.pop("VIRTUAL_ENV", None)
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def _repo_files(folder: Path) -> list[str]:
    return sorted(
        str(p.relative_to(folder))
        for p in folder.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    )


def test_every_python_package_is_packaged() -> None:
    """The package list is explicit: a new folder of modules must be added to it, or an installed
    sqlmig fails to import it."""
    listed = set(tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))[
        "tool"]["setuptools"]["packages"])
    found = {
        ".".join(init.parent.relative_to(REPO_ROOT).parts)
        for top in ("engine", "sqlmig_gui")
        for init in (REPO_ROOT / top).rglob("__init__.py")
        if "__pycache__" not in init.parts
    }
    assert found <= listed, f"add to [tool.setuptools] packages: {sorted(found - listed)}"


@pytest.mark.slow
def test_normal_install_finds_bundled_data(tmp_path: Path) -> None:
    # Build from a copy so the build never writes build/ or *.egg-info into the work tree.
    src = tmp_path / "src"
    src.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "build", "dist")
    for name in SOURCE_ITEMS:
        item = REPO_ROOT / name
        if item.is_dir():
            shutil.copytree(item, src / name, ignore=ignore)
        elif item.is_file():
            shutil.copy2(item, src / name)

    env = _clean_env()
    venv = tmp_path / "venv"
    # A clean venv without pip (ensurepip alone takes ~20 s here); this environment's pip installs
    # into it with --python. Older pips lack --python: then the venv gets its own pip.
    made = _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], tmp_path, env)
    assert made.returncode == 0, made.stderr
    py = venv / "bin" / "python"
    pip = [sys.executable, "-m", "pip", "--python", str(py)]
    if _run([*pip, "--version"], tmp_path, env).returncode != 0:
        bootstrapped = _run([str(py), "-m", "ensurepip", "--default-pip"], tmp_path, env)
        assert bootstrapped.returncode == 0, bootstrapped.stderr
        pip = [str(py), "-m", "pip"]

    installed = _run([*pip, "install", "-q", "--no-deps", str(src)], tmp_path, env)
    assert installed.returncode == 0, f"pip install . failed:\n{installed.stdout}\n{installed.stderr}"

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    probe = _run([str(py), "-c", CHECK_DATA], elsewhere, env)
    assert probe.returncode == 0, probe.stderr
    facts = json.loads(probe.stdout.strip().splitlines()[-1])

    site = str(venv)
    assert facts["migrations_dir"].startswith(site), facts["migrations_dir"]
    assert facts["resources_dir"].startswith(site), facts["resources_dir"]
    assert facts["engine_file"].startswith(site), facts["engine_file"]
    assert "0000_init_base_schema.sql" in facts["migrations"]
    assert "profile.toml" in facts["migrations"]
    assert facts["resources_is_dir"]

    # Every data file of the work tree made it into the wheel.
    repo_sql = sorted(p.name for p in (REPO_ROOT / "migrations").glob("*.sql"))
    missing_sql = [name for name in repo_sql if name not in facts["migrations"]]
    assert not missing_sql, f"migrations missing from the installed package: {missing_sql}"
    repo_repairs = sorted(p.name for p in (REPO_ROOT / "migrations" / "repairs").glob("*.sql"))
    assert [n for n in repo_repairs if n not in facts["repairs"]] == []
    missing_res = [n for n in _repo_files(REPO_ROOT / "resources") if n not in facts["resources"]]
    assert not missing_res, f"resources missing from the installed package: {missing_res}"

    # The CLI may use the small runtime dependencies (rich, platformdirs, ...): install all but Qt.
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    deps = [d for d in project["dependencies"] if not d.lower().startswith("pyside6")]
    if deps:
        got = _run([*pip, "install", "-q", *deps], tmp_path, env)
        assert got.returncode == 0, f"pip install {deps} failed:\n{got.stderr}"

    empty = elsewhere / "empty.db"
    empty.write_bytes(b"")
    status = _run([str(py), "-c", CLI_STATUS, str(empty)], elsewhere, env, timeout=60)
    assert status.returncode == 0, f"sqlmig status failed:\n{status.stdout}\n{status.stderr}"
    report = json.loads(status.stdout)
    assert isinstance(report, dict)
    if "state" in report:
        assert report["state"] == "fresh", report
    assert empty.read_bytes() == b"", "status must not write to the file"

    helped = _run([str(venv / "bin" / "sqlmig"), "--help"], elsewhere, env, timeout=60)
    assert helped.returncode == 0, f"sqlmig --help failed:\n{helped.stdout}\n{helped.stderr}"
