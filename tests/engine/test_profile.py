"""engine.scripts.profile: the app profile loads, is optional, and a bad one is a problem, not a crash."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.scripts.catalog import load_catalog
from engine.scripts.profile import Profile, ProfileError, load_profile

BUNDLED = Path(__file__).parents[2] / "migrations"

GOOD = """\
[app]
name = "agent-world"
tables = ["worlds", "agents", "agent_memory", "events"]
core_tables = ["worlds", "agents"]

[legacy]
user_version_min = 0
user_version_max = 7
repairs = "repairs"   # relative to this file
"""


def write_profile(folder: Path, text: str) -> Path:
    path = folder / "profile.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_profile_loads_every_field(tmp_path: Path) -> None:
    path = write_profile(tmp_path, GOOD)
    profile = load_profile(tmp_path)
    assert profile == Profile(
        path=path,
        app_name="agent-world",
        app_tables=frozenset({"worlds", "agents", "agent_memory", "events"}),
        core_tables=frozenset({"worlds", "agents"}),
        legacy_min=0,
        legacy_max=7,
        repairs_dir=tmp_path.absolute() / "repairs",
    )
    assert profile.repairs_dir is not None and profile.repairs_dir.is_absolute()


def test_repairs_is_optional(tmp_path: Path) -> None:
    write_profile(tmp_path, GOOD.replace('repairs = "repairs"   # relative to this file\n', ""))
    profile = load_profile(tmp_path)
    assert profile is not None and profile.repairs_dir is None


def test_unknown_keys_are_ignored(tmp_path: Path) -> None:
    write_profile(tmp_path, GOOD + '\n[extra]\nnote = "from a newer sqlmig"\n')
    assert load_profile(tmp_path) is not None


def test_missing_profile_is_none(tmp_path: Path) -> None:
    assert load_profile(tmp_path) is None


def test_invalid_toml_raises_with_its_line(tmp_path: Path) -> None:
    write_profile(tmp_path, GOOD.replace("user_version_max = 7", "user_version_max = = 7"))
    with pytest.raises(ProfileError) as info:
        load_profile(tmp_path)
    assert info.value.line == 8
    assert "not valid TOML" in str(info.value)
    assert info.value.hint


@pytest.mark.parametrize(
    ("old", "new", "words"),
    [
        ('name = "agent-world"', 'name = ""', "[app] name"),
        (
            'tables = ["worlds", "agents", "agent_memory", "events"]',
            'tables = "worlds"',
            "[app] tables",
        ),
        ('core_tables = ["worlds", "agents"]', 'core_tables = ["worlds", "chats"]', "chats"),
        ("user_version_min = 0", "user_version_min = true", "user_version_min"),
        ("user_version_min = 0", "user_version_min = -1", "user_version_min"),
        ("user_version_max = 7", "user_version_max = 7.5", "user_version_max"),
        ("user_version_min = 0", "user_version_min = 9", "above"),
        ('repairs = "repairs"', "repairs = 3", "[legacy] repairs"),
        ("[legacy]", "[old]", "[legacy]"),
    ],
)
def test_wrong_values_raise_a_sentence(tmp_path: Path, old: str, new: str, words: str) -> None:
    assert old in GOOD
    write_profile(tmp_path, GOOD.replace(old, new))
    with pytest.raises(ProfileError) as info:
        load_profile(tmp_path)
    assert words in info.value.message
    assert info.value.message.startswith("profile.toml")
    assert info.value.hint


def test_not_utf8_raises(tmp_path: Path) -> None:
    (tmp_path / "profile.toml").write_bytes(b'[app]\nname = "caf\xe9"\n')
    with pytest.raises(ProfileError, match="UTF-8"):
        load_profile(tmp_path)


def test_malformed_profile_is_a_catalog_problem(tmp_path: Path) -> None:
    write_profile(tmp_path, "[app\n")
    (tmp_path / "0000_init.sql").write_text("CREATE TABLE a (x);\n")
    catalog = load_catalog(tmp_path)
    assert catalog.profile is None
    assert [(p.kind, p.file, p.line, p.code) for p in catalog.problems] == [
        ("bad_profile", "profile.toml", 1, "bad_catalog")
    ]
    assert [m.name for m in catalog.migrations] == ["init"]  # inspection keeps working


def test_profile_folder_instead_of_file_is_a_problem(tmp_path: Path) -> None:
    (tmp_path / "profile.toml").mkdir()
    with pytest.raises(ProfileError, match="folder"):
        load_profile(tmp_path)


@pytest.mark.skipif(not (BUNDLED / "profile.toml").is_file(), reason="bundled profile not written")
def test_bundled_profile_loads() -> None:
    profile = load_profile(BUNDLED)
    assert profile is not None
    assert profile.core_tables <= profile.app_tables
    assert profile.legacy_min <= profile.legacy_max
