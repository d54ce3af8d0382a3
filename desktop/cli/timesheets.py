"""The week and its approval: ``week`` (and ``week set``), ``submit``,
``recall``, ``approvals``, ``approve``, ``reject``, ``return``, ``reopen`` and
``history``. The global ``--as EMAIL`` picks the acting user; ``--user EMAIL``
names the technician acted upon."""

from __future__ import annotations

import argparse
from datetime import date, timedelta

from desktop.cli import output
from desktop.cli.base import Cli, CommandParser, Commands, UsageError, open_window, week_arg
from desktop.core import dto

TITLE = "Timesheets and approvals"
STATUSES = ["submitted", "approved", "rejected", "returned", "draft", "all"]


def add_parsers(commands: Commands) -> None:
    c = commands.add("week", "the week's timesheet grid", cmd_week)
    week_arg(c)
    c.add_argument("--user", metavar="EMAIL", help="someone else's week (managers, admins)")
    wsub = c.add_subparsers(dest="action", parser_class=CommandParser)
    a = wsub.add_parser("set", help="set one cell of the grid")
    # SUPPRESS: "week --week W set …" keeps W instead of resetting it to None
    a.add_argument("--week", default=argparse.SUPPRESS, help="2026-W48 or a date")
    a.add_argument(
        "--row",
        required=True,
        metavar="CUSTOMER/PROJECT/TASK",
        help='"ACME", "ACME/Server migration" or "ACME/Server migration/4521"',
    )
    a.add_argument("--day", required=True, help="mon … sun, or a date in the week")
    a.add_argument("--hours", required=True, help="2.5, 2:30, 150m; 0 clears the cell")
    a.add_argument("-d", "--description", default="", help="for a new entry")

    week_arg(commands.add("submit", "submit your week", cmd_submit))
    week_arg(commands.add("recall", "take a submitted week back", cmd_recall))

    c = commands.add("approvals", "weeks to review (managers, admins)", cmd_approvals)
    week_arg(c)
    c.add_argument("--status", default="submitted", choices=STATUSES,
                   help="which weeks (default submitted)")
    c.add_argument(
        "--window", action="store_true", help="open the Approvals window (the app's profile)"
    )
    c = commands.add(
        "timesheet", "open the Timesheet window (the running app's, or start it)", cmd_timesheet
    )
    week_arg(c)

    for name, text, extra, run in (
        ("approve", "approve a submitted week", None, cmd_approve),
        ("reject", "reject a submitted week", "--reason", cmd_reject),
        ("return", "return a submitted week for revision", "--note", cmd_return),
        ("reopen", "reopen an approved week (admins)", "--reason", cmd_reopen),
    ):
        c = commands.add(name, text, run)
        c.add_argument("--user", required=True, metavar="EMAIL", help="whose week")
        week_arg(c, required=True)
        if extra:
            c.add_argument(extra, required=True, help=f"the {extra[2:]} the technician reads")
        if name == "reject":
            c.add_argument(
                "--entry",
                action="append",
                default=[],
                metavar="ID=REASON",
                help="a reason for one entry (repeatable)",
            )

    c = commands.add("history", "the audit trail of a week", cmd_history)
    c.add_argument("--user", metavar="EMAIL", help="whose week (default yours)")
    week_arg(c)


def _hours(text: str) -> int:
    from desktop.core.durations import parse_cell_duration

    return parse_cell_duration(text)


def _day_index(cli: Cli, text: str, start: date) -> int:
    from desktop.core.errors import ValidationError
    from desktop.core.timeutil import parse_date

    key = text.strip().lower()
    last = start + timedelta(days=6)
    # a weekday name means that day of THIS week: the latest such day up to its end
    day = parse_date(text, cli.today() if key in ("today", "yesterday") else last)
    if not start <= day <= last:
        raise ValidationError(f"{day.isoformat()} is not in the week from {start.isoformat()}")
    return (day - start).days


def cmd_week(cli: Cli) -> None:
    a = cli.args
    if a.action == "set":
        parts = [p.strip() or None for p in a.row.split("/", 2)] + [None, None]
        start = cli.week()
        grid = cli.app.grid.set_cell(
            cli.me().id,
            start,
            customer=parts[0],
            project=parts[1],
            task=parts[2],
            day_index=_day_index(cli, a.day, start),
            duration_s=_hours(a.hours),
            description=a.description,
        )
    else:
        grid = cli.app.grid.week(cli.me().id, cli.week(), user=a.user)
    cli.out.emit(output.GRID(grid), lambda: output.grid_text(grid))


def _sheet_done(cli: Cli, sheet: dto.Sheet, verb: str) -> None:
    cli.out.emit(output.SHEET(sheet), output.sheet_line(sheet, verb))


def cmd_submit(cli: Cli) -> None:
    _sheet_done(cli, cli.app.timesheets.submit(cli.me().id, cli.week()), "submitted")


def cmd_recall(cli: Cli) -> None:
    _sheet_done(cli, cli.app.timesheets.recall(cli.me().id, cli.week()), "recalled")


def cmd_approve(cli: Cli) -> None:
    a = cli.args
    _sheet_done(cli, cli.app.timesheets.approve(cli.me().id, a.user, cli.week()), "approved")


def cmd_reject(cli: Cli) -> None:
    a = cli.args
    reasons: dict[str, str] = {}
    for item in a.entry:
        ref, sep, reason = item.partition("=")
        if not sep or not ref.strip():
            raise UsageError(f'punchclock reject: --entry wants ID=REASON, not "{item}"')
        reasons[ref.strip()] = reason
    sheet = cli.app.timesheets.reject(cli.me().id, a.user, cli.week(), a.reason, reasons)
    _sheet_done(cli, sheet, "rejected")


def cmd_return(cli: Cli) -> None:
    a = cli.args
    sheet = cli.app.timesheets.return_for_revision(cli.me().id, a.user, cli.week(), a.note)
    _sheet_done(cli, sheet, "returned")


def cmd_reopen(cli: Cli) -> None:
    a = cli.args
    sheet = cli.app.timesheets.reopen(cli.me().id, a.user, cli.week(), a.reason)
    _sheet_done(cli, sheet, "reopened")


def cmd_timesheet(cli: Cli) -> None:
    open_window(cli, f"timesheet {cli.week().isoformat()}", "week")


def cmd_approvals(cli: Cli) -> None:
    a = cli.args
    if a.window:
        open_window(cli, "approvals", "approvals")
        return
    rows = cli.app.timesheets.approvals(
        cli.me().id, day=cli.week() if a.week else None, status=a.status
    )
    cli.out.emit(
        output.APPROVAL.many(rows),
        lambda: output.lines(rows, output.approval_line, f"no {a.status} weeks"),
    )


def cmd_history(cli: Cli) -> None:
    a = cli.args
    events = cli.app.timesheets.history(cli.me().id, cli.week(), user=a.user)
    cli.out.emit(
        output.EVENT.many(events), lambda: output.lines(events, output.event_line, "no events yet")
    )
