"""A believable demo MSP: used by newcomers (`punchclock demo`, the welcome
dialog), screenshots and benchmarks.

Northwind IT Services looks after a dozen customers. A manager leads a team of
technicians with schedules and utilization targets; each worked the last few
weeks on tickets and projects, with meetings, travel and admin logged to the
internal customer as non-billable time, and — as in real life — a few vague
descriptions ("client stuff").

Past weeks then go through the approval workflow like a real team's: most are
submitted and approved, last week waits for approval, one was rejected with a
reason on an entry, and weeks whose descriptions break the policy stay draft.

The same seed gives the same company. The directory and the time are written
in one transaction (with their outbox rows), so a failed load leaves nothing
behind; the workflow then runs through the timesheet service.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop.core import outbox
from desktop.core.errors import ValidationError
from desktop.core.model import (
    Customer,
    Holiday,
    Preference,
    Project,
    Rate,
    Task,
    Team,
    TimeEntry,
    User,
)
from desktop.core.services.common import PROFILE_KEY, profile_user_id
from desktop.core.timeutil import local_to_utc, week_start, work_date

if TYPE_CHECKING:
    from desktop.core.app import Punchclock

HOUR = 3600

CUSTOMERS: list[tuple[str, int, int, list[str]]] = [
    # name, rounding increment (min), minimum (min), projects
    ("ACME Logistics", 6, 15, ["Server migration", "Managed services"]),
    ("Birchwood Dental", 15, 15, ["Managed services"]),
    ("Castle & Finch Law", 6, 0, ["Microsoft 365 rollout", "Managed services"]),
    ("Delta Air Parts", 15, 30, ["Managed services", "Firewall replacement"]),
    ("Evergreen Unified School District", 6, 0,
     ["Chromebook fleet refresh and Google Workspace migration", "Managed services"]),
    ("Fairview Veterinary", 15, 15, ["Managed services"]),
    ("Granite Construction Co", 6, 15, ["Site networking", "Managed services"]),
    ("Harbor Accounting", 6, 6, ["Tax season readiness", "Managed services"]),
    ("Ironclad Security", 15, 0, ["Managed services"]),
    ("Juniper Clinics", 6, 15, ["EHR upgrade", "Managed services"]),
    ("Kestrel & Whitford Architecture Partners", 15, 15,
     ["Managed services", "Backup overhaul with offsite replication"]),
]
INTERNAL = "Northwind IT Services (internal)"
INTERNAL_PROJECTS = ["Meetings", "Travel", "Training", "Admin"]

TICKET_TITLES = [
    "Outlook keeps asking for password",
    "Printer on 2nd floor offline",
    "New starter laptop setup",
    "VPN drops every 10 minutes",
    "Replace failed disk in NAS",
    "Shared mailbox permissions",
    "Wi-Fi dead spot in warehouse",
    "Renew SSL certificate",
    "Patch Tuesday rollout",
    "Backup job failed overnight",
    "MFA reset for CFO",
    "Teams phone not ringing",
    "Slow file server",
    "Decommission the Windows Server 2012 R2 domain controller at the Riverside office",
]
WORK_NOTES = [
    "Reset credential manager entries and rebuilt the Outlook profile; user confirmed",
    "Cleared spooler, reinstalled the driver via GPO, printed test page",
    "Imaged laptop, enrolled in Intune, installed line-of-business apps",
    "Raised IKE lifetime on the firewall, monitored tunnel for an hour",
    "Hot-swapped disk 3, rebuild started, checked SMART on the others",
    "Granted full access and send-as on the shared mailbox; tested with user",
    "Site survey with the heat map, moved AP-4 closer to the racking",
    "Generated CSR, installed the renewed certificate on IIS and the firewall",
    "Approved and deployed this month's patches to the pilot ring",
    "Investigated VSS errors, re-ran the backup job, verified restore point",
    "Reset MFA methods after identity check by phone",
    "Fixed call queue membership and tested inbound routing",
    "Moved DFS namespace target, measured SMB throughput before and after",
    "Migrated FSMO roles and demoted the old DC, cleaned up DNS",
]
VAGUE = ["client stuff", "work", "misc", "fixes", "stuff"]
INTERNAL_NOTES = {
    "Meetings": ["Weekly team stand-up and ticket triage", "One-to-one with team lead"],
    "Travel": ["Drive to customer site and back", "Travel to the data centre"],
    "Training": ["Azure administrator course module", "Vendor webinar on firewall updates"],
    "Admin": ["Expenses and timesheet tidy-up", "Updated documentation in the wiki"],
}
FIRST = ["Alex", "Sam", "Priya", "Jordan", "Mei", "Tomas", "Olu", "Hannah", "Diego", "Kai"]
LAST = ["Novak", "Reyes", "Shah", "Keller", "Lin", "Berg", "Adeyemi", "Moss", "Ruiz", "Tanaka"]


@dataclass
class _Ctx:
    s: Session
    rng: random.Random

    def add(self, row: object) -> None:
        self.s.add(row)
        outbox.record(self.s, row, "create")  # type: ignore[arg-type]


def load_demo(
    app: Punchclock, *, technicians: int = 6, weeks: int = 6, seed: int = 1
) -> dict[str, int]:
    """Create the demo company; returns how many of each thing were made.

    Refused when the database already holds time entries of other people (a
    demo must never mix with real data)."""
    if not 1 <= technicians <= len(FIRST):
        raise ValidationError(f"technicians must be between 1 and {len(FIRST)}")
    if not 1 <= weeks <= 52:
        raise ValidationError("weeks must be between 1 and 52")
    rng = random.Random(seed)
    now = app.clock()
    with app.db.write() as s:
        if s.scalar(select(func.count()).select_from(Customer)):
            raise ValidationError(
                "this database already has customers; demo data goes into "
                "an empty one (use --data-dir)"
            )
        ctx = _Ctx(s, rng)
        profile_id = profile_user_id(s)
        tz = s.get(User, profile_id).timezone if profile_id else "UTC"  # type: ignore[union-attr]
        customers, projects, tasks = _directory(ctx)
        people = _people(ctx, technicians, tz)
        if profile_id is None:
            s.merge(Preference(key=PROFILE_KEY, value=people[1].id))
        _rates(ctx, people, customers, projects, now)
        today = work_date(now, tz)
        holidays = _holidays(ctx, today, weeks)
        n_entries = 0
        for tech in people[1:]:
            n_entries += _weeks_of_work(
                ctx, tech, customers, projects, tasks, today, weeks, {h.date for h in holidays}
            )
    sheets = _workflow_history(app, [p.id for p in people], today, weeks)
    return {
        "sheets": sheets,
        "customers": len(customers),
        "projects": len(projects),
        "tasks": len(tasks),
        "users": len(people),
        "entries": n_entries,
    }


def _workflow_history(app: Punchclock, people: list[str], today: date, weeks: int) -> int:
    """Submit every finished week; the manager approves all but last week's, and
    rejects one technician's last week with a reason on its first entry."""
    manager, techs = people[0], people[1:]
    this_week = week_start(today)
    decided = 0
    for n in range(weeks - 1, 0, -1):
        day = this_week - timedelta(weeks=n)
        for i, tech in enumerate(techs):
            try:
                app.timesheets.submit(tech, day)
            except ValidationError:
                continue  # a vague description or an overlap: the week stays draft
            decided += 1
            if n > 1:
                app.timesheets.approve(manager, tech, day)
            elif i == 0:
                entries = app.tracking.entries(tech, start=day, end=day + timedelta(days=6))
                app.timesheets.reject(
                    manager,
                    tech,
                    day,
                    "Please split the Monday ticket work per ticket",
                    {entries[0].id: "Which ticket was this? Add the ticket number"},
                )
    return decided


def _directory(ctx: _Ctx) -> tuple[list[Customer], list[Project], list[Task]]:
    customers: list[Customer] = []
    projects: list[Project] = []
    tasks: list[Task] = []
    internal = Customer(name=INTERNAL, is_internal=True, default_billable=False)
    ctx.add(internal)
    customers.append(internal)
    for name in INTERNAL_PROJECTS:
        p = Project(customer_id=internal.id, name=name, default_billable=False)
        ctx.add(p)
        projects.append(p)
    ticket = 4500
    for name, increment, minimum, project_names in CUSTOMERS:
        c = Customer(name=name, round_increment_min=increment, round_minimum_min=minimum)
        ctx.add(c)
        customers.append(c)
        for pname in project_names:
            p = Project(customer_id=c.id, name=pname)
            ctx.add(p)
            projects.append(p)
            for title in ctx.rng.sample(TICKET_TITLES, 3):
                ticket += ctx.rng.randint(1, 40)
                t = Task(customer_id=c.id, project_id=p.id, title=title, external_ref=str(ticket))
                ctx.add(t)
                tasks.append(t)
    return customers, projects, tasks


def _people(ctx: _Ctx, technicians: int, tz: str) -> list[User]:
    """[manager, technician…]; the manager leads the one team."""
    schedule = [8 * HOUR] * 5 + [0, 0]
    manager = User(
        name="Morgan Blake",
        email="morgan@northwind.example",
        role="manager",
        work_schedule=schedule,
        utilization_target=40,
        timezone=tz,
    )
    ctx.add(manager)
    team = Team(name="Service Desk", manager_id=manager.id)
    ctx.add(team)
    manager.team_id = team.id
    outbox.record(ctx.s, manager, "update", fields=["team_id"])
    people = [manager]
    for i in range(technicians):
        part_time = i == technicians - 1 and technicians > 2
        u = User(
            name=f"{FIRST[i]} {LAST[i]}",
            email=f"{FIRST[i].lower()}@northwind.example",
            role="technician",
            team_id=team.id,
            work_schedule=[6 * HOUR] * 4 + [0, 0, 0] if part_time else schedule,
            utilization_target=ctx.rng.choice([70, 75, 80]),
            timezone=tz,
        )
        ctx.add(u)
        people.append(u)
    return people


def _rates(
    ctx: _Ctx, people: list[User], customers: list[Customer], projects: list[Project], now: datetime
) -> None:
    since = date(now.year - 1, 1, 1)
    for u in people:
        billing = ctx.rng.choice([9500, 11000, 12500, 14500])
        ctx.add(
            Rate(
                user_id=u.id,
                kind="billing",
                amount_minor=billing,
                currency="EUR",
                effective_from=since,
            )
        )
        ctx.add(
            Rate(
                user_id=u.id,
                kind="cost",
                amount_minor=ctx.rng.choice([3800, 4500, 5200]),
                currency="EUR",
                effective_from=since,
            )
        )
        # A negotiated customer rate and a fixed project rate, like real contracts.
        ctx.add(
            Rate(
                user_id=u.id,
                kind="billing",
                amount_minor=billing - 1500,
                currency="EUR",
                effective_from=since,
                customer_id=customers[2].id,
            )
        )
        ctx.add(
            Rate(
                user_id=u.id,
                kind="billing",
                amount_minor=16000,
                currency="EUR",
                effective_from=since,
                customer_id=projects[4].customer_id,
                project_id=projects[4].id,
            )
        )


def _holidays(ctx: _Ctx, today: date, weeks: int) -> list[Holiday]:
    """One company holiday inside the demo period (a Monday, three weeks back)."""
    if weeks < 3:
        return []
    day = week_start(today) - timedelta(weeks=3)
    h = Holiday(date=day, hours_s=8 * HOUR, name="Company day off")
    ctx.add(h)
    return [h]


def _weeks_of_work(
    ctx: _Ctx,
    tech: User,
    customers: list[Customer],
    projects: list[Project],
    tasks: list[Task],
    today: date,
    weeks: int,
    holidays: set[date],
) -> int:
    rng = ctx.rng
    internal = customers[0]
    internal_projects = {p.name: p for p in projects if p.customer_id == internal.id}
    # Each technician mostly serves a handful of customers.
    mine = rng.sample([t for t in tasks], 10)
    first = week_start(today) - timedelta(weeks=weeks - 1)
    made = 0
    day = first
    while day < today:
        scheduled = tech.work_schedule[day.weekday()]
        if scheduled and day not in holidays:
            made += _one_day(ctx, tech, day, scheduled, mine, internal, internal_projects)
        day += timedelta(days=1)
    return made


def _one_day(
    ctx: _Ctx,
    tech: User,
    day: date,
    scheduled: int,
    mine: list[Task],
    internal: Customer,
    internal_projects: dict[str, Project],
) -> int:
    rng = ctx.rng
    clock = datetime.combine(day, time(8, 0)) + timedelta(minutes=rng.choice([0, 10, 20, 30]))
    end_of_day = clock + timedelta(seconds=scheduled + rng.choice([-1800, 0, 0, 1800, 3600]))
    made = 0
    lunch_done = False
    if day.weekday() == 0:  # Monday stand-up
        made += _entry(
            ctx,
            tech,
            internal,
            internal_projects["Meetings"],
            None,
            clock,
            30,
            rng.choice(INTERNAL_NOTES["Meetings"]),
            False,
        )
        clock += timedelta(minutes=30)
    while clock < end_of_day - timedelta(minutes=15):
        if not lunch_done and clock.hour >= 12:
            clock += timedelta(minutes=30)
            lunch_done = True
            continue
        minutes = rng.choice([15, 20, 30, 45, 60, 75, 90, 120])
        minutes = min(minutes, int((end_of_day - clock).total_seconds() // 60))
        roll = rng.random()
        if roll < 0.12:
            name = rng.choice(["Travel", "Training", "Admin", "Meetings"])
            made += _entry(
                ctx,
                tech,
                internal,
                internal_projects[name],
                None,
                clock,
                minutes,
                rng.choice(INTERNAL_NOTES[name]),
                False,
            )
        else:
            task = rng.choice(mine)
            note = WORK_NOTES[TICKET_TITLES.index(task.title)]
            if rng.random() < 0.004:
                note = rng.choice(VAGUE)
            customer = ctx.s.get(Customer, task.customer_id)
            project = ctx.s.get(Project, task.project_id) if task.project_id else None
            assert customer is not None
            made += _entry(ctx, tech, customer, project, task, clock, minutes, note, True)
        clock += timedelta(minutes=minutes)
    return made


def _entry(
    ctx: _Ctx,
    tech: User,
    customer: Customer,
    project: Project | None,
    task: Task | None,
    local_start: datetime,
    minutes: int,
    description: str,
    billable: bool,
) -> int:
    started = local_to_utc(local_start.date(), local_start.time(), tech.timezone)
    ended = started + timedelta(minutes=minutes)
    ctx.add(
        TimeEntry(
            user_id=tech.id,
            customer_id=customer.id,
            project_id=project.id if project else None,
            task_id=task.id if task else None,
            work_date=local_start.date(),
            started_at=started,
            ended_at=ended,
            duration_s=minutes * 60,
            description=description,
            billable=billable,
            source=ctx.rng.choice(["timer", "timer", "timer", "manual"]),
        )
    )
    return 1
