"""Static quality gates run as tests: ruff, mypy (strict on the engine), engine layering rules."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
ENGINE = REPO_ROOT / "engine"
QT_MODULES = ("PySide6", "shiboken6", "PyQt5", "PyQt6", "PySide2")


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )


def _engine_files() -> list[Path]:
    return sorted(p for p in ENGINE.rglob("*.py") if "__pycache__" not in p.parts)


def test_ruff_is_clean() -> None:
    result = _run("ruff", "check", "--no-cache", ".")
    assert result.returncode == 0, f"ruff check . failed:\n{result.stdout}\n{result.stderr}"


def test_mypy_strict_engine_is_clean() -> None:
    result = _run("mypy", "engine")
    assert result.returncode == 0, f"mypy engine failed:\n{result.stdout}\n{result.stderr}"


def test_engine_imports_no_qt() -> None:
    offenders = []
    for path in _engine_files():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                if name.split(".")[0] in QT_MODULES:
                    offenders.append(f"{path.relative_to(REPO_ROOT)}:{node.lineno}: {name}")
    assert not offenders, "engine/ must not import Qt:\n" + "\n".join(offenders)


def test_engine_never_calls_executescript() -> None:
    """executescript() commits any open transaction first: the engine runs statements one by one.

    Scans the syntax tree (attribute or name ``executescript``, or that exact string), so prose in
    comments and docstrings that warns about it does not count.
    """
    offenders = []
    for path in _engine_files():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            hit = (
                (isinstance(node, ast.Attribute) and node.attr == "executescript")
                or (isinstance(node, ast.Name) and node.id == "executescript")
                or (isinstance(node, ast.Constant) and node.value == "executescript")
            )
            if hit:
                offenders.append(f"{path.relative_to(REPO_ROOT)}:{getattr(node, 'lineno', '?')}")
    assert not offenders, "engine/ must never use executescript (it commits first):\n" + "\n".join(
        offenders
    )
