"""Entries kept between runs in the cache folder a face passes to the engine (SPEC §7.24).

An entry is a pickled `(key, value)` pair in `<cache_dir>/<name>.pickle`. It is used only when
its stored key equals the key asked for, which always names the engine's build (`engine_stamp`),
so a changed engine never reads an older engine's objects. A missing, corrupt, foreign or
unreadable entry and an unwritable folder only cost time: `load` answers None, `store` does
nothing. The cache lives outside users' files and never holds anything read from a database.
Unpickling resolves only the engine's own classes and plain data types, so a planted entry can
name no other callable (it is a miss, not code run).
"""

from __future__ import annotations

import os
import pickle
import sys
from pathlib import Path
from typing import Any

_FORMAT = "sqlmig-cache-1"
# What an entry may be made of besides the engine's own classes.
_PLAIN = {
    "builtins": {"tuple", "list", "dict", "set", "frozenset", "str", "bytes", "int", "float",
                 "bool", "complex", "slice", "range", "object"},
    "pathlib": {"Path", "PosixPath", "WindowsPath", "PurePath", "PurePosixPath",
                "PureWindowsPath"},
    "collections": {"OrderedDict", "defaultdict", "deque"},
    "datetime": {"date", "datetime", "time", "timedelta", "timezone"},
}
_ENGINE = Path(__file__).resolve().parent.parent
_stamp: str | None = None


def engine_stamp() -> str:
    """The engine's build: Python's version and the name, size and mtime of every module that
    reads migrations or models a schema (what the cached objects are made by and of).

    Stricter than the version number: an edited engine (a developer's tree) does not read the
    entries of the one before.
    """
    global _stamp
    if _stamp is None:
        parts = [_FORMAT, sys.version]
        for folder in (_ENGINE / "scripts", _ENGINE / "schema"):
            with os.scandir(folder) as entries:
                for e in entries:
                    if e.name.endswith(".py"):
                        st = e.stat()
                        parts.append(f"{folder.name}/{e.name}:{st.st_size}:{st.st_mtime_ns}")
        _stamp = "\n".join(sorted(parts))
    return _stamp


class _EngineUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if module == "engine" or module.startswith("engine.") or name in _PLAIN.get(module, ()):
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not part of a cache entry")


def load(cache_dir: Path | None, name: str, key: str) -> Any | None:
    """The value stored under `name` if its key is `key`; None on any miss."""
    if cache_dir is None:
        return None
    try:
        with open(cache_dir / f"{name}.pickle", "rb") as f:
            stored = _EngineUnpickler(f).load()
    except FileNotFoundError:
        return None
    except Exception:  # a corrupt or foreign entry is a miss, never an error
        return None
    if not (isinstance(stored, tuple) and len(stored) == 2 and stored[0] == key):
        return None
    return stored[1]


def store(cache_dir: Path | None, name: str, key: str, value: Any) -> None:
    """Write the entry atomically (temporary file, then rename); failures are ignored."""
    if cache_dir is None:
        return
    import tempfile  # only a miss writes: `tempfile` (random, shutil, lzma) is not loaded on a hit

    tmp: str | None = None
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=cache_dir, prefix=f".{name}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            pickle.dump((key, value), f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, cache_dir / f"{name}.pickle")
        tmp = None
    except (OSError, pickle.PicklingError, RecursionError):
        pass
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
