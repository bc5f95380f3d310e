"""Run `python -m engine` as uid/gid 65534 ("nobody"): root ignores file permissions, so the
read-only cases need a user they apply to (the same approach as tests/cli/test_bad_input.py)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
NOBODY = 65534
SETPRIV = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]

Runner = Callable[..., subprocess.CompletedProcess[str]]


def _probe(python: str, env: dict[str, str]) -> str | None:
    try:
        proc = subprocess.run(
            [*SETPRIV, python, "-c", "import sqlite3, engine.cli"],
            capture_output=True, text=True, timeout=60, env=env, cwd="/",
        )
    except OSError as exc:
        return f"{python}: {exc}"
    if proc.returncode != 0:
        return f"{python}: exit {proc.returncode}: {proc.stderr.strip()[-300:]}"
    return None


def nobody_runner() -> Runner:
    """A function running `python -m engine ARGS` as nobody (skips the test when impossible)."""
    if os.geteuid() != 0:
        pytest.skip("read-only tests switch to uid 65534 with setpriv, which needs root")
    if shutil.which("setpriv") is None:
        pytest.skip("setpriv (util-linux) is not installed")
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    env.pop("PYTHONHOME", None)
    failures = []
    for python in dict.fromkeys([sys.executable, "/usr/bin/python3"]):
        error = _probe(python, env)
        if error is None:
            break
        failures.append(error)
    else:
        pytest.skip("uid 65534 cannot run a Python that imports the engine: " + "; ".join(failures))
    migrations = str(REPO_ROOT / "migrations")

    def run(*args: object) -> subprocess.CompletedProcess[str]:
        words = [str(a) for a in args]
        if words and words[0] in ("status", "upgrade", "verify", "recover"):
            words += ["--migrations", migrations]  # the bundled package may not import as nobody
        return subprocess.run(
            [*SETPRIV, python, "-m", "engine", *words],
            capture_output=True, text=True, timeout=120, env=env, cwd="/",
        )

    return run


def shared_folder() -> Iterator[Path]:
    """A folder uid 65534 can reach (pytest's tmp_path is private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="sqlmig-ro-"))
    os.chmod(folder, 0o755)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
