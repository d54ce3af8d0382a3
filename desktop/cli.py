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

    from desktop import cli_sheets, cli_sync

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

    # -- setup
    def cmd_init(self) -> None:
        from desktop.core.durations import parse_duration

        a = self.args
        tz = a.timezone or _local_timezone()
        user = self.app.directory.init_profile(
            name=a.name,
            email=a.email,
            timezone=tz,
            role=a.role,
            hours_per_day_s=parse_duration(a.hours_per_day),
        )
        self.out.emit(
            _user_json(user),
            f"profile ready: {user.name} <{user.email}> ({user.role}, {user.timezone})",
        )

    def cmd_customer(self) -> None:
        a = self.args
        if a.action == "add":
            c = self.app.directory.add_customer(
                self.actor_id,
                a.name,
                internal=a.internal,
                billable=False if a.non_billable else None,
                round_increment_min=a.round_to,
                round_minimum_min=a.minimum,
            )
            self.out.emit(_customer_json(c), f"customer added: {c.name} ({c.id[:8]})")
        else:
            rows = self.app.directory.customers()
            self.out.emit(
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

    def cmd_project(self) -> None:
        a = self.args
        if a.action == "add":
            p = self.app.directory.add_project(
                self.actor_id, a.customer, a.name, billable=False if a.non_billable else None
            )
            self.out.emit(_project_json(p), f"project added: {p.customer} › {p.name} ({p.id[:8]})")
        else:
            rows = self.app.directory.projects(a.customer)
            self.out.emit(
                [_project_json(p) for p in rows],
                lambda: (
                    "\n".join(f"{p.id[:8]}  {p.customer} › {p.name}" for p in rows) or "no projects"
                ),
            )

    def cmd_task(self) -> None:
        a = self.args
        if a.action == "add":
            t = self.app.directory.add_task(
                self.actor_id, customer=a.customer, project=a.project, title=a.title, ref=a.ref
            )
            self.out.emit(_task_json(t), f"task added: {_task_path(t)} ({t.id[:8]})")
        else:
            rows = self.app.directory.tasks(a.customer)
            self.out.emit(
                [_task_json(t) for t in rows],
                lambda: "\n".join(f"{t.id[:8]}  {_task_path(t)}" for t in rows) or "no tasks",
            )

    def cmd_user(self) -> None:
        from desktop.core.durations import parse_duration

        a = self.args
        if a.action == "add":
            u = self.app.directory.add_user(
                self.actor_id,
                a.email,
                name=a.name,
                role=a.role,
                team=a.team,
                hours_per_day_s=parse_duration(a.hours_per_day) if a.hours_per_day != "0" else 0,
                target=a.target,
                timezone=a.timezone,
            )
            self.out.emit(_user_json(u), f"user added: {u.name} <{u.email}> ({u.role})")
        else:
            rows = self.app.directory.users()
            self.out.emit(
                [_user_json(u) for u in rows],
                lambda: "\n".join(
                    f"{u.email:<32} {u.name:<24} {u.role:<10} {u.team or '-':<16} "
                    f"target {u.utilization_target}%"
                    for u in rows
                ),
            )

    def cmd_team(self) -> None:
        a = self.args
        if a.action == "add":
            t = self.app.directory.add_team(self.actor_id, a.name, manager=a.manager)
            self.out.emit(_team_json(t), f"team added: {t.name} (manager {t.manager_email})")
        else:
            rows = self.app.directory.teams()
            self.out.emit(
                [_team_json(t) for t in rows],
                lambda: (
                    "\n".join(f"{t.id[:8]}  {t.name:<20} manager {t.manager_email}" for t in rows)
                    or "no teams"
                ),
            )

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


def _user_json(u: dto.User) -> dict[str, Any]:
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
                from desktop import cli_sheets, cli_sync

                commands = {**cli_sheets.COMMANDS, **cli_sync.COMMANDS}
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
    import os

    if os.environ.get("QT_QPA_PLATFORM"):
        return None
    if sys.platform.startswith(("linux", "freebsd", "openbsd")) and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    ):
        return "no graphical session: DISPLAY is not set"
    return None
