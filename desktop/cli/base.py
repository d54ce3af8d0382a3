"""What every command module shares: the parser classes, the usage error, the
exit codes, the ``Cli`` context (the opened core and the acting user) and the
argument helpers several groups use.

Global options (``--data-dir``, ``--as``, ``--json``) are accepted before or
after the command: the root parser holds their defaults, and every command
parser (:class:`CommandParser`) declares them again with a suppressed default,
so a value given after the command lands in the same place and one not given
there leaves the root's value alone.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from desktop.cli.output import Out
from desktop.core import dto

if TYPE_CHECKING:
    from desktop.core.app import Punchclock

EXIT_REFUSED = 1
EXIT_USAGE = 2


class UsageError(Exception):
    """A command line that can't be run as written (exit 2)."""


def add_global_options(p: argparse.ArgumentParser, *, suppress: bool) -> None:
    default: Any = argparse.SUPPRESS if suppress else None
    p.add_argument("--data-dir", type=Path, default=default, help="folder holding the database")
    p.add_argument(
        "--as",
        dest="as_user",
        metavar="EMAIL",
        default=default,
        help="act as another local user (local-only devices)",
    )
    p.add_argument(
        "--json",
        action="store_true",
        default=argparse.SUPPRESS if suppress else False,
        help="machine-readable output on stdout",
    )


class Parser(argparse.ArgumentParser):
    """argparse that reports a usage mistake as one line (no usage dump)."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message} (see --help)")


class CommandParser(Parser):
    """The parser of a command or sub-command: the global options work here too."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        add_global_options(self, suppress=True)


Run = Callable[["Cli"], None]
ServeCli = Callable[["Punchclock", Path, dict[str, Any]], dict[str, Any]]


@dataclass
class Commands:
    """One group's commands as ``--help`` lists them, and what runs each.

    The entry point gives each command module one of these (over the root
    parser's sub-parsers); the module's ``add_parsers`` calls ``add(name,
    help, run)`` per command, which creates the command's parser."""

    title: str
    sub: Any
    run: dict[str, Run] = field(default_factory=dict)
    helps: dict[str, str] = field(default_factory=dict)

    def add(self, name: str, help: str, run: Run) -> CommandParser:
        self.helps[name] = help
        self.run[name] = run
        parser: CommandParser = self.sub.add_parser(name, description=help)
        return parser


class Cli:
    """One command's context: the arguments, the output, the core and the
    acting user (the profile, or ``--as`` on a local-only device).

    The core opens on first use (``status`` may answer without it, see
    :mod:`desktop.core.quickread`); the running tray app passes its own
    (``app``), which this context then never closes."""

    def __init__(self, args: argparse.Namespace, app: Punchclock | None = None) -> None:
        self.args = args
        self.out = Out(args.json)
        self._owns_app = app is None
        if app is not None:
            self.__dict__["app"] = app
        self.actor_id: str | None = None
        self.serve_cli: ServeCli | None = None  # how a tray app started from here serves commands
        if args.as_user:
            self.check_standalone()
            self.actor_id = self.app.directory.user(args.as_user).id

    @cached_property
    def app(self) -> Punchclock:
        from desktop.core.app import Punchclock

        return Punchclock.open(self.args.data_dir)

    def data_dir(self) -> Path:
        from desktop.core.paths import default_data_dir

        return (self.args.data_dir or default_data_dir()).expanduser()

    def now(self) -> datetime:
        """The core's clock when it is open, else the wall clock (the same one)."""
        if "app" in self.__dict__:
            return self.app.clock()
        from desktop.core.timeutil import utcnow

        return utcnow()

    def close(self) -> None:
        """Close the core if this context opened it."""
        app = self.__dict__.pop("app", None)
        if app is not None and self._owns_app:
            app.close()

    def logged_in_to(self) -> str | None:
        """The server this data folder is logged in to, or None (local only)."""
        from sync.client.status import read_status

        return read_status(self.app.db).server_url

    def check_standalone(self) -> None:
        """``--as`` is for standalone mode: refused once the folder is logged in."""
        from desktop.core.errors import Forbidden

        url = self.logged_in_to()
        if url:
            raise Forbidden(
                f"--as works only on a local-only device; this one is logged in to {url}"
            )

    def me(self) -> dto.User:
        return self.app.directory.user(self.actor_id)

    def today(self, me: dto.User | None = None) -> date:
        from desktop.core.timeutil import work_date

        return work_date(self.app.clock(), (me or self.me()).timezone)

    def at(self, text: str | None, me: dto.User) -> datetime | None:
        """``--at 09:15`` (or ISO 8601) in the user's zone; None = now."""
        from desktop.core.timeutil import parse_at

        return parse_at(text, me.timezone, self.app.clock()) if text else None

    def week(self) -> date:
        """The first day of ``--week`` (a week or a date), default this week."""
        from desktop.core.timeutil import parse_week, week_start

        me = self.me()
        text = getattr(self.args, "week", None)
        if text:
            return parse_week(text, me.first_weekday)
        return week_start(self.today(me), me.first_weekday)


# ---------------------------------------------------------- shared arguments


def target_args(
    c: argparse.ArgumentParser, customer_required: bool = False, clearable: bool = False
) -> None:
    """``--customer``, ``--project``, ``--task``; ``clearable``: "-" removes
    the project or task (``edit``)."""
    clear = '; "-" removes it' if clearable else ""
    c.add_argument("--customer", required=customer_required, help="customer name or id")
    c.add_argument("--project", help=f"project name or id (of that customer){clear}")
    c.add_argument("--task", metavar="TASK|REF", help=f"task title, id or ticket number{clear}")


def billable_args(c: argparse.ArgumentParser) -> None:
    g = c.add_mutually_exclusive_group()
    g.add_argument("--billable", dest="billable", action="store_true", default=None,
                   help="bill it (default: the task's, project's or customer's default)")
    g.add_argument("--non-billable", dest="billable", action="store_false",
                   help="don't bill it")


def week_arg(c: argparse.ArgumentParser, required: bool = False) -> None:
    c.add_argument("--week", required=required, help="2026-W48 or a date (default this week)")


def optional_hours(text: str | None) -> int | None:
    from desktop.core.durations import parse_duration

    return None if text is None else parse_duration(text)


def period_args(c: argparse.ArgumentParser) -> None:
    """``--from D --to D``, or one of ``--week 2026-W48``, ``--month 2026-11``,
    ``--quarter 2026-Q4``."""
    c.add_argument("--from", dest="from_", metavar="DATE", help="first day (with --to)")
    c.add_argument("--to", metavar="DATE", help="last day (with --from)")
    c.add_argument("--week", help="2026-W48 or a date in the week")
    c.add_argument("--month", help="2026-11")
    c.add_argument("--quarter", help="2026-Q4")


def period(cli: Cli) -> tuple[date, date]:
    """The period the ``period_args`` name (a usage error when none or two are given)."""
    from datetime import timedelta

    from desktop.core.timeutil import month_bounds, parse_date, parse_week, quarter_bounds

    a = cli.args
    given = [n for n in ("week", "month", "quarter") if getattr(a, n, None)]
    ranged = a.from_ is not None or a.to is not None
    if len(given) + ranged != 1:
        raise UsageError("punchclock: give the period: --from D --to D, --week, --month, --quarter")
    if ranged:
        if a.from_ is None or a.to is None:
            raise UsageError("punchclock: --from and --to go together")
        today = cli.today()
        return parse_date(a.from_, today), parse_date(a.to, today)
    if a.week:
        start = parse_week(a.week, cli.me().first_weekday)
        return start, start + timedelta(days=6)
    return month_bounds(a.month) if a.month else quarter_bounds(a.quarter)


def no_gui_reason() -> str | None:
    """Why no window can open here, or None when one can."""
    import os
    import sys

    if os.environ.get("QT_QPA_PLATFORM"):
        return None
    if sys.platform.startswith(("linux", "freebsd", "openbsd")) and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    ):
        return "no graphical session: DISPLAY is not set"
    return None


def start_app(
    data_dir: Path | None, window: str | None = None, serve_cli: ServeCli | None = None
) -> tuple[int | None, str]:
    """Run the tray app (opening ``window``, see :func:`desktop.ui.main.run`;
    answering handed-over commands with ``serve_cli``) and return its exit
    code — or (None, why) where no window can open."""
    reason = no_gui_reason()
    if reason is None:
        try:
            from desktop.ui.main import run
        except ImportError as exc:
            reason = f"Qt can't load: {exc}"
        else:
            return int(run(data_dir, window=window, serve_cli=serve_cli)), ""
    return None, reason


def open_window(cli: Cli, request: str, instead: str) -> None:
    """Open a window of the tray app — the running app's, through its
    single-instance socket, or start the app with it open (this call then
    lasts as long as the app). ``instead`` names the command-line twin to use
    where no window can open."""
    from desktop.core.errors import PunchclockError

    cli.close()  # the app opens its own
    code, reason = start_app(cli.args.data_dir, request, cli.serve_cli)
    if code is None:
        raise PunchclockError(f"no window here ({reason}); use `punchclock {instead}`")
    if code != 0:
        raise PunchclockError("the Punchclock app could not open the window")
