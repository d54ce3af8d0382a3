"""Directory: customers, projects, tasks (tickets), users, teams and the local profile.

Rules:
* names are trimmed, 1–200 characters, no control characters; a customer name is
  unique (case-insensitive), a project name unique within its customer;
* a task belongs to a project (and so to that project's customer) or directly to
  a customer; a ticket reference is unique among live tasks;
* changing, archiving and deleting what exists is
  :mod:`desktop.core.services.directory_changes` (the other half of this
  service); the pickers' lists leave out archived customers, projects and
  tasks, and the projects and tasks of an archived customer or project;
* a task is renamed, archived or reopened by its opener while nobody else has
  logged time on it, or by a manager or admin; a task any entry refers to is
  never deleted (archive it instead); an archived task keeps its entries
  editable (:func:`desktop.core.permissions.can_edit_task`,
  :func:`~desktop.core.permissions.can_delete_task`; locally "in use" is what
  this store holds — the server decides with everyone's entries);
* who may add what is :mod:`desktop.core.permissions`;
* a project may carry a budget in hours or in money (minor units), not both;
  a budget is more than 0 (at most 100,000 h or 10^12 minor units); setting
  one replaces the other, ``clear`` removes it;
* every change writes its outbox row in the same transaction.
"""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from desktop.core import dto, outbox, permissions
from desktop.core.errors import Forbidden, ValidationError
from desktop.core.model import Customer, Preference, Project, Task, Team, User
from desktop.core.services.common import (
    PROFILE_KEY,
    find_customer,
    find_project,
    find_team,
    find_user,
    profile_user_id,
    require_user,
    to_customer,
    to_project,
    to_task,
    to_user,
    to_users,
)
from desktop.core.services.directory_changes import (
    DirectoryChanges,
    check_customer_name,
    check_project_name,
    check_rounding,
    check_ticket,
    clean_name,
)
from desktop.core.timeutil import zone

DEFAULT_HOURS_PER_DAY_S = 8 * 3600


def _email(text: str) -> str:
    email = text.strip().lower()
    local, _, domain = email.partition("@")
    odd = any(c.isspace() or not c.isprintable() for c in email)
    if not local or "." not in domain or odd or len(email) > 320:
        raise ValidationError(f'"{text}" is not an email address')
    return email


def _schedule(hours_per_day_s: int) -> list[int]:
    if not 0 <= hours_per_day_s <= 24 * 3600:
        raise ValidationError("hours per day must be between 0 and 24")
    return [hours_per_day_s] * 5 + [0, 0]


def _role(role: str) -> str:
    if role not in permissions.ROLES:
        raise ValidationError(f'unknown role "{role}"; use technician, manager or admin')
    return role


def _target(target: int) -> int:
    if not 0 <= target <= 200:
        raise ValidationError("a utilization target is a percentage between 0 and 200")
    return target


MAX_BUDGET_S = 100_000 * 3600
MAX_BUDGET_MINOR = 10**12


def _check_budget(budget_s: int | None, budget_minor: int | None) -> None:
    if budget_s is not None and budget_minor is not None:
        raise ValidationError("a project's budget is in hours or in money, not both")
    if budget_s is not None and not 0 < budget_s <= MAX_BUDGET_S:
        raise ValidationError("a budget in hours must be more than 0 and at most 100,000 h")
    if budget_minor is not None and not 0 < budget_minor <= MAX_BUDGET_MINOR:
        raise ValidationError("a budget amount must be more than 0 (and not absurdly large)")


def _timezone(name: str) -> str:
    zone(name)
    return name


class DirectoryService(DirectoryChanges):
    # ------------------------------------------------------------- profile

    def profile(self) -> dto.User | None:
        """The user this device tracks for, or None before `init`."""
        with self.db.read() as s:
            user_id = profile_user_id(s)
            row = s.get(User, user_id) if user_id else None
            return to_user(s, row) if row is not None else None

    def init_profile(
        self,
        *,
        name: str,
        email: str,
        timezone: str = "UTC",
        role: str = permissions.ADMIN,
        hours_per_day_s: int = DEFAULT_HOURS_PER_DAY_S,
    ) -> dto.User:
        """Create (or adopt, when the email already exists) the local profile.

        In standalone mode the person who sets the app up owns the database, so
        the default role is admin; a synced device takes its role from the server.
        """
        with self.db.write() as s:
            existing = s.scalar(select(User).where(User.email == _email(email)))
            if existing is None:
                existing = User(
                    name=clean_name(name, "user"),
                    email=_email(email),
                    role=_role(role),
                    work_schedule=_schedule(hours_per_day_s),
                    timezone=_timezone(timezone),
                )
                s.add(existing)
                outbox.record(s, existing, "create")
            s.merge(Preference(key=PROFILE_KEY, value=existing.id))
            s.flush()
            return to_user(s, existing)

    def user(self, ref: str | None = None) -> dto.User:
        """A user by email or id; without a ref, the profile (or a NoProfile error)."""
        with self.db.read() as s:
            row = find_user(s, ref) if ref else require_user(s, None)
            return to_user(s, row)

    # ------------------------------------------------------------ customers

    def add_customer(
        self,
        actor_id: str | None,
        name: str,
        *,
        internal: bool = False,
        billable: bool | None = None,
        round_increment_min: int = 0,
        round_minimum_min: int = 0,
    ) -> dto.Customer:
        """Internal customers default to non-billable; rounding is in minutes."""
        check_rounding(round_increment_min, round_minimum_min)
        with self.db.write() as s:
            actor = to_user(s, require_user(s, actor_id))
            if not permissions.can_manage_customers(actor):
                raise Forbidden("only managers and admins can add customers")
            name = check_customer_name(s, name)
            row = Customer(
                name=name,
                is_internal=internal,
                default_billable=(not internal) if billable is None else billable,
                round_increment_min=round_increment_min,
                round_minimum_min=round_minimum_min,
            )
            s.add(row)
            outbox.record(s, row, "create")
            return to_customer(row)

    def customers(self, *, include_inactive: bool = False) -> list[dto.Customer]:
        with self.db.read() as s:
            q = select(Customer).where(Customer.deleted_at.is_(None))
            if not include_inactive:
                q = q.where(Customer.active.is_(True))
            return [to_customer(r) for r in s.scalars(q.order_by(func.lower(Customer.name)))]

    # ------------------------------------------------------------- projects

    def add_project(
        self,
        actor_id: str | None,
        customer: str,
        name: str,
        *,
        billable: bool | None = None,
        budget_s: int | None = None,
        budget_minor: int | None = None,
    ) -> dto.Project:
        """``billable=None`` inherits the customer's default; an optional budget
        in hours (seconds) or money (minor units)."""
        _check_budget(budget_s, budget_minor)
        with self.db.write() as s:
            actor = to_user(s, require_user(s, actor_id))
            if not permissions.can_manage_customers(actor):
                raise Forbidden("only managers and admins can add projects")
            owner = find_customer(s, customer)
            name = check_project_name(s, owner, name)
            row = Project(
                customer_id=owner.id,
                name=name,
                default_billable=billable,
                budget_s=budget_s,
                budget_minor=budget_minor,
            )
            s.add(row)
            outbox.record(s, row, "create")
            return to_project(s, row)

    def set_project_budget(
        self,
        actor_id: str | None,
        project: str,
        *,
        customer: str | None = None,
        budget_s: int | None = None,
        budget_minor: int | None = None,
        clear: bool = False,
    ) -> dto.Project:
        """Give a project a budget in hours (seconds) or money (minor units), or
        ``clear`` it (managers and admins)."""
        if clear and (budget_s is not None or budget_minor is not None):
            raise ValidationError("clear the budget or set one, not both")
        if not clear:
            _check_budget(budget_s, budget_minor)
            if budget_s is None and budget_minor is None:
                raise ValidationError("give the budget in hours or as an amount")
        with self.db.write() as s:
            actor = to_user(s, require_user(s, actor_id))
            if not permissions.can_manage_customers(actor):
                raise Forbidden("only managers and admins can change project budgets")
            owner = find_customer(s, customer) if customer else None
            row = find_project(s, project, owner)
            if (row.budget_s, row.budget_minor) != (budget_s, budget_minor):
                row.budget_s, row.budget_minor = budget_s, budget_minor
                row.updated_at = self.now()
                outbox.record(s, row, "update", fields=["budget_s", "budget_minor", "updated_at"])
            return to_project(s, row)

    def projects(
        self, customer: str | None = None, *, include_inactive: bool = False
    ) -> list[dto.Project]:
        """Live projects; archived ones (or an archived customer's) only with
        ``include_inactive``."""
        with self.db.read() as s:
            q = (
                select(Project)
                .join(Customer, Customer.id == Project.customer_id)
                .where(Project.deleted_at.is_(None))
            )
            if not include_inactive:
                q = q.where(Project.active.is_(True), Customer.active.is_(True))
            if customer:
                q = q.where(Project.customer_id == find_customer(s, customer).id)
            rows = s.scalars(q.order_by(func.lower(Project.name)))
            return sorted((to_project(s, r) for r in rows), key=lambda p: (p.customer, p.name))

    # ---------------------------------------------------------------- tasks

    def add_task(
        self,
        actor_id: str | None,
        *,
        customer: str,
        title: str,
        project: str | None = None,
        ref: str | None = None,
        billable: bool | None = None,
    ) -> dto.Task:
        with self.db.write() as s:
            actor = to_user(s, require_user(s, actor_id))
            if not permissions.can_create_task(actor):
                raise Forbidden("you can't add tasks")
            owner = find_customer(s, customer)
            proj = find_project(s, project, owner) if project else None
            ticket = check_ticket(s, ref) if ref else None
            row = Task(
                customer_id=owner.id,
                project_id=proj.id if proj else None,
                title=clean_name(title, "task", limit=300),
                external_ref=ticket,
                default_billable=billable,
                created_by=actor.id,
            )
            s.add(row)
            outbox.record(s, row, "create")
            return to_task(s, row)

    def tasks(self, customer: str | None = None, *, include_closed: bool = False) -> list[dto.Task]:
        with self.db.read() as s:
            q = select(Task).where(Task.deleted_at.is_(None))
            if not include_closed:
                archived_parent = or_(
                    Task.customer_id.in_(select(Customer.id).where(Customer.active.is_(False))),
                    Task.project_id.in_(select(Project.id).where(Project.active.is_(False))),
                )
                q = q.where(Task.status == "open", ~archived_parent)
            if customer:
                q = q.where(Task.customer_id == find_customer(s, customer).id)
            rows = [to_task(s, r) for r in s.scalars(q)]
            return sorted(rows, key=lambda t: (t.customer, t.project or "", t.label))

    # --------------------------------------------------------- users, teams

    def add_user(
        self,
        actor_id: str | None,
        email: str,
        *,
        name: str,
        role: str = permissions.TECHNICIAN,
        team: str | None = None,
        hours_per_day_s: int = DEFAULT_HOURS_PER_DAY_S,
        target: int = 75,
        timezone: str | None = None,
    ) -> dto.User:
        with self.db.write() as s:
            actor_row = require_user(s, actor_id)
            if not permissions.can_manage_people(to_user(s, actor_row)):
                raise Forbidden("only admins can add users")
            address = _email(email)
            if s.scalar(select(User).where(User.email == address)) is not None:
                raise ValidationError(f"a user with email {address} already exists")
            row = User(
                name=clean_name(name, "user"),
                email=address,
                role=_role(role),
                team_id=find_team(s, team).id if team else None,
                work_schedule=_schedule(hours_per_day_s),
                utilization_target=_target(target),
                timezone=_timezone(timezone or actor_row.timezone),
            )
            s.add(row)
            outbox.record(s, row, "create")
            return to_user(s, row)

    def users(self) -> list[dto.User]:
        with self.db.read() as s:
            rows = s.scalars(select(User).where(User.deleted_at.is_(None)).order_by(User.email))
            return to_users(s, rows)

    def add_team(self, actor_id: str | None, name: str, *, manager: str) -> dto.Team:
        """The manager must be a manager or admin; they approve the team's weeks."""
        with self.db.write() as s:
            if not permissions.can_manage_people(to_user(s, require_user(s, actor_id))):
                raise Forbidden("only admins can add teams")
            boss = find_user(s, manager)
            if not permissions.can_lead_team(boss.role):
                raise ValidationError(f"{boss.email} is a {boss.role}; a team needs a manager")
            name = clean_name(name, "team")
            clash = s.scalar(
                select(Team).where(Team.deleted_at.is_(None), func.lower(Team.name) == name.lower())
            )
            if clash is not None:
                raise ValidationError(f'a team named "{clash.name}" already exists')
            row = Team(name=name, manager_id=boss.id)
            s.add(row)
            outbox.record(s, row, "create")
            return _to_team(s, row)

    def teams(self) -> list[dto.Team]:
        with self.db.read() as s:
            rows = s.scalars(select(Team).where(Team.deleted_at.is_(None)).order_by(Team.name))
            return [_to_team(s, r) for r in rows]


def _to_team(s: Session, row: Team) -> dto.Team:
    boss = s.get(User, row.manager_id) if row.manager_id else None
    return dto.Team(
        id=row.id,
        name=row.name,
        manager_id=row.manager_id,
        manager_email=boss.email if boss else None,
    )
