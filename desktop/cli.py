"""``punchclock`` — the headless twin of every UI action, and the entry point.

With no command it starts the tray application. Every command calls the same
``desktop.core`` services as the windows. Global options:

``--data-dir DIR``  the folder holding the database (else ``$PUNCHCLOCK_HOME``,
                    else the platform's user data folder)
``--as EMAIL``      act as another local user (standalone mode)
``--json``          machine-readable output on stdout (shapes in the README)

Errors are one line on stderr and a non-zero exit (1 refused, 2 usage); the
database is left as it was.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, NoReturn

from desktop.core import dto
from desktop.core.errors import NoProfile, PunchclockError

EXIT_REFUSED = 1
EXIT_USAGE = 2


class UsageError(Exception):
    pass


class Parser(argparse.ArgumentParser):
    """argparse that reports a usage mistake as one line (no usage dump)."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message} (see --help)")


# ------------------------------------------------------------------- output


def _iso(value: datetime | date | None) -> str | None:
    return None if value is None else value.isoformat()


def entry_json(e: dto.Entry) -> dict[str, Any]:
    return {
        "id": e.id,
        "user": e.user,
        "customer": e.customer,
        "project": e.project,
        "task": e.task,
        "task_ref": e.task_ref,
        "work_date": e.work_date.isoformat(),
        "started_at": _iso(e.started_at),
        "ended_at": _iso(e.ended_at),
        "duration_s": e.duration_s,
        "description": e.description,
        "billable": e.billable,
        "source": e.source,
        "rejection_reason": e.rejection_reason,
    }


class Out:
    def __init__(self, as_json: bool) -> None:
        self.as_json = as_json

    def emit(self, data: Any, text: str | Callable[[], str]) -> None:
        if self.as_json:
            print(json.dumps(data, ensure_ascii=False, indent=None, default=str))
        else:
            print(text() if callable(text) else text)

    def warn(self, lines: Sequence[str]) -> None:
        for line in lines:
            print(f"warning: {line}", file=sys.stderr)


def _hm(seconds: int) -> str:
    from desktop.core.durations import format_duration

    return format_duration(seconds)


def _local(at: datetime | None, tz: str) -> str:
    from desktop.core.timeutil import zone

    return at.astimezone(zone(tz)).strftime("%H:%M") if at else "--:--"


def entry_line(e: dto.Entry, tz: str, now: datetime) -> str:
    span = f"{_local(e.started_at, tz)}–{_local(e.ended_at, tz)}" if e.started_at else "           "
    if e.running:
        span = f"{_local(e.started_at, tz)}–now  "
    flag = "$" if e.billable else " "
    note = f"  [rejected: {e.rejection_reason}]" if e.rejection_reason else ""
    return (
        f"{e.id[:8]}  {e.work_date.isoformat()}  {span}  {_hm(e.elapsed_s(now)):>6} {flag} "
        f"{e.path}  {e.description}{note}"
    )


# ------------------------------------------------------------------ parsing


def build_parser() -> Parser:
    p = Parser(prog="punchclock", description="Punchclock time tracker (tray app and CLI).")
    p.add_argument("--data-dir", type=Path, help="folder holding the database")
    p.add_argument("--as", dest="as_user", metavar="EMAIL", help="act as another local user")
    p.add_argument("--json", action="store_true", help="machine-readable output on stdout")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)

    c = sub.add_parser("start", help="start (or switch) the timer")
    _target_args(c)
    c.add_argument("-d", "--description", default="")
    _billable_args(c)
    c.add_argument("--at", help="start time: 09:15 or ISO 8601 (default now)")

    c = sub.add_parser("stop", help="stop the running timer")
    c.add_argument("--at", help="stop time: 17:30 or ISO 8601 (default now)")

    sub.add_parser("status", help="the running timer and today's total")

    c = sub.add_parser("log", help="log time by hand")
    c.add_argument("--date", default="today", help="2026-11-25, today, yesterday, mon…")
    c.add_argument("--hours", help="1.5, 1,5, 1:30, 90m, 1h30m")
    c.add_argument("--from", dest="from_", metavar="HH:MM")
    c.add_argument("--to", metavar="HH:MM")
    _target_args(c, customer_required=False)
    c.add_argument("-d", "--description", required=True)
    _billable_args(c)

    c = sub.add_parser("entries", help="list entries")
    c.add_argument("--week", help="2026-W48 (default this week)")
    c.add_argument("--from", dest="from_", metavar="DATE")
    c.add_argument("--to", metavar="DATE")
    c.add_argument("--all-users", action="store_true", help="everyone you may see")

    c = sub.add_parser("edit", help="change an entry")
    c.add_argument("id")
    c.add_argument("--date")
    c.add_argument("--hours")
    c.add_argument("--from", dest="from_", metavar="HH:MM")
    c.add_argument("--to", metavar="HH:MM")
    _target_args(c, customer_required=False)
    c.add_argument("-d", "--description")
    _billable_args(c)

    c = sub.add_parser("delete", help="delete an entry")
    c.add_argument("id")

    c = sub.add_parser("demo", help="fill the database with a realistic demo MSP")
    c.add_argument("--technicians", type=int, default=6)
    c.add_argument("--weeks", type=int, default=6)
    c.add_argument("--seed", type=int, default=1)

    from desktop import cli_directory, cli_sheets, cli_sync

    cli_directory.add_parsers(sub)
    cli_sheets.add_parsers(sub)
    cli_sync.add_parsers(sub)
    return p


def _target_args(c: argparse.ArgumentParser, customer_required: bool = False) -> None:
    c.add_argument("--customer", required=customer_required)
    c.add_argument("--project")
    c.add_argument("--task", metavar="TASK|REF", help="task title, id or ticket number")


def _billable_args(c: argparse.ArgumentParser) -> None:
    g = c.add_mutually_exclusive_group()
    g.add_argument("--billable", dest="billable", action="store_true", default=None)
    g.add_argument("--non-billable", dest="billable", action="store_false")


# ----------------------------------------------------------------- commands


class Cli:
    def __init__(self, args: argparse.Namespace) -> None:
        from desktop.core.app import Punchclock

        self.args = args
        self.out = Out(args.json)
        self.app = Punchclock.open(args.data_dir)
        self.actor_id: str | None = None
        if args.as_user:
            from desktop.cli_sync import check_standalone

            check_standalone(self)
            self.actor_id = self.app.directory.user(args.as_user).id

    def me(self) -> dto.User:
        return self.app.directory.user(self.actor_id)

    def today(self, me: dto.User) -> date:
        from desktop.core.timeutil import work_date

        return work_date(self.app.clock(), me.timezone)

    # -- tracking
    def _at(self, text: str | None, me: dto.User) -> datetime | None:
        from desktop.core.timeutil import parse_at

        return parse_at(text, me.timezone, self.app.clock()) if text else None

    def _saved(self, saved: dto.SavedEntry, verb: str, me: dto.User) -> None:
        now = self.app.clock()
        self.out.warn(list(saved.warnings))
        text = f"{verb}: {entry_line(saved.entry, me.timezone, now)}"
        if saved.stopped is not None:
            text = f"stopped: {entry_line(saved.stopped, me.timezone, now)}\n{text}"
        self.out.emit(entry_json(saved.entry), text)

    def cmd_start(self) -> None:
        a, me = self.args, self.me()
        saved = self.app.tracking.start(
            me.id,
            customer=a.customer,
            project=a.project,
            task=a.task,
            description=a.description,
            billable=a.billable,
            at=self._at(a.at, me),
        )
        self._saved(saved, "started", me)

    def cmd_stop(self) -> None:
        me = self.me()
        self._saved(self.app.tracking.stop(me.id, at=self._at(self.args.at, me)), "stopped", me)

    def cmd_status(self) -> None:
        me = self.me()
        now = self.app.clock()
        running = self.app.tracking.running(me.id)
        today = self.app.tracking.day_total_s(me.id, self.today(me))
        elapsed = running.elapsed_s(now) if running else 0
        data = {
            "running": running is not None,
            "entry": entry_json(running) if running else None,
            "elapsed_s": elapsed,
            "today_s": today,
        }
        if running:
            text = (
                f"running: {running.path} — {_hm(elapsed)} since "
                f"{_local(running.started_at, me.timezone)}"
                f"{f' — {running.description}' if running.description else ''}"
                f"\ntoday: {_hm(today)}"
            )
        else:
            text = f"no timer running\ntoday: {_hm(today)}"
        self.out.emit(data, text)

    def cmd_log(self) -> None:
        from desktop.core.durations import parse_duration
        from desktop.core.timeutil import parse_clock_time, parse_date

        a, me = self.args, self.me()
        if a.hours is not None and (a.from_ or a.to):
            raise UsageError("punchclock log: give --hours or --from/--to, not both")
        if a.hours is None and not (a.from_ and a.to):
            raise UsageError("punchclock log: give --hours, or both --from and --to")
        if not (a.customer or a.project or a.task):
            raise UsageError("punchclock log: give --customer (or --project / --task)")
        saved = self.app.tracking.log(
            me.id,
            day=parse_date(a.date, self.today(me)),
            customer=a.customer,
            project=a.project,
            task=a.task,
            duration_s=parse_duration(a.hours) if a.hours is not None else None,
            start=parse_clock_time(a.from_) if a.from_ else None,
            end=parse_clock_time(a.to) if a.to else None,
            description=a.description,
            billable=a.billable,
        )
        self._saved(saved, "logged", me)

    def cmd_edit(self) -> None:
        from desktop.core.durations import parse_duration
        from desktop.core.services.entries import UNSET
        from desktop.core.timeutil import parse_clock_time, parse_date

        a, me = self.args, self.me()
        changes: dict[str, Any] = {}
        if a.date is not None:
            changes["day"] = parse_date(a.date, self.today(me))
        if a.hours is not None:
            changes["duration_s"] = parse_duration(a.hours)
        if a.from_ is not None:
            changes["start"] = parse_clock_time(a.from_)
        if a.to is not None:
            changes["end"] = parse_clock_time(a.to)
        for key in ("customer", "project", "task", "description", "billable"):
            value = getattr(a, key)
            if value is not None:
                changes[key] = "" if value == "-" and key in ("project", "task") else value
        for key in ("project", "task"):
            if changes.get(key) == "":
                changes[key] = None
        if not changes:
            raise UsageError("punchclock edit: nothing to change (see --help)")
        saved = self.app.tracking.edit(me.id, a.id, **{k: changes.get(k, UNSET) for k in changes})
        self._saved(saved, "changed", me)

    def cmd_delete(self) -> None:
        me = self.me()
        e = self.app.tracking.delete(me.id, self.args.id)
        self.out.emit(entry_json(e), f"deleted: {entry_line(e, me.timezone, self.app.clock())}")

    def cmd_entries(self) -> None:
        from desktop.core.timeutil import parse_date, parse_week, week_start

        a, me = self.args, self.me()
        today = self.today(me)
        if a.week and (a.from_ or a.to):
            raise UsageError("punchclock entries: give --week or --from/--to, not both")
        if a.from_ or a.to:
            start = parse_date(a.from_, today) if a.from_ else date.min
            end = parse_date(a.to, today) if a.to else date.max
        else:
            start = (
                parse_week(a.week, me.first_weekday)
                if a.week
                else week_start(today, me.first_weekday)
            )
            end = start + timedelta(days=6)
        rows = self.app.tracking.entries(me.id, start=start, end=end, all_users=a.all_users)
        now = self.app.clock()

        def text() -> str:
            if not rows:
                return "no entries"
            lines = [entry_line(e, me.timezone, now) for e in rows]
            total = sum(e.elapsed_s(now) for e in rows)
            billable = sum(e.elapsed_s(now) for e in rows if e.billable)
            lines.append(f"total {_hm(total)}  billable {_hm(billable)}")
            return "\n".join(lines)

        from desktop.cli_sheets import entries_json

        self.out.emit(entries_json(self, rows), text)

    def cmd_demo(self) -> None:
        from desktop.core.demo import load_demo

        a = self.args
        summary = load_demo(self.app, technicians=a.technicians, weeks=a.weeks, seed=a.seed)
        self.out.emit(
            summary,
            lambda: "demo company loaded: " + ", ".join(f"{v} {k}" for k, v in summary.items()),
        )


# --------------------------------------------------------------------- main


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            return _run_app(args)
        cli = Cli(args)
        try:
            handler = getattr(cli, f"cmd_{args.command}", None)
            if handler is None:
                from desktop import cli_directory, cli_sheets, cli_sync

                commands = {
                    **cli_directory.COMMANDS,
                    **cli_sheets.COMMANDS,
                    **cli_sync.COMMANDS,
                }
                commands[args.command](cli)
            else:
                handler()
        finally:
            cli.app.close()
        return 0
    except UsageError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_USAGE
    except PunchclockError as exc:
        print(f"punchclock: {exc.message}", file=sys.stderr)
        for problem in exc.problems:
            where = f"{problem.entry_id[:8]}: " if problem.entry_id else ""
            print(f"  {where}{problem.message}", file=sys.stderr)
        return EXIT_REFUSED
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `punchclock entries | head`: the reader left; say nothing more.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


def _run_app(args: argparse.Namespace) -> int:
    """No command: the tray application. Where it can't run (no graphical
    session, or Qt can't load), say why in one line and show the status instead
    — Qt would otherwise abort the process."""
    reason = _no_gui_reason()
    if reason is None:
        try:
            from desktop.ui.main import run
        except ImportError as exc:
            reason = f"Qt can't load: {exc}"
        else:
            return int(run(args.data_dir))
    print(f"punchclock: no tray app here ({reason}); showing the status", file=sys.stderr)
    args.command = "status"
    cli = Cli(args)
    try:
        cli.cmd_status()
    except NoProfile as exc:  # a first run on a headless machine is not an error
        print(f"punchclock: {exc.message}", file=sys.stderr)
    finally:
        cli.app.close()
    return 0


def _no_gui_reason() -> str | None:
    """Why no window can open, or None when one can."""
    if os.environ.get("QT_QPA_PLATFORM"):
        return None
    if sys.platform.startswith(("linux", "freebsd", "openbsd")) and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    ):
        return "no graphical session: DISPLAY is not set"
    return None
