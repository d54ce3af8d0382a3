"""Command-line twins of the directory: the profile (``init``), customers,
projects, tasks, users and teams. Wired into :mod:`desktop.cli` like the other
command groups (``add_parsers`` + ``COMMANDS``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from desktop.cli import Cli, Parser
from desktop.core import dto


def add_parsers(sub: Any) -> None:
    c = sub.add_parser("init", help="create your profile (first run)")
    c.add_argument("--name", required=True)
    c.add_argument("--email", required=True)
    c.add_argument("--timezone", default=None, help="IANA zone, default: this machine's")
    c.add_argument("--role", default="admin", choices=["technician", "manager", "admin"])
    c.add_argument("--hours-per-day", default="8", help="scheduled hours Mon–Fri (default 8)")

    c = sub.add_parser("customer", help="customers")
    csub = c.add_subparsers(dest="action", required=True, parser_class=Parser)
    a = csub.add_parser("add")
    a.add_argument("name")
    a.add_argument("--internal", action="store_true", help="your own company (non-billable)")
    a.add_argument("--non-billable", action="store_true")
    a.add_argument("--round-to", type=int, default=0, metavar="MIN", help="billing increment")
    a.add_argument("--minimum", type=int, default=0, metavar="MIN", help="minimum billed")
    csub.add_parser("list")

    c = sub.add_parser("project", help="projects")
    psub = c.add_subparsers(dest="action", required=True, parser_class=Parser)
    a = psub.add_parser("add")
    a.add_argument("name")
    a.add_argument("--customer", required=True)
    a.add_argument("--non-billable", action="store_true")
    a = psub.add_parser("list")
    a.add_argument("--customer")

    c = sub.add_parser("task", help="tasks and tickets")
    tsub = c.add_subparsers(dest="action", required=True, parser_class=Parser)
    a = tsub.add_parser("add")
    a.add_argument("title")
    a.add_argument("--customer", required=True)
    a.add_argument("--project")
    a.add_argument("--ref", help="ticket number")
    a = tsub.add_parser("list")
    a.add_argument("--customer")

    c = sub.add_parser("user", help="users")
    usub = c.add_subparsers(dest="action", required=True, parser_class=Parser)
    a = usub.add_parser("add")
    a.add_argument("email")
    a.add_argument("--name", required=True)
    a.add_argument("--role", default="technician", choices=["technician", "manager", "admin"])
    a.add_argument("--team")
    a.add_argument("--hours-per-day", default="8")
    a.add_argument("--target", type=int, default=75, metavar="PCT")
    a.add_argument("--timezone")
    usub.add_parser("list")

    c = sub.add_parser("team", help="teams")
    tmsub = c.add_subparsers(dest="action", required=True, parser_class=Parser)
    a = tmsub.add_parser("add")
    a.add_argument("name")
    a.add_argument("--manager", required=True, metavar="EMAIL")
    tmsub.add_parser("list")


def cmd_init(cli: Cli) -> None:
    from desktop.core.durations import parse_duration

    a = cli.args
    tz = a.timezone or _local_timezone()
    user = cli.app.directory.init_profile(
        name=a.name,
        email=a.email,
        timezone=tz,
        role=a.role,
        hours_per_day_s=parse_duration(a.hours_per_day),
    )
    cli.out.emit(
        user_json(user),
        f"profile ready: {user.name} <{user.email}> ({user.role}, {user.timezone})",
    )


def cmd_customer(cli: Cli) -> None:
    a = cli.args
    if a.action == "add":
        c = cli.app.directory.add_customer(
            cli.actor_id,
            a.name,
            internal=a.internal,
            billable=False if a.non_billable else None,
            round_increment_min=a.round_to,
            round_minimum_min=a.minimum,
        )
        cli.out.emit(_customer_json(c), f"customer added: {c.name} ({c.id[:8]})")
    else:
        rows = cli.app.directory.customers()
        cli.out.emit(
            [_customer_json(c) for c in rows],
            lambda: (
                "\n".join(
                    f"{c.id[:8]}  {c.name}{'  [internal]' if c.is_internal else ''}"
                    f"{'' if c.default_billable else '  [non-billable]'}"
                    f"{f'  [round {c.round_increment_min}m]' if c.round_increment_min else ''}"
                    f"{f'  [min {c.round_minimum_min}m]' if c.round_minimum_min else ''}"
                    for c in rows
                )
                or "no customers yet"
            ),
        )


def cmd_project(cli: Cli) -> None:
    a = cli.args
    if a.action == "add":
        p = cli.app.directory.add_project(
            cli.actor_id, a.customer, a.name, billable=False if a.non_billable else None
        )
        cli.out.emit(_project_json(p), f"project added: {p.customer} › {p.name} ({p.id[:8]})")
    else:
        rows = cli.app.directory.projects(a.customer)
        cli.out.emit(
            [_project_json(p) for p in rows],
            lambda: (
                "\n".join(f"{p.id[:8]}  {p.customer} › {p.name}" for p in rows) or "no projects"
            ),
        )


def cmd_task(cli: Cli) -> None:
    a = cli.args
    if a.action == "add":
        t = cli.app.directory.add_task(
            cli.actor_id, customer=a.customer, project=a.project, title=a.title, ref=a.ref
        )
        cli.out.emit(_task_json(t), f"task added: {_task_path(t)} ({t.id[:8]})")
    else:
        rows = cli.app.directory.tasks(a.customer)
        cli.out.emit(
            [_task_json(t) for t in rows],
            lambda: "\n".join(f"{t.id[:8]}  {_task_path(t)}" for t in rows) or "no tasks",
        )


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
        cli.out.emit(user_json(u), f"user added: {u.name} <{u.email}> ({u.role})")
    else:
        rows = cli.app.directory.users()
        cli.out.emit(
            [user_json(u) for u in rows],
            lambda: "\n".join(
                f"{u.email:<32} {u.name:<24} {u.role:<10} {u.team or '-':<16} "
                f"target {u.utilization_target}%"
                for u in rows
            ),
        )


def cmd_team(cli: Cli) -> None:
    a = cli.args
    if a.action == "add":
        t = cli.app.directory.add_team(cli.actor_id, a.name, manager=a.manager)
        cli.out.emit(_team_json(t), f"team added: {t.name} (manager {t.manager_email})")
    else:
        rows = cli.app.directory.teams()
        cli.out.emit(
            [_team_json(t) for t in rows],
            lambda: (
                "\n".join(f"{t.id[:8]}  {t.name:<20} manager {t.manager_email}" for t in rows)
                or "no teams"
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


def _customer_json(c: dto.Customer) -> dict[str, Any]:
    return {
        "id": c.id,
        "name": c.name,
        "is_internal": c.is_internal,
        "default_billable": c.default_billable,
        "round_increment_min": c.round_increment_min,
        "round_minimum_min": c.round_minimum_min,
        "active": c.active,
    }


def _project_json(p: dto.Project) -> dict[str, Any]:
    return {
        "id": p.id,
        "customer": p.customer,
        "name": p.name,
        "default_billable": p.default_billable,
        "active": p.active,
    }


def _task_json(t: dto.Task) -> dict[str, Any]:
    return {
        "id": t.id,
        "customer": t.customer,
        "project": t.project,
        "title": t.title,
        "external_ref": t.external_ref,
        "status": t.status,
    }


def _task_path(t: dto.Task) -> str:
    return " › ".join(x for x in (t.customer, t.project, t.label) if x)


def user_json(u: dto.User) -> dict[str, Any]:
    return {
        "id": u.id,
        "name": u.name,
        "email": u.email,
        "role": u.role,
        "team": u.team,
        "work_schedule_s": list(u.work_schedule_s),
        "utilization_target": u.utilization_target,
        "timezone": u.timezone,
    }


def _team_json(t: dto.Team) -> dict[str, Any]:
    return {"id": t.id, "name": t.name, "manager": t.manager_email}


COMMANDS: dict[str, Callable[[Cli], None]] = {
    "init": cmd_init,
    "customer": cmd_customer,
    "project": cmd_project,
    "task": cmd_task,
    "user": cmd_user,
    "team": cmd_team,
}
