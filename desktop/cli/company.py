"""Company settings: billing and cost ``rate``s, ``holiday``s, ``timeoff``,
the description ``policy`` and each user's work ``schedule`` and target."""

from __future__ import annotations

from datetime import date

from desktop.cli import output
from desktop.cli.base import Cli, CommandParser, Commands, optional_hours
from desktop.core import dto

TITLE = "Rates, holidays, time off, policy"


def add_parsers(commands: Commands) -> None:
    c = commands.add("rate", "billing and cost rates", cmd_rate)
    rsub = c.add_subparsers(dest="action", required=True, parser_class=CommandParser)
    a = rsub.add_parser("set", help="set a rate from a date on (admins)")
    a.add_argument("email", help="whose rate")
    g = a.add_mutually_exclusive_group(required=True)
    g.add_argument("--billing", metavar="AMOUNT", help="billing rate per hour")
    g.add_argument("--cost", metavar="AMOUNT", help="cost rate per hour")
    a.add_argument("--from", dest="from_", metavar="DATE", help="effective from (default today)")
    a.add_argument("--customer", help="only for this customer's work (billing)")
    a.add_argument("--project", help="only for this project's work (billing)")
    a = rsub.add_parser("list", help="the rates, past and future")
    a.add_argument("email", nargs="?", help="one user's (default everyone's)")

    c = commands.add("holiday", "company holidays", cmd_holiday)
    hsub = c.add_subparsers(dest="action", required=True, parser_class=CommandParser)
    a = hsub.add_parser("add", help="add a company holiday (admins)")
    a.add_argument("date", help="the day: 2026-12-25")
    a.add_argument("--hours", help="default: the whole scheduled day")
    a.add_argument("--name", default="", help='what it is: "Christmas Day"')
    a = hsub.add_parser("list", help="the holidays of a year")
    a.add_argument("--year", type=int, help="default this year")

    c = commands.add("timeoff", "time off of one user", cmd_timeoff)
    tsub = c.add_subparsers(dest="action", required=True, parser_class=CommandParser)
    a = tsub.add_parser("add", help="add a day off (admins, the team's manager)")
    a.add_argument("email", help="whose day off")
    a.add_argument("date", help="the day: 2026-12-28")
    a.add_argument("--hours", help="default: the user's scheduled hours that day")
    a.add_argument("--name", default="", help='what it is: "vacation"')

    c = commands.add("policy", "company policies", cmd_policy)
    psub = c.add_subparsers(dest="action", required=True, parser_class=CommandParser)
    psub.add_parser("show", help="the policies in force")
    a = psub.add_parser("set", help="change the policies (admins)")
    a.add_argument("--min-description", type=int, metavar="N",
                   help="billable descriptions need at least N characters")
    a.add_argument("--vague", metavar='"a,b,c"', help="the whole vague list, comma separated")
    a.add_argument("--currency", metavar="CODE", help="the company's currency: USD, EUR…")

    c = commands.add("schedule", "a user's work schedule and utilization target", cmd_schedule)
    c.add_argument("email", help="whose schedule")
    c.add_argument("--hours", metavar="MON,…,SUN", help='daily hours, e.g. "8,8,8,8,6,0,0"')
    c.add_argument("--target", type=int, metavar="PCT", help="utilization target in percent")


def cmd_rate(cli: Cli) -> None:
    from desktop.core.money import parse_amount
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
        cli.out.emit(output.RATE(rate), f"rate set: {output.rate_line(rate)}")
    else:
        rates = cli.app.rates.list_rates(me.id, a.email)
        cli.out.emit(
            output.RATE.many(rates), lambda: output.lines(rates, output.rate_line, "no rates")
        )


def _day_off_line(d: dto.DayOff) -> str:
    from desktop.core.services.company import FULL_DAY_S

    return output.day_off_line(d, FULL_DAY_S)


def cmd_holiday(cli: Cli) -> None:
    from desktop.core.timeutil import parse_date

    a, me = cli.args, cli.me()
    if a.action == "add":
        d = cli.app.company.add_holiday(
            me.id, parse_date(a.date, cli.today(me)), hours_s=optional_hours(a.hours), name=a.name
        )
        cli.out.emit(output.DAY_OFF(d), f"holiday: {_day_off_line(d)}")
    else:
        year = a.year or cli.today(me).year
        rows = cli.app.company.days_off(date(year, 1, 1), date(year, 12, 31))
        cli.out.emit(
            output.DAY_OFF.many(rows), lambda: output.lines(rows, _day_off_line, "no holidays")
        )


def cmd_timeoff(cli: Cli) -> None:
    from desktop.core.timeutil import parse_date

    a, me = cli.args, cli.me()
    d = cli.app.company.add_time_off(
        me.id,
        a.email,
        parse_date(a.date, cli.today(me)),
        hours_s=optional_hours(a.hours),
        name=a.name,
    )
    cli.out.emit(output.DAY_OFF(d), f"time off: {_day_off_line(d)}")


def cmd_policy(cli: Cli) -> None:
    a = cli.args
    if a.action == "set":
        vague = None if a.vague is None else [v for v in a.vague.split(",") if v.strip()]
        p = cli.app.company.set_policy(
            cli.me().id, min_description=a.min_description, vague=vague, currency=a.currency
        )
    else:
        p = cli.app.company.policy()
    cli.out.emit(output.POLICY(p), output.policy_text(p))


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
    cli.out.emit(output.USER(u), output.schedule_line(u))
