"""The compiled catalog: a migrations folder read once and kept in the cache folder (SPEC §7.24).

`load_catalog_cached` answers exactly what `catalog.load_catalog` answers. The entry is keyed by
the folder, the name, size and mtime of every file the catalog reads (`*.sql` and `*.toml` in
the folder and in the folders below it, which hold the repair scripts), a SHA-256 of their
contents and the engine's build; a stored entry is used only when all of them match, so a
changed file, even one with its old size and mtime, is read again. Without a cache folder, or
when the folder cannot be read or written, the folder is parsed as before.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from engine.scripts import diskcache
from engine.scripts.catalog import Catalog, load_catalog

_INPUTS = (".sql", ".toml")
_DEPTH = 2  # the folder and its repairs folder (and one more level, to be safe)
# Cache folders of the catalogs loaded through here, by catalog checksum: the expected schemas of
# a catalog go to the same folder (state/expected.py asks `cache_dir_for`).
_CACHE_DIRS: dict[str, Path] = {}


def load_catalog_cached(folder: Path, cache_dir: Path | None) -> Catalog:
    """`load_catalog(folder)`, from the cache when its entry is for these very files."""
    if cache_dir is None:
        return load_catalog(folder)
    key = _folder_key(folder)
    if key is None:  # missing or unreadable folder: the parser words the problem
        return load_catalog(folder)
    name = "catalog-" + hashlib.sha256(f"{folder.absolute()}\0{folder}".encode()).hexdigest()[:16]
    catalog = diskcache.load(cache_dir, name, key)
    if not isinstance(catalog, Catalog):
        catalog = load_catalog(folder)
        if _covered(catalog, folder):
            diskcache.store(cache_dir, name, key, catalog)
    _CACHE_DIRS[catalog.checksum] = cache_dir
    return catalog


def cache_dir_for(checksum: str) -> Path | None:
    """The cache folder of the catalog with this checksum, if it was loaded with one."""
    return _CACHE_DIRS.get(checksum)


def _covered(catalog: Catalog, folder: Path) -> bool:
    """The key covers every file read: repair scripts outside the folder are not cached."""
    repairs = catalog.profile.repairs_dir if catalog.profile else None
    return repairs is None or repairs.absolute().is_relative_to(folder.absolute())


def _folder_key(folder: Path) -> str | None:
    try:
        files = sorted(_inputs(folder.absolute(), _DEPTH))
        digest = hashlib.sha256()
        lines = [diskcache.engine_stamp(), str(folder.absolute()), str(folder)]
        for path, size, mtime in files:
            lines.append(f"{path}:{size}:{mtime}")
            with open(path, "rb") as f:
                digest.update(path.encode() + b"\0" + f.read() + b"\0")
    except OSError:
        return None
    lines.append(digest.hexdigest())
    return "\n".join(lines)


def _inputs(folder: Path, depth: int) -> list[tuple[str, int, int]]:
    out = []
    with os.scandir(folder) as entries:
        for e in entries:
            if e.name.startswith(".") or e.name == "__pycache__":
                continue
            if e.is_dir():
                if depth > 1:
                    out += _inputs(Path(e.path), depth - 1)
            elif e.name.lower().endswith(_INPUTS) and e.is_file():
                st = e.stat()
                out.append((e.path, st.st_size, st.st_mtime_ns))
    return out
