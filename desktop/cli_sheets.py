"""CLI twins of the timesheet, approval, rate and policy actions.

``add_parsers`` adds the commands to ``punchclock``'s parser; ``COMMANDS`` maps
each command to the function that runs it. They call the same services as the
windows (``desktop.core.services.grid``, ``timesheets``, ``rates``, ``company``).
The global ``--as EMAIL`` picks the acting user; ``--user EMAIL`` names the
technician acted upon. JSON shapes are documented in the README.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from desktop.cli import Cli, UsageError, _hm, _iso, entry_json
from desktop.cli_directory import user_json
from desktop.core import dto
from desktop.core.money import format_amount, parse_amount, round_minor

STATUSES = ["submitted", "approved", "rejected", "returned", "draft", "all"]


# ------------------------------------------------------------------ parsing


def add_parsers(sub: Any) -> None:
    """Add the timesheet, approval, rate, holiday, time-off and policy commands."""
    c = sub.add_parser("week", help="the week's timesheet grid")
    _week_arg(c)
    c.add_argument("--user", metavar="EMAIL", help="someone else's week (managers, admins)")
    wsub = c.add_subparsers(dest="action", parser_class=type(c))
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

    for name, text in (("submit", "submit your week"), ("recall", "take a submitted week back")):
        _week_arg(sub.add_parser(name, help=text))

    c = sub.add_parser("approvals", help="weeks to review (managers, admins)")
    _week_arg(c)
    c.add_argument("--status", default="submitted", choices=STATUSES)

    for name, text, extra in (
        ("approve", "approve a submitted week", None),
        ("reject", "reject a submitted week", "--reason"),
        ("return", "return a submitted week for revision", "--note"),
        ("reopen", "reopen an approved week (admins)", "--reason"),
    ):
        c = sub.add_parser(name, help=text)
        c.add_argument("--user", required=True, metavar="EMAIL")
        _week_arg(c, required=True)
        if extra:
            c.add_argument(extra, required=True)
        if name == "reject":
            c.add_argument(
                "--entry",
                action="append",
                default=[],
                metavar="ID=REASON",
                help="a reason for one entry (repeatable)",
            )

    c = sub.add_parser("history", help="the audit trail of a week")
    c.add_argument("--user", metavar="EMAIL")
    _week_arg(c)

    c = sub.add_parser("rate", help="billing and cost rates")
    rsub = c.add_subparsers(dest="action", required=True, parser_class=type(c))
    a = rsub.add_parser("set")
    a.add_argument("email")
    g = a.add_mutually_exclusive_group(required=True)
    g.add_argument("--billing", metavar="AMOUNT")
    g.add_argument("--cost", metavar="AMOUNT")
    a.add_argument("--from", dest="from_", metavar="DATE", help="effective from (default today)")
    a.add_argument("--customer")
    a.add_argument("--project")
    a = rsub.add_parser("list")
    a.add_argument("email", nargs="?")

    c = sub.add_parser("holiday", help="company holidays")
    hsub = c.add_subparsers(dest="action", required=True, parser_class=type(c))
    a = hsub.add_parser("add")
    a.add_argument("date")
    a.add_argument("--hours", help="default: the whole scheduled day")
    a.add_argument("--name", default="")
    a = hsub.add_parser("list")
    a.add_argument("--year", type=int)

    c = sub.add_parser("timeoff", help="time off of one user")
    tsub = c.add_subparsers(dest="action", required=True, parser_class=type(c))
    a = tsub.add_parser("add")
    a.add_argument("email")
    a.add_argument("date")
    a.add_argument("--hours", help="default: the user's scheduled hours that day")
    a.add_argument("--name", default="")

    c = sub.add_parser("policy", help="company policies")
    psub = c.add_subparsers(dest="action", required=True, parser_class=type(c))
    psub.add_parser("show")
    a = psub.add_parser("set")
    a.add_argument("--min-description", type=int, metavar="N")
    a.add_argument("--vague", metavar='"a,b,c"', help="the whole vague list, comma separated")
    a.add_argument("--currency", metavar="CODE")

    c = sub.add_parser("schedule", help="a user's work schedule and utilization target")
    c.add_argument("email")
    c.add_argument("--hours", metavar="MON,…,SUN", help='daily hours, e.g. "8,8,8,8,6,0,0"')
    c.add_argument("--target", type=int, metavar="PCT")


def _week_arg(c: argparse.ArgumentParser, required: bool = False) -> None:
    c.add_argument("--week", required=required, help="2026-W48 or a date (default this week)")


# ------------------------------------------------------------------- output


def sheet_json(sheet: dto.Sheet) -> dict[str, Any]:
    return {
        "user": sheet.user,
        "week_start": sheet.week_start.isoformat(),
        "status": sheet.status,
        "note": sheet.note,
        "submitted_at": _iso(sheet.submitted_at),
        "decided_at": _iso(sheet.decided_at),
        "decided_by": sheet.decided_by,
    }


def grid_json(g: dto.Grid) -> dict[str, Any]:
    return {
        "user": g.sheet.user,
        "week_start": g.sheet.week_start.isoformat(),
        "status": g.sheet.status,
        "note": g.sheet.note,
        "rows": [
            {
                "customer": r.customer,
                "project": r.project,
                "task": r.task,
                "days": [c.seconds for c in r.cells],
                "total_s": r.total_s,
            }
            for r in g.rows
        ],
        "day_totals_s": list(g.day_totals_s),
        "total_s": g.total_s,
        "billable_s": g.billable_s,
        "non_billable_s": g.non_billable_s,
    }


def _money_text(d: Decimal | None) -> str | None:
    return None if d is None else format_amount(round_minor(d))


def entries_json(cli: Cli, entries: Sequence[dto.Entry]) -> list[dict[str, Any]]:
    """``entry_json`` plus billed time, rate and value (billable entries) and, for
    readers who may see cost, the cost. Amounts are decimal strings."""
    from desktop.core import permissions

    show_cost = permissions.can_see_cost(cli.me())
    out = []
    for e, m in zip(entries, cli.app.rates.money(cli.me().id, entries), strict=True):
        data = entry_json(e)
        data["billed_s"] = m.billed_s
        data["rate"] = None if m.rate_minor is None else format_amount(m.rate_minor)
        data["value"] = _money_text(m.value)
        if show_cost:
            data["cost"] = _money_text(m.cost)
        out.append(data)
    return out


def _grid_text(g: dto.Grid) -> str:
    head = f"{g.sheet.user}  week {g.sheet.week} (from {g.sheet.week_start})  {g.sheet.status}"
    lines = [head + (f" — {g.sheet.note}" if g.sheet.note else "")]
    width = max([len(r.path) for r in g.rows] + [10])
    lines.append(" " * width + "".join(f"{d.strftime('%a %d'):>8}" for d in g.days) + "   total")
    for r in g.rows:
        cells = "".join(f"{_hm(c.seconds) if c.seconds else '·':>8}" for c in r.cells)
        lines.append(f"{r.path:<{width}}{cells}{_hm(r.total_s):>8}")
    lines.append(
        f"{'total':<{width}}"
        + "".join(f"{_hm(t):>8}" for t in g.day_totals_s)
        + f"{_hm(g.total_s):>8}"
    )
    lines.append(f"billable {_hm(g.billable_s)}  non-billable {_hm(g.non_billable_s)}")
    return "\n".join(lines)


# ----------------------------------------------------------------- commands


def _week(cli: Cli) -> date:
    from desktop.core.timeutil import parse_week, week_start

    me = cli.me()
    text = getattr(cli.args, "week", None)
    return (
        parse_week(text, me.first_weekday) if text else week_start(cli.today(me), me.first_weekday)
    )


def _hours(text: str) -> int:
    from desktop.core.durations import parse_duration

    try:
        if Decimal(text.strip().replace(",", ".")) == 0:
            return 0
    except InvalidOperation:
        pass
    return 0 if text.strip() in ("0:00", "0h", "0m") else parse_duration(text)


def _day_index(cli: Cli, text: str, start: date) -> int:
    from desktop.core.errors import ValidationError
    from desktop.core.timeutil import parse_date

    key = text.strip().lower()
    last = start + timedelta(days=6)
    # a weekday name means that day of THIS week: the latest such day up to its end
    day = parse_date(text, cli.today(cli.me()) if key in ("today", "yesterday") else last)
    if not start <= day <= last:
        raise ValidationError(f"{day.isoformat()} is not in the week from {start.isoformat()}")
    return (day - start).days


def cmd_week(cli: Cli) -> None:
    a = cli.args
    if a.action == "set":
        parts = [p.strip() or None for p in a.row.split("/", 2)] + [None, None]
        start = _week(cli)
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
        grid = cli.app.grid.week(cli.me().id, _week(cli), user=a.user)
    cli.out.emit(grid_json(grid), lambda: _grid_text(grid))


def _sheet_done(cli: Cli, sheet: dto.Sheet, verb: str) -> None:
    cli.out.emit(sheet_json(sheet), f"week {sheet.week} of {sheet.user} {verb}: {sheet.status}")


def cmd_submit(cli: Cli) -> None:
    _sheet_done(cli, cli.app.timesheets.submit(cli.me().id, _week(cli)), "submitted")


def cmd_recall(cli: Cli) -> None:
    _sheet_done(cli, cli.app.timesheets.recall(cli.me().id, _week(cli)), "recalled")


def cmd_approve(cli: Cli) -> None:
    a = cli.args
    _sheet_done(cli, cli.app.timesheets.approve(cli.me().id, a.user, _week(cli)), "approved")


def cmd_reject(cli: Cli) -> None:
    a = cli.args
    reasons: dict[str, str] = {}
    for item in a.entry:
        ref, sep, reason = item.partition("=")
        if not sep or not ref.strip():
            raise UsageError(f'punchclock reject: --entry wants ID=REASON, not "{item}"')
        reasons[ref.strip()] = reason
    sheet = cli.app.timesheets.reject(cli.me().id, a.user, _week(cli), a.reason, reasons)
    _sheet_done(cli, sheet, "rejected")


def cmd_return(cli: Cli) -> None:
    a = cli.args
    sheet = cli.app.timesheets.return_for_revision(cli.me().id, a.user, _week(cli), a.note)
    _sheet_done(cli, sheet, "returned")


def cmd_reopen(cli: Cli) -> None:
    a = cli.args
    _sheet_done(
        cli, cli.app.timesheets.reopen(cli.me().id, a.user, _week(cli), a.reason), "reopened"
    )


def cmd_approvals(cli: Cli) -> None:
    a = cli.args
    rows = cli.app.timesheets.approvals(
        cli.me().id, day=_week(cli) if a.week else None, status=a.status
    )
    data = [
        {
            "user": r.sheet.user,
            "week_start": r.sheet.week_start.isoformat(),
            "status": r.sheet.status,
            "total_s": r.total_s,
            "billable_s": r.billable_s,
            "warnings": r.warnings,
            "submitted_at": _iso(r.sheet.submitted_at),
        }
        for r in rows
    ]
    cli.out.emit(
        data,
        lambda: (
            "\n".join(
                f"{r.sheet.week}  {r.sheet.user:<32} {r.sheet.status:<10} {_hm(r.total_s):>7} "
                f"billable {_hm(r.billable_s):>7}  warnings {r.warnings}"
                for r in rows
            )
            or f"no {a.status} weeks"
        ),
    )


def cmd_history(cli: Cli) -> None:
    a = cli.args
    events = cli.app.timesheets.history(cli.me().id, _week(cli), user=a.user)
    data = [
        {
            "action": e.action,
            "from_status": e.from_status,
            "to_status": e.to_status,
            "actor": e.actor,
            "comment": e.comment,
            "at": _iso(e.at),
        }
        for e in events
    ]
    cli.out.emit(
        data,
        lambda: (
            "\n".join(
                f"{e.at.isoformat(timespec='seconds')}  {e.action:<8} "
                f"{e.from_status} → {e.to_status}"
                f"  by {e.actor}{f' — {e.comment}' if e.comment else ''}"
                for e in events
            )
            or "no events yet"
        ),
    )


def _rate_json(r: dto.Rate) -> dict[str, Any]:
    return {
        "id": r.id,
        "user": r.user,
        "kind": r.kind,
        "amount": format_amount(r.amount_minor),
        "currency": r.currency,
        "effective_from": r.effective_from.isoformat(),
        "customer": r.customer,
        "project": r.project,
    }


def _rate_line(r: dto.Rate) -> str:
    scope = " › ".join(x for x in (r.customer, r.project) if x) or "all work"
    return (
        f"{r.user:<32} {r.kind:<8} {format_amount(r.amount_minor):>10} {r.currency}/h  "
        f"from {r.effective_from}  {scope}"
    )


def cmd_rate(cli: Cli) -> None:
    from desktop.core.timeutil import parse_date

    a, me = cli.args, cli.me()
    if a.action == "set":
        kind, amount = ("billing", a.billing) if a.billing is not None else ("cost", a.cost)
        rate = cli.app.rates.set_rate(
            me.id,
            a.email,
            kind=kind,
            amount_minor=parse_amount(amount),
            effective_from=parse_date(a.from_, cli.today(me)) if a.from_ else cli.today(me),
            customer=a.customer,
            project=a.project,
        )
        cli.out.emit(_rate_json(rate), f"rate set: {_rate_line(rate)}")
    else:
        rates = cli.app.rates.list_rates(me.id, a.email)
        cli.out.emit(
            [_rate_json(r) for r in rates],
            lambda: "\n".join(_rate_line(r) for r in rates) or "no rates",
        )


def _day_off_json(d: dto.DayOff) -> dict[str, Any]:
    return {
        "id": d.id,
        "date": d.date.isoformat(),
        "hours_s": d.hours_s,
        "name": d.name,
        "user": d.user,
    }


def _day_off_line(d: dto.DayOff) -> str:
    from desktop.core.services.company import FULL_DAY_S

    hours = "whole day" if d.hours_s == FULL_DAY_S else _hm(d.hours_s)
    return f"{d.date} {d.date.strftime('%a')}  {hours:<9}  {d.user or 'company'}  {d.name}"


def _optional_hours(text: str | None) -> int | None:
    from desktop.core.durations import parse_duration

    return None if text is None else parse_duration(text)


def cmd_holiday(cli: Cli) -> None:
    from desktop.core.timeutil import parse_date

    a, me = cli.args, cli.me()
    if a.action == "add":
        d = cli.app.company.add_holiday(
            me.id, parse_date(a.date, cli.today(me)), hours_s=_optional_hours(a.hours), name=a.name
        )
        cli.out.emit(_day_off_json(d), f"holiday: {_day_off_line(d)}")
    else:
        year = a.year or cli.today(me).year
        rows = cli.app.company.days_off(date(year, 1, 1), date(year, 12, 31))
        cli.out.emit(
            [_day_off_json(d) for d in rows],
            lambda: "\n".join(_day_off_line(d) for d in rows) or "no holidays",
        )


def cmd_timeoff(cli: Cli) -> None:
    from desktop.core.timeutil import parse_date

    a, me = cli.args, cli.me()
    d = cli.app.company.add_time_off(
        me.id,
        a.email,
        parse_date(a.date, cli.today(me)),
        hours_s=_optional_hours(a.hours),
        name=a.name,
    )
    cli.out.emit(_day_off_json(d), f"time off: {_day_off_line(d)}")


def cmd_policy(cli: Cli) -> None:
    a = cli.args
    if a.action == "set":
        vague = None if a.vague is None else [v for v in a.vague.split(",") if v.strip()]
        p = cli.app.company.set_policy(
            cli.me().id, min_description=a.min_description, vague=vague, currency=a.currency
        )
    else:
        p = cli.app.company.policy()
    cli.out.emit(
        {"min_description": p.min_description, "vague": list(p.vague), "currency": p.currency},
        f"billable descriptions: at least {p.min_description} characters\n"
        f"vague: {', '.join(p.vague) or '(none)'}\ncurrency: {p.currency}",
    )


def cmd_schedule(cli: Cli) -> None:
    from desktop.core.durations import parse_duration
    from desktop.core.errors import ValidationError

    a = cli.args
    schedule = None
    if a.hours is not None:
        parts = [p.strip() for p in a.hours.split(",")]
        if len(parts) != 7:
            raise ValidationError("give 7 daily hours, Monday first: 8,8,8,8,8,0,0")
        schedule = [0 if p in ("", "0") else parse_duration(p) for p in parts]
    u = cli.app.company.update_user_schedule(
        cli.me().id, a.email, schedule_s=schedule, target=a.target
    )
    cli.out.emit(
        user_json(u),
        f"{u.email}: "
        + " ".join(_hm(s) for s in u.work_schedule_s)
        + f"  target {u.utilization_target}%",
    )


COMMANDS: dict[str, Callable[[Cli], None]] = {
    "week": cmd_week,
    "submit": cmd_submit,
    "recall": cmd_recall,
    "approvals": cmd_approvals,
    "approve": cmd_approve,
    "reject": cmd_reject,
    "return": cmd_return,
    "reopen": cmd_reopen,
    "history": cmd_history,
    "rate": cmd_rate,
    "holiday": cmd_holiday,
    "timeoff": cmd_timeoff,
    "policy": cmd_policy,
    "schedule": cmd_schedule,
}
