"""The timer and entries: ``start``, ``stop``, ``status``, ``log``, ``entries``,
``edit``, ``delete``, and ``demo`` (a realistic demo MSP)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from desktop.cli import output, statusline
from desktop.cli.base import Cli, Commands, UsageError, billable_args, target_args
from desktop.core import dto

TITLE = "Timer and entries"


def add_parsers(commands: Commands) -> None:
    c = commands.add("start", "start (or switch) the timer", cmd_start)
    target_args(c)
    c.add_argument("-d", "--description", default="", help="what you are working on")
    billable_args(c)
    c.add_argument("--at", help="start time: 09:15 or ISO 8601 (default now)")

    c = commands.add("stop", "stop the running timer", cmd_stop)
    c.add_argument("--at", help="stop time: 17:30 or ISO 8601 (default now)")

    c = commands.add("status", "the running timer and today's total", cmd_status)
    c.add_argument(
        "--format",
        metavar="TEMPLATE",
        help="one line for a status bar, e.g. '{customer} {task} {elapsed}'; fields: "
        + ", ".join(statusline.STATUS_FIELDS),
    )

    c = commands.add("log", "log time by hand", cmd_log)
    c.add_argument("--date", default="today", help="2026-11-25, today, yesterday, mon…")
    c.add_argument("--hours", help="1.5, 1,5, 1:30, 90m, 1h30m")
    c.add_argument("--from", dest="from_", metavar="HH:MM", help="start time (with --to)")
    c.add_argument("--to", metavar="HH:MM", help="end time (with --from)")
    target_args(c, customer_required=False)
    c.add_argument(
        "-d", "--description", default="",
        help="what was done (billable time needs one; short or vague ones warn)",
    )
    billable_args(c)

    c = commands.add("entries", "list entries", cmd_entries)
    c.add_argument("--week", help="2026-W48 (default this week)")
    c.add_argument("--from", dest="from_", metavar="DATE", help="first day")
    c.add_argument("--to", metavar="DATE", help="last day")
    who = c.add_mutually_exclusive_group()
    who.add_argument("--all-users", action="store_true", help="everyone you may see")
    who.add_argument("--user", metavar="EMAIL",
                     help="one person's entries (yours, your team's, or anyone's for admins)")

    c = commands.add("edit", "change an entry", cmd_edit)
    c.add_argument("id", help="the entry's id (the first 8 characters are enough)")
    c.add_argument("--date", help="move it to this day: 2026-11-25, yesterday, mon…")
    c.add_argument("--hours", help="new duration: 1.5, 1:30, 90m")
    c.add_argument("--from", dest="from_", metavar="HH:MM", help="new start time")
    c.add_argument("--to", metavar="HH:MM", help="new end time")
    target_args(c, clearable=True)
    c.add_argument("-d", "--description", help="new description")
    billable_args(c)

    c = commands.add("delete", "delete an entry", cmd_delete)
    c.add_argument("id", help="the entry's id (the first 8 characters are enough)")

    c = commands.add("demo", "fill the database with a realistic demo MSP", cmd_demo)
    c.add_argument("--technicians", type=int, default=6,
                   help="how many technicians to invent (default 6)")
    c.add_argument("--weeks", type=int, default=6,
                   help="how many weeks of time to log, up to today (default 6)")
    c.add_argument("--seed", type=int, default=1,
                   help="random seed; the same seed gives the same company (default 1)")


def _saved(cli: Cli, saved: dto.SavedEntry, verb: str, me: dto.User) -> None:
    cli.out.warn(list(saved.warnings))
    text = output.saved_text(saved, verb, me.timezone, cli.app.clock())
    cli.out.emit(output.ENTRY(saved.entry), text)


def cmd_start(cli: Cli) -> None:
    a, me = cli.args, cli.me()
    saved = cli.app.tracking.start(
        me.id,
        customer=a.customer,
        project=a.project,
        task=a.task,
        description=a.description,
        billable=a.billable,
        at=cli.at(a.at, me),
    )
    _saved(cli, saved, "started", me)


def cmd_stop(cli: Cli) -> None:
    me = cli.me()
    _saved(cli, cli.app.tracking.stop(me.id, at=cli.at(cli.args.at, me)), "stopped", me)


def cmd_status(cli: Cli) -> None:
    """The plain case (the profile's own timer on a current store) is read
    without the ORM (:mod:`desktop.core.quickread`); everything else — ``--as``,
    a store to migrate, no profile yet — through the tracking service."""
    from desktop.core.quickread import timer_status

    template = getattr(cli.args, "format", None)  # absent when the tray falls back here
    if template is not None:
        if cli.args.json:
            raise UsageError("punchclock status: give --format or --json, not both")
        problem = statusline.status_format_error(template)
        if problem:
            raise UsageError(f"punchclock status: {problem}")
    quick = None if cli.args.as_user else timer_status(cli.data_dir(), cli.now())
    status, tz = (quick.status, quick.timezone) if quick is not None else full_status(cli)
    statusline.show_status(cli.out, template, status, tz)


def full_status(cli: Cli) -> tuple[dto.TimerStatus, str]:
    """The timer's state through the tracking service, and the zone to show it in."""
    me = cli.me()
    running = cli.app.tracking.running(me.id)
    elapsed = running.elapsed_s(cli.app.clock()) if running else 0
    status = dto.TimerStatus(
        running=running,
        elapsed_s=elapsed,
        today_s=cli.app.tracking.day_total_s(me.id, cli.today(me)),
    )
    return status, me.timezone


def cmd_log(cli: Cli) -> None:
    from desktop.core.durations import parse_duration
    from desktop.core.timeutil import parse_clock_time, parse_date

    a, me = cli.args, cli.me()
    if a.hours is not None and (a.from_ or a.to):
        raise UsageError("punchclock log: give --hours or --from/--to, not both")
    if a.hours is None and not (a.from_ and a.to):
        raise UsageError("punchclock log: give --hours, or both --from and --to")
    if not (a.customer or a.project or a.task):
        raise UsageError("punchclock log: give --customer (or --project / --task)")
    saved = cli.app.tracking.log(
        me.id,
        day=parse_date(a.date, cli.today(me)),
        customer=a.customer,
        project=a.project,
        task=a.task,
        duration_s=parse_duration(a.hours) if a.hours is not None else None,
        start=parse_clock_time(a.from_) if a.from_ else None,
        end=parse_clock_time(a.to) if a.to else None,
        description=a.description,
        billable=a.billable,
    )
    _saved(cli, saved, "logged", me)


def cmd_edit(cli: Cli) -> None:
    from desktop.core.durations import parse_duration
    from desktop.core.services.entries import UNSET
    from desktop.core.timeutil import parse_clock_time, parse_date

    a, me = cli.args, cli.me()
    changes: dict[str, Any] = {}
    if a.date is not None:
        changes["day"] = parse_date(a.date, cli.today(me))
    if a.hours is not None:
        changes["duration_s"] = parse_duration(a.hours)
    if a.from_ is not None:
        changes["start"] = parse_clock_time(a.from_)
    if a.to is not None:
        changes["end"] = parse_clock_time(a.to)
    for key in ("customer", "project", "task", "description", "billable"):
        value = getattr(a, key)
        if value is not None:
            # "-" clears the project or task
            changes[key] = None if value == "-" and key in ("project", "task") else value
    if not changes:
        raise UsageError("punchclock edit: nothing to change (see --help)")
    saved = cli.app.tracking.edit(me.id, a.id, **{k: changes.get(k, UNSET) for k in changes})
    _saved(cli, saved, "changed", me)


def cmd_delete(cli: Cli) -> None:
    me = cli.me()
    e = cli.app.tracking.delete(me.id, cli.args.id)
    cli.out.emit(
        output.ENTRY(e), f"deleted: {output.entry_line(e, me.timezone, cli.app.clock())}"
    )


def cmd_entries(cli: Cli) -> None:
    from desktop.core import permissions
    from desktop.core.timeutil import parse_date, parse_week, week_start

    a, me = cli.args, cli.me()
    today = cli.today(me)
    if a.week and (a.from_ or a.to):
        raise UsageError("punchclock entries: give --week or --from/--to, not both")
    if a.from_ or a.to:
        start = parse_date(a.from_, today) if a.from_ else date.min
        end = parse_date(a.to, today) if a.to else date.max
    else:
        start = (
            parse_week(a.week, me.first_weekday) if a.week else week_start(today, me.first_weekday)
        )
        end = start + timedelta(days=6)
    rows = cli.app.tracking.entries(
        me.id, start=start, end=end, all_users=a.all_users, owner=a.user
    )
    now = cli.app.clock()
    data = output.entries_json(
        rows, cli.app.rates.money(me.id, rows), permissions.can_see_cost(me)
    )
    cli.out.emit(data, lambda: output.entries_text(rows, me.timezone, now))


def cmd_demo(cli: Cli) -> None:
    from desktop.core.demo import load_demo

    a = cli.args
    summary = load_demo(cli.app, technicians=a.technicians, weeks=a.weeks, seed=a.seed)
    cli.out.emit(
        summary,
        lambda: "demo company loaded: " + ", ".join(f"{v} {k}" for k, v in summary.items()),
    )
