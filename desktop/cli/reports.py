"""Reports: ``report utilization|profitability|timeliness|overdue|deadline``
and the day's ``timeline`` (the numbers of
:class:`desktop.core.services.reports.ReportsService`, printed)."""

from __future__ import annotations

from pathlib import Path

from desktop.cli import report_output as out
from desktop.cli.base import Cli, CommandParser, Commands, period, period_args

TITLE = "Reports"
WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def add_parsers(commands: Commands) -> None:
    c = commands.add("report", "utilization, profitability, timeliness, overdue weeks", cmd_report)
    sub = c.add_subparsers(dest="report", required=True, parser_class=CommandParser)
    a = sub.add_parser("utilization", description="billable ÷ available, with targets and flags")
    period_args(a)
    a.add_argument("--by", choices=["technician", "team", "company"], default="technician",
                   help="one row per technician (default), team, or the company")
    a.add_argument("--basis", choices=["logged", "approved"], default="logged",
                   help="all logged time (default) or approved weeks only")
    a.add_argument("--trend", choices=["week", "month"], help="the figures per week or month")
    a.add_argument("--team", help="only this team")
    a = sub.add_parser("profitability", description="value, cost, margin, realization, budgets")
    period_args(a)
    a.add_argument("--by", choices=["customer", "project", "technician"], default="customer",
                   help="one row per customer (default), project or technician")
    a.add_argument("--include-submitted", action="store_true", help="submitted weeks too")
    a.add_argument("--team", help="only this team")
    a = sub.add_parser("timeliness", description="same-day logging and on-time submission")
    period_args(a)
    a.add_argument("--team", help="only this team")
    a.add_argument("--user", action="append", metavar="EMAIL", help="only this user (repeatable)")
    a = sub.add_parser("overdue", description="weeks past the submission deadline")
    a.add_argument("--team", help="only this team")
    a.add_argument("--weeks", type=int, default=8, help="how many weeks back (default 8)")
    a = sub.add_parser("deadline", description="the timesheet submission deadline")
    a.add_argument("--weekday", choices=WEEKDAYS, help="set: the weekday after the week")
    a.add_argument("--time", metavar="HH:MM", help="set: the local time that day")

    c = commands.add("timeline", "a day of one or more people, hour by hour", cmd_timeline)
    c.add_argument("--date", default="today", help="the day: today, yesterday, 2026-11-25")
    c.add_argument(
        "--png", type=Path, metavar="FILE", help="draw the day as the Timeline window does"
    )
    g = c.add_mutually_exclusive_group()
    g.add_argument("--user", action="append", metavar="EMAIL", help="this person (repeatable)")
    g.add_argument("--team", help="everyone in this team")


def cmd_report(cli: Cli) -> None:
    a = cli.args
    me = cli.me()
    reports = cli.app.reports
    if a.report == "utilization":
        start, end = period(cli)
        if a.trend:
            trend = reports.utilization_trend(
                start, end, step=a.trend, by=a.by, basis=a.basis, team=a.team, actor_id=me.id
            )
            cli.out.emit(out.TREND(trend), lambda: out.trend_text(trend))
            return
        r = reports.utilization(start, end, by=a.by, basis=a.basis, team=a.team, actor_id=me.id)
        cli.out.emit(out.UTILIZATION(r), lambda: out.utilization_text(r))
    elif a.report == "profitability":
        start, end = period(cli)
        p = reports.profitability(
            start, end, by=a.by, include_submitted=a.include_submitted, team=a.team, actor_id=me.id
        )
        cli.out.emit(out.PROFITABILITY(p), lambda: out.profitability_text(p))
    elif a.report == "timeliness":
        start, end = period(cli)
        t = reports.timeliness(start, end, team=a.team, user_refs=a.user, actor_id=me.id)
        cli.out.emit(out.TIMELINESS(t), lambda: out.timeliness_text(t))
    elif a.report == "overdue":
        weeks = reports.overdue(me.id, team=a.team, weeks=a.weeks)
        cli.out.emit(out.OVERDUE.many(weeks), lambda: out.overdue_text(weeks))
    else:
        _deadline(cli)


def _deadline(cli: Cli) -> None:
    from desktop.cli.base import UsageError
    from desktop.core.timeutil import parse_clock_time

    a = cli.args
    if (a.weekday is None) != (a.time is None):
        raise UsageError("punchclock: set the deadline with both --weekday and --time")
    if a.weekday is not None:
        weekday, at = cli.app.company.set_submission_deadline(
            cli.me().id, weekday=WEEKDAYS.index(a.weekday), at=parse_clock_time(a.time)
        )
    else:
        weekday, at = cli.app.company.submission_deadline()
    shown = {"weekday": WEEKDAYS[weekday], "time": at.strftime("%H:%M")}
    cli.out.emit(
        shown, f"timesheets are due {shown['weekday']} {shown['time']} after the week ends"
    )


def cmd_timeline(cli: Cli) -> None:
    from desktop.core.timeutil import parse_date

    a = cli.args
    me = cli.me()
    day = parse_date(a.date, cli.today(me))
    if a.png:
        # Qt only for this option: the rest of the CLI never loads it.
        from desktop.ui.windows.timeline.render import render_png

        path = render_png(cli.app, day, a.png, actor_id=me.id, team=a.team, user_refs=a.user)
        cli.out.emit({"png": str(path), "date": day.isoformat()}, f"wrote {path}")
        return
    days = cli.app.reports.timeline(day, a.user, team=a.team, actor_id=me.id)
    cli.out.emit(out.TIMELINE_DAY.many(days), lambda: f"{day}\n" + out.timeline_text(days))
