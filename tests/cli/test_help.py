"""Every `sqlmig` command explains itself: `--help` exits 0 and names the contract's options."""

from __future__ import annotations

import argparse

import pytest
from helpers.badfiles import run_cli

from engine.cli import build_parser
from engine.cli.parser import verb_of

# The options other tools rely on (the CLI contract), per command.
CONTRACT: dict[str, set[str]] = {
    "status": {"--migrations", "--json"},
    "upgrade": {"--migrations", "--to", "--dry-run", "--mode", "--backup-dir", "--no-backup",
                "--wait", "--json"},
    "verify": {"--migrations", "--full", "--json"},
    "backup": {"--to", "--json"},
    "restore": {"--from", "--json"},
}


def subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    raise AssertionError("build_parser() has no subcommands")


COMMANDS = sorted(subcommands())


def visible_options(cmd: argparse.ArgumentParser) -> list[argparse.Action]:
    return [
        a for a in cmd._actions
        if a.help != argparse.SUPPRESS and not isinstance(a, argparse._HelpAction)
    ]


def test_every_contract_command_exists() -> None:
    assert set(CONTRACT) <= set(COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_help_exits_0(command: str) -> None:
    run = run_cli(command, "--help")
    assert run.code == 0, run.text
    assert f"sqlmig {command}" in run.out
    description = subcommands()[command].description
    assert description and description.strip()
    assert description.strip() in " ".join(run.out.split())
    for option in CONTRACT.get(command, ()):
        assert option in run.out, f"{command} --help does not mention {option}"


@pytest.mark.parametrize("command", COMMANDS)
def test_contract_options_parse(command: str) -> None:
    cmd = subcommands()[command]
    known = {s for a in cmd._actions for s in a.option_strings}
    assert CONTRACT.get(command, set()) <= known


@pytest.mark.parametrize("command", COMMANDS)
def test_every_option_has_help(command: str) -> None:
    missing = [a.option_strings or [a.dest] for a in visible_options(subcommands()[command])
               if not (a.help or "").strip()]
    assert not missing, f"{command}: no help for {missing}"


@pytest.mark.parametrize("command", sorted(set(CONTRACT) - {"status"}))
def test_json_help_says_json_lines(command: str) -> None:
    """status --json prints one object; every other --json prints JSON Lines (SPEC §7.7)."""
    json_option = next(a for a in subcommands()[command]._actions if "--json" in a.option_strings)
    assert "JSON Lines" in (json_option.help or "")


def test_top_level_help_lists_every_command() -> None:
    run = run_cli("--help")
    assert run.code == 0, run.text
    for command in COMMANDS:
        assert command in run.out


def test_no_command_prints_help_and_exits_2() -> None:
    run = run_cli()
    assert run.code == 2
    assert "usage" in run.text.lower()


@pytest.mark.parametrize("command", COMMANDS)
def test_a_parser_built_for_one_verb_helps_and_parses_like_the_whole_one(command: str) -> None:
    # `sqlmig status` builds only its own subparser (speed): nothing a user sees may differ.
    alone = build_parser(command)
    whole = subcommands()[command]
    (action,) = [a for a in alone._actions if isinstance(a, argparse._SubParsersAction)]
    assert list(action.choices) == [command]
    assert action.choices[command].format_help() == whole.format_help()
    assert run_cli(command, "--help").out == whole.format_help()  # through main() too


def test_only_a_known_verb_after_no_top_level_help_builds_one_subparser() -> None:
    assert verb_of(["--debug", "status", "x.db"]) == "status"
    assert verb_of(["upgrade", "status"]) == "upgrade"
    assert verb_of(["-h", "status"]) is None  # the top-level help lists every verb
    assert verb_of(["statu", "x.db"]) is None  # the refusal lists every verb
    assert verb_of([]) is None
