"""The caches kept between runs (SPEC §7.24): the compiled catalog and the expected schemas.

Each is used only when its key matches; every way a cache can be wrong or missing (a changed
file, a new mtime, a corrupt entry, a folder that cannot be written) falls back to parsing or
replaying and gives the same answer.
"""

from __future__ import annotations

import os
import pickle
import shutil
from pathlib import Path

import pytest

import engine
from engine.cli.verbs import user_cache_dir
from engine.scripts import compiled, diskcache
from engine.scripts.catalog import load_catalog as parse_folder
from engine.state import expected
from engine.state.expected import ExpectedSchemas
from tests.helpers.badfiles import run_cli


@pytest.fixture()
def folder(tmp_path: Path, bundled_migrations: Path) -> Path:
    copy = tmp_path / "migrations"
    shutil.copytree(bundled_migrations, copy, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


@pytest.fixture(autouse=True)
def _no_schemas_in_memory() -> None:
    expected._SHARED.clear()  # as in a new process: only the cache folder remembers


def _entries(cache: Path, prefix: str) -> list[Path]:
    return sorted(cache.glob(f"{prefix}-*.pickle"))


def test_a_cached_catalog_is_the_parsed_catalog(folder: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = engine.load_catalog(folder, cache_dir=cache)
    assert len(_entries(cache, "catalog")) == 1
    second = engine.load_catalog(folder, cache_dir=cache)
    assert first == second == parse_folder(folder)
    assert second.head_version == 18 and second.profile is not None


def test_an_entry_whose_key_matches_is_used(folder: Path, tmp_path: Path) -> None:
    """The cache is really read: an entry stored under the folder's key is what comes back."""
    cache = tmp_path / "cache"
    engine.load_catalog(folder, cache_dir=cache)
    (entry,) = _entries(cache, "catalog")
    key, catalog = pickle.loads(entry.read_bytes())
    shorter = catalog._replace(migrations=catalog.migrations[:3])
    entry.write_bytes(pickle.dumps((key, shorter)))
    assert engine.load_catalog(folder, cache_dir=cache).head_version == 2


def test_a_changed_file_with_the_same_size_and_mtime_is_read_again(
    folder: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    engine.load_catalog(folder, cache_dir=cache)
    path = folder / "0018_add_agent_turn_metadata.sql"
    before = path.stat()
    text = path.read_text(encoding="utf-8")
    changed = text.replace("ALTER TABLE", "alter table", 1)
    assert changed != text and len(changed) == len(text)
    path.write_text(changed, encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size
    again = engine.load_catalog(folder, cache_dir=cache)
    assert again == parse_folder(folder)
    assert any("alter table" in s.sql for s in again.get(18).up)


def test_a_new_mtime_with_the_same_content_gives_the_same_catalog(
    folder: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    first = engine.load_catalog(folder, cache_dir=cache)
    path = folder / "0005_add_message_id.sql"
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))
    assert engine.load_catalog(folder, cache_dir=cache) == first == parse_folder(folder)


def test_a_new_file_in_the_folder_is_seen(folder: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    assert engine.load_catalog(folder, cache_dir=cache).head_version == 18
    (folder / "0019_add_notes.sql").write_text("CREATE TABLE notes (id INTEGER PRIMARY KEY);\n")
    assert engine.load_catalog(folder, cache_dir=cache).head_version == 19
    (folder / "0019_add_notes.sql").unlink()
    assert engine.load_catalog(folder, cache_dir=cache).head_version == 18


@pytest.mark.parametrize("garbage", [b"", b"not a pickle", pickle.dumps(("wrong key", 42))])
def test_a_corrupt_entry_is_parsed_again_and_replaced(
    folder: Path, tmp_path: Path, garbage: bytes
) -> None:
    cache = tmp_path / "cache"
    engine.load_catalog(folder, cache_dir=cache)
    (entry,) = _entries(cache, "catalog")
    entry.write_bytes(garbage)
    assert engine.load_catalog(folder, cache_dir=cache) == parse_folder(folder)
    assert entry.read_bytes() != garbage


def test_a_cache_folder_that_cannot_be_written_only_costs_time(
    folder: Path, tmp_path: Path
) -> None:
    in_the_way = tmp_path / "a-file"
    in_the_way.write_text("not a folder")
    assert engine.load_catalog(folder, cache_dir=in_the_way / "cache") == parse_folder(folder)
    assert in_the_way.read_text() == "not a folder"


def test_expected_schemas_are_kept_and_an_entry_is_checked(folder: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    catalog = engine.load_catalog(folder, cache_dir=cache)
    replayed = ExpectedSchemas(catalog).at(18)
    (entry,) = _entries(cache, "expected")
    expected._SHARED.clear()  # a new process: only the folder remembers
    assert ExpectedSchemas(catalog).at(18) == replayed
    entry.write_bytes(b"corrupt")
    expected._SHARED.clear()
    assert ExpectedSchemas(catalog).at(18) == replayed
    assert pickle.loads(entry.read_bytes())[1] == replayed  # written again


def test_expected_schemas_of_a_changed_engine_are_not_read(folder: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    catalog = engine.load_catalog(folder, cache_dir=cache)
    at_zero = ExpectedSchemas(catalog).at(0)
    replayed = ExpectedSchemas(catalog).at(18)
    (entry,) = [e for e in _entries(cache, "expected") if e.name.endswith("-v18.pickle")]
    key, _ = pickle.loads(entry.read_bytes())
    entry.write_bytes(pickle.dumps((key.replace(diskcache.engine_stamp(), "older"), at_zero)))
    expected._SHARED.clear()
    assert ExpectedSchemas(catalog).at(18) == replayed != at_zero


def test_status_through_the_cache_says_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "app.db"
    db.write_bytes(b"")
    assert engine.upgrade(db, backup=False).ok
    monkeypatch.setenv("SQLMIG_CACHE_DIR", "")
    plain = run_cli("status", db, "--json")
    monkeypatch.setenv("SQLMIG_CACHE_DIR", str(tmp_path / "cache"))
    first = run_cli("status", db, "--json")
    again = run_cli("status", db, "--json")
    assert plain.code == first.code == again.code == 0
    assert plain.out == first.out == again.out
    assert _entries(tmp_path / "cache", "catalog")
    assert compiled.cache_dir_for(engine.load_catalog().checksum) == tmp_path / "cache"


def test_a_planted_entry_naming_another_callable_is_a_miss_and_runs_nothing(tmp_path: Path) -> None:
    import pickle

    from engine.scripts import diskcache

    ran = tmp_path / "ran"

    class Planted:
        def __reduce__(self) -> tuple[object, ...]:
            return (open, (str(ran), "w"))  # would create the file if it were called

    key = "k"
    (tmp_path / "entry.pickle").write_bytes(pickle.dumps((key, Planted())))
    assert diskcache.load(tmp_path, "entry", key) is None
    assert not ran.exists()
    diskcache.store(tmp_path, "entry", key, {"kept": (1, 2)})
    assert diskcache.load(tmp_path, "entry", key) == {"kept": (1, 2)}


@pytest.mark.parametrize("xdg", [None, "", "   ", "/tmp/somewhere/cache"])
def test_the_cli_finds_the_cache_folder_platformdirs_names(
    xdg: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The CLI applies platformdirs' Linux rule itself (importing it costs every `status`).
    platformdirs = pytest.importorskip("platformdirs")
    if xdg is None:
        monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    else:
        monkeypatch.setenv("XDG_CACHE_HOME", xdg)
    assert user_cache_dir() == platformdirs.user_cache_dir("sqlmig", appauthor=False)
