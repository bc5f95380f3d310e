"""The `sqlmig` command: each verb parses its arguments, calls one engine function, renders it.

Exit codes (SPEC §7.9): 0 success (or `status` classified a file), 1 a migration or check failed,
2 usage error, 3 refused. `main(argv)` returns the code; nothing below it calls sys.exit.
The command is a face like the window: it imports only `engine`, the public face.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import TextIO, cast

import engine
from engine.cli.output import Output, print_json, print_lines
from engine.cli.parser import ArgumentError, build_parser, verb_of


def main(argv: Sequence[str] | None = None, *, stdout: TextIO | None = None) -> int:
    # SIGINT and SIGTERM cancel: the engine rolls back and the verb ends with `cancelled`.
    token = engine.CancelToken()
    with engine.cancel_on_signals(token):
        return _main(argv, stdout, token)


def _main(argv: Sequence[str] | None, stdout: TextIO | None, token: engine.CancelToken) -> int:
    out = cast(TextIO, Output(stdout or sys.stdout))
    words = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(verb_of(words))
    try:
        args = parser.parse_args(words)
    except ArgumentError as exc:
        return _usage_error(exc, words, out)
    except SystemExit as exc:  # --help: argparse already printed it
        return int(exc.code) if isinstance(exc.code, int) else engine.EXIT_USAGE
    if not getattr(args, "command", None):
        parser.print_help(out)
        return engine.EXIT_USAGE
    handler: Callable[[argparse.Namespace, TextIO], int] = args.handler
    args.cancel = token
    try:
        return handler(args, out)
    except engine.EngineError as exc:
        if args.debug:
            raise
        return _render_error(exc, args, out)


def main_entry() -> None:
    sys.exit(main())


def _usage_error(exc: ArgumentError, words: list[str], out: TextIO) -> int:
    """An argparse error: a JSON `done` (or status object) with the `usage` problem under
    --json, else argparse's own usage lines on stderr. Exit 2."""
    if "--json" not in words:
        exc.parser.print_usage(sys.stderr)
        print(f"{exc.parser.prog}: error: {exc.message}", file=sys.stderr)
        return engine.EXIT_USAGE
    message = exc.message[:1].upper() + exc.message[1:].rstrip(".") + "."
    error = engine.UsageError(message, hint=f"See `{exc.parser.prog} --help`.")
    command = next((w for w in words if not w.startswith("-")), None)
    return _render_error(error, argparse.Namespace(json=True, command=command, path=None), out)


def _render_error(exc: engine.EngineError, args: argparse.Namespace, out: TextIO) -> int:
    if getattr(args, "json", False):
        print_json(engine.error_json(exc, command=args.command, path=args.path), out)
    else:
        print_lines(engine.error_lines(exc), sys.stderr)
    return exc.exit_code
