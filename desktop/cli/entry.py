"""``punchclock``: the parser with every command group, and the entry point.

With no command it starts the tray application. Errors are one line on stderr
and a non-zero exit (1 refused, 2 usage); the database is left as it was.
Every argument must be UTF-8 text (:func:`check_text`, before parsing), and
what an error echoes of the input has its control characters escaped, so the
message stays one line and never drives the terminal.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from desktop.cli import tracking
from desktop.cli.base import (
    EXIT_REFUSED,
    EXIT_USAGE,
    Cli,
    CommandParser,
    Commands,
    Parser,
    Run,
    UsageError,
    add_global_options,
    start_app,
)
from desktop.cli.exits import cut_short
from desktop.cli.text import argv_problem, one_line
from desktop.core.errors import NoProfile, PunchclockError

if TYPE_CHECKING:
    from desktop.core.app import Punchclock



def groups() -> tuple[ModuleType, ...]:
    """Every command group, in the order ``--help`` lists them."""
    from desktop.cli import company, directory, export, imports, reports, timesheets
    from desktop.cli import sync as sync_commands

    return (tracking, directory, timesheets, company, reports, export, imports, sync_commands)


class _Version(argparse.Action):
    """``--version``, reading the installed metadata only when asked."""

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> None:
        from importlib.metadata import version

        print(f"punchclock {version('punchclock')}")
        parser.exit()


def build_parser(only: tuple[ModuleType, ...] | None = None) -> tuple[Parser, dict[str, Run]]:
    """The root parser and what runs each command (of the ``only`` groups)."""
    p = Parser(
        prog="punchclock",
        description="Punchclock time tracker: with no command, the tray app.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--version", action=_Version, nargs=0, help="show the version and exit")
    add_global_options(p, suppress=False)
    sub = p.add_subparsers(
        dest="command",
        metavar="COMMAND",
        help="one of the commands below",
        parser_class=CommandParser,
    )
    runs: dict[str, Run] = {}
    sections = []
    for group in only or groups():
        commands = Commands(group.TITLE, sub)
        group.add_parsers(commands)
        runs.update(commands.run)
        width = max(len(n) for n in commands.helps)
        rows = "\n".join(f"  {n:<{max(width, 10)}}  {h}" for n, h in commands.helps.items())
        sections.append(f"{commands.title}:\n{rows}")
    p.epilog = "\n\n".join(sections) + "\n\nglobal options work before or after the command"
    return p, runs


def check_text(argv: Sequence[str]) -> None:
    """Every argument is UTF-8 text (:mod:`desktop.cli.text`), checked before
    anything is parsed."""
    problem = argv_problem(argv)
    if problem is not None:
        raise UsageError(problem)


def main(argv: Sequence[str] | None = None) -> int:
    def run() -> int:
        args = parse(sys.argv[1:] if argv is None else list(argv))
        return _run_app(args) if args.command is None else _command(args, None)

    return _guarded(run)


def parse(argv: Sequence[str]) -> argparse.Namespace:
    """The command line read (a UsageError when it can't be).

    A timer command (``status``, ``start`` …) is read by a parser holding only
    the timer group, which spares importing and building the other groups' 70
    parsers: the root options and the command's parser are the same objects'
    twins, so what it reads is what the whole parser reads. Anything it can't
    read (another command, a mistake, ``--help``) goes to the whole parser,
    which answers as always."""
    argv = list(argv)
    check_text(argv)
    if not _WHOLE_HELP.intersection(argv):
        try:
            return _parser(timer_only=True)[0].parse_args(argv)
        except UsageError:
            pass
    return _parser()[0].parse_args(argv)


_WHOLE_HELP = frozenset({"-h", "--help"})


def run_parsed(args: argparse.Namespace, app: Punchclock) -> int:
    """Run a parsed command on an open core — how the tray app runs a command
    handed to it (:mod:`desktop.cli.handoff`): the same code, errors and exit
    codes as :func:`main`."""
    return _guarded(lambda: _command(args, app))


@cache
def _parser(timer_only: bool = False) -> tuple[Parser, dict[str, Run]]:
    return build_parser((tracking,) if timer_only else None)


def _command(args: argparse.Namespace, app: Punchclock | None) -> int:
    cli = Cli(args, app)
    cli.serve_cli = serve
    try:
        run = _parser(timer_only=True)[1].get(args.command) or _parser()[1][args.command]
        run(cli)
    finally:
        cli.close()
    return 0


def _guarded(run: Callable[[], int]) -> int:
    """``run()``'s exit code, with every error said in one line on stderr (and
    Ctrl-C or a reader that left ending it, :func:`desktop.cli.exits.cut_short`)."""

    def said() -> int:
        try:
            return run()
        except UsageError as exc:
            print(one_line(str(exc)), file=sys.stderr)
            return EXIT_USAGE
        except PunchclockError as exc:
            print(f"punchclock: {one_line(exc.message)}", file=sys.stderr)
            for problem in exc.problems:
                where = f"{problem.entry_id[:8]}: " if problem.entry_id else ""
                print(f"  {where}{one_line(problem.message)}", file=sys.stderr)
            return EXIT_REFUSED

    return cut_short(said)


def _run_app(args: argparse.Namespace) -> int:
    """No command: the tray application. Where it can't run (no graphical
    session, or Qt can't load), say why in one line and show the status instead
    — Qt would otherwise abort the process."""
    code, reason = start_app(args.data_dir, serve_cli=serve)
    if code is not None:
        return code
    print(f"punchclock: no tray app here ({reason}); showing the status", file=sys.stderr)
    args.command = "status"
    cli = Cli(args)
    try:
        tracking.cmd_status(cli)
    except NoProfile as exc:  # a first run on a headless machine is not an error
        print(f"punchclock: {exc.message}", file=sys.stderr)
    finally:
        cli.close()
    return 0


def serve(app: Punchclock, folder: Path, request: dict[str, Any]) -> dict[str, Any]:
    """The app's side: run a handed-over command on ``app`` (open on ``folder``)
    and say what it printed and returned — or ``{"handled": False}``."""
    import contextlib
    import io

    from desktop.cli.handoff import HANDED

    not_mine = {"handled": False}
    argv = request.get("argv")
    if not isinstance(argv, list) or not all(isinstance(a, str) for a in argv):
        return not_mine
    quiet = io.StringIO()
    try:
        with contextlib.redirect_stdout(quiet), contextlib.redirect_stderr(quiet):
            args = parse(argv)
    except (Exception, SystemExit):  # usage errors and --help: the command line says them
        return not_mine
    if args.command not in HANDED:
        return not_mine
    named = (
        Path(str(request.get("cwd", "/")), args.data_dir)
        if args.data_dir
        else Path(str(request.get("default_data_dir", "")))
    )
    if not named.parts or named.expanduser().resolve() != folder.resolve():
        return not_mine
    args.data_dir = folder
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = run_parsed(args, app)
    return {"handled": True, "code": code, "out": out.getvalue(), "err": err.getvalue()}
