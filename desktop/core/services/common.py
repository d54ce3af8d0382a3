"""What every service shares: the database, the clock, looking things up by the
names people type (a miss names the closest ones, :func:`desktop.core.fuzzy.closest`),
and turning rows into the plain dataclasses of :mod:`desktop.core.dto`."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from desktop.core import dto, outbox
from desktop.core.db import Database
from desktop.core.errors import NoProfile, NotFound, ValidationError
from desktop.core.fuzzy import closest, did_you_mean
from desktop.core.model import Customer, Preference, Project, Task, Team, TimeEntry, User
from desktop.core.outbox import counted
from desktop.core.quickread import PROFILE_KEY as PROFILE_KEY
from desktop.core.timeutil import utcnow

Clock = Callable[[], datetime]
T = TypeVar("T")


class Service:
    def __init__(self, db: Database, clock: Clock = utcnow) -> None:
        self.db = db
        self.now = clock


def record_changes(s: Session, row: Any, values: dict[str, Any], now: datetime) -> list[str]:
    """Set the ``values`` that differ from ``row`` and queue one update naming
    them (nothing differs: nothing written, nothing queued); returns their names."""
    changed = sorted(k for k, v in values.items() if getattr(row, k) != v)
    for name in changed:
        setattr(row, name, values[name])
    if changed:
        row.updated_at = now
        outbox.record(s, row, "update", fields=[*changed, "updated_at"])
    return changed


# ------------------------------------------------------------------ lookups


def short_id(ref: str) -> str:
    """An id as messages show it: the first 8 characters of a full UUID (what
    ``entries`` prints and every lookup accepts); anything else as typed."""
    ref = ref.strip()
    return ref[:8] if len(ref) == 36 and ref.count("-") == 4 else ref


def _one_by_name(
    session: Session,
    model: type[T],
    column: object,
    ref: str,
    kind: str,
    extra: tuple[ColumnElement[bool], ...] = (),
) -> T:
    ref = ref.strip()
    if not ref:
        raise ValidationError(f"a {kind} is required")
    by_id = session.get(model, ref)
    if by_id is not None and getattr(by_id, "deleted_at", None) is None:
        return by_id
    alive: ColumnElement[bool] = model.deleted_at.is_(None)  # type: ignore[attr-defined]
    rows = list(
        session.scalars(select(model).where(alive, func.lower(column) == ref.lower(), *extra))
    )
    if len(rows) == 1:
        return rows[0]
    if len(rows) > 1:
        raise ValidationError(f'more than one {kind} is named "{ref}"; use its id')
    # A unique id prefix (as printed by `entries`) is accepted too.
    if len(ref) >= 6:
        by_prefix: ColumnElement[bool] = model.id.startswith(ref)  # type: ignore[attr-defined]
        rows = list(session.scalars(select(model).where(alive, by_prefix, *extra)))
        if len(rows) == 1:
            return rows[0]
    names = session.scalars(select(column).where(alive, *extra))  # type: ignore[call-overload]
    raise NotFound(f'no {kind} "{ref}"' + did_you_mean(closest(ref, names)))


def find_customer(session: Session, ref: str) -> Customer:
    return _one_by_name(session, Customer, Customer.name, ref, "customer")


def find_project(session: Session, ref: str, customer: Customer | None = None) -> Project:
    extra = (Project.customer_id == customer.id,) if customer is not None else ()
    try:
        return _one_by_name(session, Project, Project.name, ref, "project", extra)
    except NotFound as missing:
        if customer is not None:
            # Name a project of another customer: say so rather than "no project".
            try:
                other = _one_by_name(session, Project, Project.name, ref, "project")
            except NotFound:
                raise missing from None
            raise ValidationError(
                f'project "{other.name}" belongs to another customer, not "{customer.name}"'
            ) from None
        raise


def find_task(session: Session, ref: str) -> Task:
    """A task by id, title, or ticket reference ("4521" or "#4521")."""
    ticket = ref.strip().lstrip("#")
    if ticket:
        rows = list(
            session.scalars(
                select(Task).where(Task.deleted_at.is_(None), Task.external_ref == ticket)
            )
        )
        if len(rows) == 1:
            return rows[0]
    return _one_by_name(session, Task, Task.title, ref, "task")


def find_team(session: Session, ref: str) -> Team:
    return _one_by_name(session, Team, Team.name, ref, "team")


def find_user(session: Session, ref: str) -> User:
    ref = ref.strip()
    row = session.scalar(
        select(User).where(
            User.deleted_at.is_(None), or_(func.lower(User.email) == ref.lower(), User.id == ref)
        )
    )
    if row is None:
        emails = session.scalars(select(User.email).where(User.deleted_at.is_(None)))
        raise NotFound(f'no user "{ref}"' + did_you_mean(closest(ref, emails, limit=1)))
    return row


def profile_user_id(session: Session) -> str | None:
    pref = session.get(Preference, PROFILE_KEY)
    return None if pref is None else str(pref.value)


def require_user(session: Session, user_id: str | None) -> User:
    """The acting user, or a clear "run init" when there is no profile yet."""
    if user_id is None:
        user_id = profile_user_id(session)
    if user_id is None:
        raise NoProfile("no profile yet: run `punchclock init --name NAME --email EMAIL` first")
    row = session.get(User, user_id)
    if row is None or row.deleted_at is not None:
        raise NotFound(f'no user "{short_id(user_id)}"')
    return row


# -------------------------------------------------------------- conversions


def to_customer(row: Customer) -> dto.Customer:
    return dto.Customer(
        id=row.id,
        name=row.name,
        is_internal=row.is_internal,
        default_billable=row.default_billable,
        round_increment_min=row.round_increment_min,
        round_minimum_min=row.round_minimum_min,
        active=row.active,
    )


def to_project(session: Session, row: Project) -> dto.Project:
    customer = session.get(Customer, row.customer_id)
    return dto.Project(
        id=row.id,
        customer_id=row.customer_id,
        customer=customer.name if customer else "",
        name=row.name,
        default_billable=row.default_billable,
        active=row.active,
        budget_s=row.budget_s,
        budget_minor=row.budget_minor,
    )


def to_task(session: Session, row: Task) -> dto.Task:
    customer = session.get(Customer, row.customer_id)
    project = session.get(Project, row.project_id) if row.project_id else None
    return dto.Task(
        id=row.id,
        customer_id=row.customer_id,
        customer=customer.name if customer else "",
        project_id=row.project_id,
        project=project.name if project else None,
        title=row.title,
        external_ref=row.external_ref,
        status=row.status,
        default_billable=row.default_billable,
        created_by=row.created_by,
    )


def user_dto(row: User, team: str | None = None, managed: frozenset[str] = frozenset()) -> dto.User:
    """A user row as a dataclass, with its team's name and the teams it manages
    as given (no lookups: reports build many at once)."""
    return dto.User(
        id=row.id,
        name=row.name,
        email=row.email,
        role=row.role,
        team_id=row.team_id,
        team=team,
        work_schedule_s=tuple(row.work_schedule),
        utilization_target=row.utilization_target,
        timezone=row.timezone,
        first_weekday=row.first_weekday,
        managed_team_ids=managed,
    )


def to_user(session: Session, row: User) -> dto.User:
    team = session.get(Team, row.team_id) if row.team_id else None
    managed = frozenset(
        session.scalars(select(Team.id).where(Team.manager_id == row.id, Team.deleted_at.is_(None)))
    )
    return user_dto(row, team.name if team else None, managed)


def to_entry(session: Session, row: TimeEntry) -> dto.Entry:
    user = session.get(User, row.user_id)
    customer = session.get(Customer, row.customer_id)
    project = session.get(Project, row.project_id) if row.project_id else None
    task = session.get(Task, row.task_id) if row.task_id else None
    return _entry(row, user, customer, project, task)


def _entry(
    row: Any,
    user: User | None,
    customer: Customer | None,
    project: Project | None,
    task: Task | None,
) -> dto.Entry:
    return dto.Entry(
        id=row.id,
        user_id=row.user_id,
        user=user.email if user else "",
        customer_id=row.customer_id,
        customer=customer.name if customer else "",
        project_id=row.project_id,
        project=project.name if project else None,
        task_id=row.task_id,
        task=task.title if task else None,
        task_ref=task.external_ref if task else None,
        work_date=row.work_date,
        started_at=row.started_at,
        ended_at=row.ended_at,
        duration_s=row.duration_s,
        description=row.description,
        billable=row.billable,
        source=row.source,
        rejection_reason=row.rejection_reason,
        version=row.version,
    )


class _Names:
    """The users, customers, projects and tasks of many entries, four queries."""

    def __init__(self, session: Session, rows: Sequence[Any]) -> None:
        def by_id(model: Any, ids: set[str | None]) -> dict[str, Any]:
            wanted = [i for i in ids if i]
            if not wanted:
                return {}
            return {r.id: r for r in session.scalars(select(model).where(model.id.in_(wanted)))}

        self.users = by_id(User, {r.user_id for r in rows})
        self.customers = by_id(Customer, {r.customer_id for r in rows})
        self.projects = by_id(Project, {r.project_id for r in rows})
        self.tasks = by_id(Task, {r.task_id for r in rows})

    def entry(self, row: Any) -> dto.Entry:
        return _entry(
            row,
            self.users.get(row.user_id),
            self.customers.get(row.customer_id),
            self.projects.get(row.project_id) if row.project_id else None,
            self.tasks.get(row.task_id) if row.task_id else None,
        )


def to_entries(session: Session, rows: Sequence[TimeEntry]) -> list[dto.Entry]:
    """Many rows as entries with four queries (their users, customers, projects
    and tasks), never a lookup per entry."""
    names = _Names(session, rows)
    return [names.entry(r) for r in rows]


_ENTRY_COLUMNS = (
    TimeEntry.id,
    TimeEntry.user_id,
    TimeEntry.customer_id,
    TimeEntry.project_id,
    TimeEntry.task_id,
    TimeEntry.work_date,
    TimeEntry.started_at,
    TimeEntry.ended_at,
    TimeEntry.duration_s,
    TimeEntry.description,
    TimeEntry.billable,
    TimeEntry.source,
    TimeEntry.rejection_reason,
    TimeEntry.version,
)


def select_entries(session: Session, *where: ColumnElement[bool]) -> list[dto.Entry]:
    """The live entries matching ``where``, in date and time order, read as plain
    columns (no ORM objects: a 1,000-entry week in a few milliseconds) with
    five queries in all."""
    rows = list(
        session.execute(
            select(*_ENTRY_COLUMNS)
            .where(counted(TimeEntry), *where)
            .order_by(TimeEntry.work_date, TimeEntry.started_at, TimeEntry.created_at)
        )
    )
    names = _Names(session, rows)
    return [names.entry(r) for r in rows]


def to_users(session: Session, rows: Iterable[User]) -> list[dto.User]:
    """Many users with one more query (the teams), not two per user."""
    teams = list(session.scalars(select(Team).where(Team.deleted_at.is_(None))))
    names = {t.id: t.name for t in teams}
    managed: dict[str, set[str]] = {}
    for t in teams:
        if t.manager_id:
            managed.setdefault(t.manager_id, set()).add(t.id)
    return [
        user_dto(r, names.get(r.team_id) if r.team_id else None, frozenset(managed.get(r.id, ())))
        for r in rows
    ]
