"""``customer|project|task edit, rename, archive, unarchive, delete``: the
command-line twins of the Manage window (the calls of
:mod:`desktop.core.services.directory_changes`). :mod:`desktop.cli.directory`
adds these sub-commands to its ``customer``, ``project`` and ``task`` commands.
"""

from __future__ import annotations

import argparse
from typing import Any

from desktop.cli import output
from desktop.cli.base import Cli, UsageError
from desktop.core import dto

CHANGES = ("edit", "rename", "archive", "unarchive", "reopen", "delete")
WHAT = {"customer": "the customer's name or id", "project": "the project's name or id",
        "task": "the task's title, id or ticket number"}


def add_parsers(sub: Any, kind: str) -> argparse.ArgumentParser:
    """``rename``, ``archive``, ``unarchive``, ``delete`` and the start of
    ``edit`` for ``kind``; returns the ``edit`` parser for the kind's own options."""
    who = "managers, admins" if kind != "task" else "its creator, managers, admins"
    edit: argparse.ArgumentParser = sub.add_parser("edit", help=f"change a {kind} ({who})")
    _ref(edit, kind)
    a = sub.add_parser("rename", help=f"rename a {kind} ({who})")
    _ref(a, kind)
    a.add_argument("new_name", metavar="NEW", help="the new name")
    _ref(sub.add_parser(
        "archive", help=f"archive a {kind}: out of the pickers, its entries kept ({who})"), kind)
    _ref(sub.add_parser("unarchive", aliases=["reopen"] if kind == "task" else [],
                        help=f"bring an archived {kind} back ({who})"), kind)
    _ref(sub.add_parser("delete", help=f"delete a {kind} no time entry refers to ({who})"), kind)
    if kind == "customer":
        g = edit.add_mutually_exclusive_group()
        g.add_argument("--internal", dest="internal", action="store_true", default=None,
                       help="your own company")
        g.add_argument("--not-internal", dest="internal", action="store_false",
                       help="a paying customer")
        g = edit.add_mutually_exclusive_group()
        g.add_argument("--billable", dest="billable", action="store_true", default=None,
                       help="new entries are billable by default")
        g.add_argument("--non-billable", dest="billable", action="store_false",
                       help="new entries are not billable by default")
        edit.add_argument("--round-to", type=int, metavar="MIN",
                          help="billing increment in minutes (0: none)")
        edit.add_argument("--minimum", type=int, metavar="MIN",
                          help="minimum billed per entry in minutes (0: none)")
    else:
        g = edit.add_mutually_exclusive_group()
        g.add_argument("--billable", dest="billable", action="store_const", const=True,
                       default="keep", help="new entries are billable by default")
        g.add_argument("--non-billable", dest="billable", action="store_const", const=False,
                       help="new entries are not billable by default")
        parent = "customer's" if kind == "project" else "project's or customer's"
        g.add_argument("--inherit-billable", dest="billable", action="store_const", const=None,
                       help=f"follow the {parent} default")
    if kind == "task":
        edit.add_argument("--title", help="the new title")
        g = edit.add_mutually_exclusive_group()
        g.add_argument("--ref", dest="ref_number", metavar="REF", help="the ticket number")
        g.add_argument("--no-ref", action="store_true", help="remove the ticket number")
    return edit


def budget_args(c: argparse.ArgumentParser, clear: bool = False) -> None:
    """A project's budget (``clear``: and ``--no-budget``, for ``edit``)."""
    g = c.add_mutually_exclusive_group()
    g.add_argument("--budget-hours", metavar="H", help="a budget in hours (1.5, 1:30, 120h)")
    g.add_argument("--budget", metavar="AMOUNT", help="a budget in money")
    if clear:
        g.add_argument("--no-budget", action="store_true", help="remove the budget")


def budget(a: argparse.Namespace) -> dict[str, int | None]:
    from desktop.core.money import parse_amount

    hours = budget_seconds(a.budget_hours) if a.budget_hours else None
    return {"budget_s": hours, "budget_minor": parse_amount(a.budget) if a.budget else None}


def budget_seconds(text: str) -> int:
    """Budget hours may pass 24 h: whole or decimal hours, or what durations take."""
    from decimal import Decimal, InvalidOperation

    from desktop.core.durations import parse_duration
    from desktop.core.errors import ValidationError

    raw = text.strip().lower().removesuffix("h").replace(",", ".")
    try:
        hours = Decimal(raw)
    except InvalidOperation:
        return parse_duration(text)
    if not hours.is_finite() or hours <= 0:
        raise ValidationError(f'"{text}" is not a number of hours more than 0')
    return int(hours * 3600)


def _ref(p: argparse.ArgumentParser, kind: str) -> None:
    p.add_argument("ref", metavar=kind.upper(), help=WHAT[kind])
    if kind == "project":
        p.add_argument("--customer", help="the project's customer (when names repeat)")


def run(cli: Cli, kind: str) -> bool:
    """Run ``cli.args.action`` when it is one of the changes; False when it isn't."""
    from desktop.core.services.entries import UNSET

    a, d = cli.args, cli.app.directory
    if a.action not in CHANGES:
        return False
    customer = getattr(a, "customer", None) if kind == "project" else None
    done: dto.Customer | dto.Project | dto.Task
    action = "unarchive" if a.action == "reopen" else a.action
    verb = {"edit": "changed", "rename": "renamed", "reopen": "reopened"}.get(
        a.action, f"{a.action}d")
    if a.action == "rename":
        name = {"customer": {"name": a.new_name}, "project": {"name": a.new_name},
                "task": {"title": a.new_name}}[kind]
        done = _change(cli, kind, a.ref, customer, name)
    elif a.action == "edit":
        billable = UNSET if getattr(a, "billable", "keep") == "keep" else a.billable
        if kind == "customer":
            done = _change(cli, kind, a.ref, None, {
                "internal": a.internal, "billable": a.billable,
                "round_increment_min": a.round_to, "round_minimum_min": a.minimum})
        elif kind == "task":
            ref: Any = None if a.no_ref else (a.ref_number if a.ref_number is not None else UNSET)
            values = {"ref": ref, "billable": billable} | ({"title": a.title} if a.title else {})
            done = _change(cli, kind, a.ref, None, values)
            if a.title and ref is UNSET and billable is UNSET:
                verb = "renamed"
        else:
            done = _edit_project(cli, customer, billable)
    elif a.action == "delete":
        done = d.delete(cli.actor_id, kind, a.ref, customer=customer)
    else:
        done = d.set_archived(cli.actor_id, kind, a.ref, action == "archive", customer=customer)
    emit(cli, done, verb)
    return True


def _edit_project(cli: Cli, customer: str | None, billable: Any) -> dto.Project:
    from desktop.core.services.entries import UNSET

    a, d = cli.args, cli.app.directory
    money = budget(a)
    new_budget = a.no_budget or any(v is not None for v in money.values())
    if not new_budget and billable is UNSET:
        raise UsageError("punchclock project edit: nothing to change (see --help)")
    done = d.change_project(cli.actor_id, a.ref, customer=customer, billable=billable)
    if new_budget:
        done = d.set_project_budget(cli.actor_id, a.ref, customer=customer,
                                    clear=a.no_budget, **money)
    return done


def _change(cli: Cli, kind: str, ref: str, customer: str | None,
            values: dict[str, Any]) -> dto.Customer | dto.Project | dto.Task:
    from desktop.core.services.entries import UNSET

    keep = (None, UNSET) if kind == "customer" else (UNSET,)  # a task's None clears
    if all(any(v is k for k in keep) for v in values.values()):
        raise UsageError(f"punchclock {kind} {cli.args.action}: nothing to change (see --help)")
    d = cli.app.directory
    if kind == "customer":
        return d.change_customer(cli.actor_id, ref, **values)
    if kind == "project":
        return d.change_project(cli.actor_id, ref, customer=customer, **values)
    return d.edit_task(cli.actor_id, ref, **values)


def emit(cli: Cli, done: dto.Customer | dto.Project | dto.Task, verb: str) -> None:
    """``customer archived: ACME (aecc5727)`` and the row's JSON shape."""
    if isinstance(done, dto.Customer):
        cli.out.emit(output.CUSTOMER(done), f"customer {verb}: {done.name} ({done.id[:8]})")
    elif isinstance(done, dto.Project):
        cli.out.emit(output.PROJECT(done),
                     f"project {verb}: {done.customer} › {done.name} ({done.id[:8]})")
    else:
        cli.out.emit(output.TASK(done), f"task {verb}: {output.task_path(done)} ({done.id[:8]})")
