"""Static quality gates run as tests: ruff, mypy (strict on the engine), engine layering rules."""

from __future__ import annotations

import ast
import importlib
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


# -- the layers (docs/architecture.md) -----------------------------------------------------------

# A module may import modules of its own layer and of the layers below it; the faces import only
# the public face `engine`. Imports under `if TYPE_CHECKING:` create no dependency at run time
# and are not counted (the faces' are: they may not name inner modules at all).
LAYERS = {"core": 0, "scripts": 1, "schema": 2, "state": 3, "planning": 4, "render": 5,
          "runtime": 6}
TOP = 7  # engine/__init__.py, engine/api.py, engine/__main__.py: may import every layer
FACES = ("engine/cli", "sqlmig_gui")
MAX_LINES = 400
WRITERS = frozenset({"open_readwrite", "open_copy", "roll_back_journal"})
WRITE_WORDS = ("BEGIN", "COMMIT", "ROLLBACK", "INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE",
               "DROP", "ALTER", "VACUUM", "SAVEPOINT", "RELEASE")


def _layer(path: Path) -> int:
    parts = path.relative_to(ENGINE).parts
    return LAYERS.get(parts[0], TOP) if len(parts) > 1 else TOP


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    """ids of the import nodes inside `if TYPE_CHECKING:` blocks."""
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                inside |= {id(n) for n in ast.walk(child)}
    return inside


def _engine_imports(path: Path) -> list[tuple[int, str, bool]]:
    """(line, engine module imported, type-only) for every import of an engine module."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    typing_only = _type_checking_nodes(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            base = node.module
            names = [base] if base != "engine" else [f"engine.{a.name}" for a in node.names]
        else:
            continue
        for name in names:
            if name == "engine" or name.startswith("engine."):
                found.append((node.lineno, name, id(node) in typing_only))
    return found


def _module_layer(name: str) -> int | None:
    """The layer of an imported engine module; None for a public name (`from engine import X`)."""
    import engine

    parts = name.split(".")
    if len(parts) == 1:
        return TOP
    if parts[1] in engine.PUBLIC:
        return None
    return LAYERS.get(parts[1], TOP)


def test_each_layer_imports_only_its_own_and_lower_layers() -> None:
    offenders = []
    for path in _engine_files():
        if path.is_relative_to(ENGINE / "cli"):
            continue  # a face: see the next test
        mine = _layer(path)
        for line, name, typing_only in _engine_imports(path):
            theirs = _module_layer(name)
            if typing_only or theirs is None or theirs <= mine:
                continue
            offenders.append(f"{path.relative_to(REPO_ROOT)}:{line}: {name}")
    assert not offenders, "a layer imports a layer above it:\n" + "\n".join(offenders)


def test_the_core_imports_nothing_else_from_the_engine() -> None:
    offenders = [
        f"{path.relative_to(REPO_ROOT)}:{line}: {name}"
        for path in _engine_files()
        if path.is_relative_to(ENGINE / "core")
        for line, name, _typing in _engine_imports(path)
        if not name.startswith("engine.core")
    ]
    assert not offenders, "\n".join(offenders)


def _face_files() -> list[Path]:
    return sorted(
        p for face in FACES for p in (REPO_ROOT / face).rglob("*.py") if "__pycache__" not in p.parts
    )


def test_the_faces_import_only_the_public_face() -> None:
    """engine/cli and sqlmig_gui use `import engine` (or `from engine import NAME` of a public
    name), never an inner module such as engine.core.errors."""
    import engine

    offenders = []
    for path in _face_files():
        for line, name, _typing in _engine_imports(path):
            leaf = name.removeprefix("engine.")
            own = path.is_relative_to(ENGINE / "cli") and name.startswith("engine.cli")
            if own or name == "engine" or (name.count(".") == 1 and leaf in engine.PUBLIC):
                continue
            offenders.append(f"{path.relative_to(REPO_ROOT)}:{line}: {name}")
    assert not offenders, "a face imports an inner engine module:\n" + "\n".join(offenders)


def _calls_and_names(path: Path) -> tuple[ast.AST, list[ast.AST]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return tree, list(ast.walk(tree))


def test_only_the_runtime_opens_a_file_for_writing() -> None:
    offenders = []
    for path in _engine_files():
        rel = path.relative_to(ENGINE)
        if rel.parts[0] == "runtime" or rel == Path("core/connect.py") or _layer(path) == TOP:
            continue
        for node in _calls_and_names(path)[1]:
            name = node.id if isinstance(node, ast.Name) else (
                node.attr if isinstance(node, ast.Attribute) else None)
            if name in WRITERS:
                offenders.append(f"{path.relative_to(REPO_ROOT)}:{node.lineno}: {name}")  # type: ignore[attr-defined]
    assert not offenders, "only engine/runtime writes to files:\n" + "\n".join(offenders)


def test_only_connect_opens_sqlite_files() -> None:
    """`sqlite3.connect` outside engine/core/connect.py only ever opens ":memory:"."""
    offenders = []
    for path in _engine_files():
        if path == ENGINE / "core" / "connect.py":
            continue
        for node in _calls_and_names(path)[1]:
            if not (isinstance(node, ast.Call) and ast.unparse(node.func) == "sqlite3.connect"):
                continue
            first = node.args[0] if node.args else None
            if not (isinstance(first, ast.Constant) and first.value == ":memory:"):
                offenders.append(f"{path.relative_to(REPO_ROOT)}:{node.lineno}")
    assert not offenders, "sqlite3.connect outside core/connect.py:\n" + "\n".join(offenders)


def _leading_word(text: str) -> str:
    words = text.lstrip().split(None, 2)
    return words[0] if words else ""  # SQL keywords in upper case; prose is not SQL


def _sql_literals(path: Path) -> list[tuple[int, str]]:
    out = []
    for node in _calls_and_names(path)[1]:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            out.append((node.lineno, node.value))
        elif isinstance(node, ast.JoinedStr) and node.values:
            first = node.values[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                out.append((node.lineno, first.value))
    return out


def test_the_state_layer_never_writes() -> None:
    """engine/state reads: no write statement, no writing PRAGMA, no writer connection."""
    offenders = []
    for path in _engine_files():
        if not path.is_relative_to(ENGINE / "state"):
            continue
        for line, text in _sql_literals(path):
            word = _leading_word(text)
            pragma_write = word == "PRAGMA" and "=" in text.split(";")[0]
            if (word in WRITE_WORDS and text.strip() != word) or pragma_write:
                offenders.append(f"{path.relative_to(REPO_ROOT)}:{line}: {text[:60]!r}")
    assert not offenders, "engine/state must not write:\n" + "\n".join(offenders)


def test_the_scripts_planning_and_words_open_no_database() -> None:
    """Reading migration files, planning and wording need no connection (scripts/sqltext.py
    uses sqlite3 only for `complete_statement`)."""
    offenders = []
    for path in _engine_files():
        rel = path.relative_to(ENGINE)
        if rel.parts[0] not in ("scripts", "planning", "render") or rel == Path(
            "scripts/sqltext.py"
        ):
            continue
        for line, name, typing_only in _engine_imports(path):
            if name == "engine.core.connect" and not typing_only:
                offenders.append(f"{path.relative_to(REPO_ROOT)}:{line}: {name}")
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import) and any(a.name == "sqlite3" for a in node.names):
                offenders.append(f"{path.relative_to(REPO_ROOT)}:{node.lineno}: import sqlite3")
    assert not offenders, "\n".join(offenders)


def test_no_module_is_longer_than_the_limit() -> None:
    long = [
        f"{path.relative_to(REPO_ROOT)}: {n} lines"
        for path in _engine_files()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    ]
    assert not long, f"modules over {MAX_LINES} lines (one job each):\n" + "\n".join(long)


def test_no_gui_module_is_longer_than_the_limit() -> None:
    long = [
        f"{path.relative_to(REPO_ROOT)}: {n} lines"
        for path in sorted((REPO_ROOT / "sqlmig_gui").rglob("*.py"))
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    ]
    assert not long, f"modules over {MAX_LINES} lines:\n" + "\n".join(long)


def test_the_public_face_is_declared_once() -> None:
    """`engine.PUBLIC` is the one list; `__all__` is its keys, and the TYPE_CHECKING imports
    (for type checkers) name exactly the same names from the same modules."""
    import engine

    assert sorted(engine.__all__) == sorted(engine.PUBLIC)
    tree = ast.parse((ENGINE / "__init__.py").read_text(encoding="utf-8"))
    typed: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and id(node) in _type_checking_nodes(tree):
            for alias in node.names:
                assert alias.asname == alias.name, f"{alias.name}: write `X as X`"
                typed[alias.name] = str(node.module)
    assert typed == engine.PUBLIC
    for name, module in engine.PUBLIC.items():
        assert getattr(engine, name) is getattr(importlib.import_module(module), name)
    api_names = [n for n in ast.walk(ast.parse((ENGINE / "api.py").read_text()))
                 if isinstance(n, ast.Name) and n.id == "__all__"]
    assert not api_names, "engine/api.py must not keep a second list of public names"


def _string_args(node: ast.Call, position: int = 0) -> str | None:
    args = node.args
    if len(args) > position and isinstance(args[position], ast.Constant):
        value = args[position].value
        return value if isinstance(value, str) else None
    return None


def test_every_problem_code_and_kind_is_declared_once() -> None:
    """Problem codes are a contract (SPEC §7.7): each one the engine writes is a member of
    `ProblemCode`; each catalog problem kind is a member of `CatalogProblemKind`."""
    from engine.core.verdicts import CatalogProblemKind, ProblemCode

    codes, kinds = set(ProblemCode), set(CatalogProblemKind)
    unknown = []
    for path in _engine_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        where = path.relative_to(REPO_ROOT)
        for node in ast.walk(tree):
            found: list[tuple[str, set[str]]] = []
            if isinstance(node, ast.Call):
                name = ast.unparse(node.func).rsplit(".", 1)[-1]
                found += [(k.value.value, codes) for k in node.keywords
                          if k.arg == "code" and isinstance(k.value, ast.Constant)]
                first = _string_args(node)
                if name == "Problem" and first:
                    found.append((first, codes))
                if name in ("problem", "report", "CatalogProblem") and first:
                    found.append((first, kinds))
            elif isinstance(node, ast.Assign | ast.AnnAssign):
                target = node.targets[0] if isinstance(node, ast.Assign) else node.target
                label = ast.unparse(target)
                value = node.value
                if label.endswith(("default_code", "code")) and isinstance(value, ast.Constant):
                    found.append((str(value.value), codes))
                if label in ("_SQLITE_KNOWN", "_SQLITE_EXTENDED") and isinstance(value, ast.Dict):
                    found += [(str(v.elts[0].value), codes) for v in value.values  # type: ignore[union-attr, attr-defined]
                              if isinstance(v, ast.Tuple)]
                if label == "_OS_KNOWN" and isinstance(value, ast.Dict):
                    found += [(str(v.elts[2].value), codes) for v in value.values  # type: ignore[union-attr, attr-defined]
                              if isinstance(v, ast.Tuple)]
            unknown += [f"{where}:{getattr(node, 'lineno', '?')}: {text!r}"
                        for text, allowed in found if text and text not in allowed]
    assert not unknown, "undeclared problem codes or kinds:\n" + "\n".join(unknown)
