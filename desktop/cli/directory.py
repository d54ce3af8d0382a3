"""The directory: the profile (``init``), customers, projects, tasks, users
and teams."""

from __future__ import annotations

from desktop.cli import directory_changes as changes
from desktop.cli import output
from desktop.cli.base import Cli, CommandParser, Commands, open_window

TITLE = "Customers, projects, tasks, people"
ROLES = ["technician", "manager", "admin"]


def add_parsers(commands: Commands) -> None:
    c = commands.add("init", "create your profile (first run)", cmd_init)
    c.add_argument("--name", required=True, help="your full name")
    c.add_argument("--email", required=True, help="your email address (your login later)")
    c.add_argument("--timezone", default=None, help="IANA zone, default: this machine's")
    c.add_argument("--role", default="admin", choices=ROLES,
                   help="your role on this device (default admin: you own the data)")
    c.add_argument("--hours-per-day", default="8", help="scheduled hours Mon–Fri (default 8)")

    c = commands.add("customer", "customers", cmd_customer)
    csub = c.add_subparsers(dest="action", required=True, parser_class=CommandParser)
    a = csub.add_parser("add", help="add a customer (managers, admins)")
    a.add_argument("name", help="the customer's name")
    a.add_argument("--internal", action="store_true", help="your own company (non-billable)")
    a.add_argument("--non-billable", action="store_true", help="its time is not billed by default")
    a.add_argument("--round-to", type=int, default=0, metavar="MIN",
                   help="billing increment in minutes (0: none)")
    a.add_argument("--minimum", type=int, default=0, metavar="MIN",
                   help="minimum billed per entry in minutes (0: none)")
    csub.add_parser("list", help="the active customers").add_argument(
        "--all", action="store_true", help="archived customers too")
    changes.add_parsers(csub, "customer")

    c = commands.add("project", "projects", cmd_project)
    psub = c.add_subparsers(dest="action", required=True, parser_class=CommandParser)
    a = psub.add_parser("add", help="add a project to a customer (managers, admins)")
    a.add_argument("name", help="the project's name")
    a.add_argument("--customer", required=True, help="the customer it is for")
    a.add_argument("--non-billable", action="store_true",
                   help="its time is not billed by default (default: the customer's)")
    changes.budget_args(a)
    a = psub.add_parser("list", help="the active projects")
    a.add_argument("--all", action="store_true", help="archived projects too")
    a.add_argument("--customer", help="only this customer's")
    changes.budget_args(changes.add_parsers(psub, "project"), clear=True)

    c = commands.add("task", "tasks and tickets", cmd_task)
    tsub = c.add_subparsers(dest="action", required=True, parser_class=CommandParser)
    a = tsub.add_parser("add", help="add a task or ticket (everyone)")
    a.add_argument("title", help="what the task is")
    a.add_argument("--customer", required=True, help="the customer it is for")
    a.add_argument("--project", help="the customer's project it belongs to (optional)")
    a.add_argument("--ref", help="ticket number")
    a = tsub.add_parser("list", help="the open tasks")
    a.add_argument("--customer", help="only this customer's")
    a.add_argument("--all", action="store_true", help="archived tasks too")
    changes.add_parsers(tsub, "task")

    commands.add("manage", "open the Manage window: customers, projects, tasks", cmd_manage)

    c = commands.add("user", "users", cmd_user)
    usub = c.add_subparsers(dest="action", required=True, parser_class=CommandParser)
    a = usub.add_parser("add", help="add a user (admins)")
    a.add_argument("email", help="their email address (their login)")
    a.add_argument("--name", required=True, help="their full name")
    a.add_argument("--role", default="technician", choices=ROLES, help="default technician")
    a.add_argument("--team", help="the team they belong to")
    a.add_argument("--hours-per-day", default="8", help="scheduled hours Mon–Fri (default 8)")
    a.add_argument("--target", type=int, default=75, metavar="PCT",
                   help="utilization target in percent (default 75)")
    a.add_argument("--timezone", help="IANA zone (default: yours)")
    usub.add_parser("list", help="everyone")

    c = commands.add("team", "teams", cmd_team)
    tmsub = c.add_subparsers(dest="action", required=True, parser_class=CommandParser)
    a = tmsub.add_parser("add", help="add a team (admins)")
    a.add_argument("name", help="the team's name")
    a.add_argument("--manager", required=True, metavar="EMAIL",
                   help="who approves the team's weeks")
    tmsub.add_parser("list", help="the teams and their managers")


def cmd_init(cli: Cli) -> None:
    from desktop.core.durations import parse_duration

    a = cli.args
    user = cli.app.directory.init_profile(
        name=a.name,
        email=a.email,
        timezone=a.timezone or _local_timezone(),
        role=a.role,
        hours_per_day_s=parse_duration(a.hours_per_day),
    )
    cli.out.emit(
        output.USER(user),
        f"profile ready: {user.name} <{user.email}> ({user.role}, {user.timezone})",
    )


def cmd_customer(cli: Cli) -> None:
    a = cli.args
    if changes.run(cli, "customer"):
        return
    if a.action == "add":
        c = cli.app.directory.add_customer(
            cli.actor_id,
            a.name,
            internal=a.internal,
            billable=False if a.non_billable else None,
            round_increment_min=a.round_to,
            round_minimum_min=a.minimum,
        )
        cli.out.emit(output.CUSTOMER(c), f"customer added: {c.name} ({c.id[:8]})")
    else:
        rows = cli.app.directory.customers(include_inactive=a.all)
        cli.out.emit(
            output.CUSTOMER.many(rows),
            lambda: output.lines(rows, output.customer_line, "no customers yet"),
        )


def cmd_project(cli: Cli) -> None:
    a = cli.args
    if changes.run(cli, "project"):
        return
    if a.action == "add":
        p = cli.app.directory.add_project(
            cli.actor_id, a.customer, a.name, billable=False if a.non_billable else None,
            **changes.budget(a),
        )
        cli.out.emit(output.PROJECT(p), f"project added: {p.customer} › {p.name} ({p.id[:8]})")
    else:
        rows = cli.app.directory.projects(a.customer, include_inactive=a.all)
        cli.out.emit(
            output.PROJECT.many(rows),
            lambda: output.lines(rows, lambda p: f"{p.id[:8]}  {p.customer} › {p.name}"
                                 f"{'' if p.active else '  [archived]'}",
                                 "no projects"),
        )


def cmd_task(cli: Cli) -> None:
    a = cli.args
    if changes.run(cli, "task"):
        return
    if a.action == "add":
        t = cli.app.directory.add_task(
            cli.actor_id, customer=a.customer, project=a.project, title=a.title, ref=a.ref
        )
        cli.out.emit(output.TASK(t), f"task added: {output.task_path(t)} ({t.id[:8]})")
    else:
        rows = cli.app.directory.tasks(a.customer, include_closed=a.all)
        cli.out.emit(
            output.TASK.many(rows),
            lambda: output.lines(rows, lambda t: f"{t.id[:8]}  {output.task_path(t)}",
                                 "no tasks"),
        )


def cmd_manage(cli: Cli) -> None:
    open_window(cli, "manage", "customer|project|task list")


def cmd_user(cli: Cli) -> None:
    from desktop.core.durations import parse_duration

    a = cli.args
    if a.action == "add":
        u = cli.app.directory.add_user(
            cli.actor_id,
            a.email,
            name=a.name,
            role=a.role,
            team=a.team,
            hours_per_day_s=parse_duration(a.hours_per_day) if a.hours_per_day != "0" else 0,
            target=a.target,
            timezone=a.timezone,
        )
        cli.out.emit(output.USER(u), f"user added: {u.name} <{u.email}> ({u.role})")
    else:
        rows = cli.app.directory.users()
        cli.out.emit(output.USER.many(rows), lambda: output.lines(rows, output.user_line, ""))


def cmd_team(cli: Cli) -> None:
    a = cli.args
    if a.action == "add":
        t = cli.app.directory.add_team(cli.actor_id, a.name, manager=a.manager)
        cli.out.emit(output.TEAM(t), f"team added: {t.name} (manager {t.manager_email})")
    else:
        rows = cli.app.directory.teams()
        cli.out.emit(
            output.TEAM.many(rows),
            lambda: output.lines(
                rows, lambda t: f"{t.id[:8]}  {t.name:<20} manager {t.manager_email}", "no teams"
            ),
        )


def _local_timezone() -> str:
    """This machine's IANA zone name, or UTC when it can't be told."""
    import os

    tz = os.environ.get("TZ")
    if tz and "/" in tz:
        return tz.lstrip(":")
    try:
        link = os.readlink("/etc/localtime")
        if "zoneinfo/" in link:
            return link.split("zoneinfo/", 1)[1]
    except OSError:
        pass
    return "UTC"
