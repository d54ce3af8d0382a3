"""Authorization: the ONE policy every list, single-record, changes and push
path asks (one policy, so that a list and a single record can never disagree on who may see what).

Reading (:func:`visible` — an SQL condition, so lists, single records and the
changes feed filter identically; :func:`can_read` asks the same rule of a row
already loaded; both are built from :func:`_read_rule`):

* time entries, timesheets and their events: the owner; the manager of the
  owner's team (a team whose ``manager_id`` is the actor, when the actor's
  role is manager or admin — :func:`desktop.core.permissions.can_lead_team`;
  a technician set as a team's manager reads only their own); admins all;
* rates: the rates of the people whose entries the actor reads; cost rates
  only for those who may see cost
  (:func:`desktop.core.permissions.can_see_cost`): a technician reads their
  own billing rates, a manager the billing and cost rates of their team's
  members and their own, an admin every rate;
* holidays: company holidays for everyone; time off like entries;
* customers, projects, tasks, teams, users, company settings: everyone signed in.

When a change to a user or a team changes what someone reads, the devices
follow: :mod:`sync.server.views` records the rows that entered and left each
affected reader's view, judged by this same :func:`visible`.

Writing (:func:`check_write`, on the current and the new row):

* customers, projects: managers and admins; users, teams, rates, company
  settings, company holidays: admins; a team's manager is a manager or an
  admin (:func:`check_team_manager`); time off: admins or the manager of that
  user's team — the functions of :mod:`desktop.core.permissions`;
* tasks (:func:`check_task_write`): anyone creates one, as its ``created_by``
  (the server sets it; a push can't name someone else or change it later);
  a technician changes only a task they created while no one else's entry
  refers to it; managers and admins change any; a task any live entry refers
  to is never deleted ("archive it instead");
* time entries: only their owner; nobody logs time for someone else;
* timesheets and timesheet events change only through workflow actions.

Server-owned fields (:data:`SERVER_OWNED`) can't be set by a push: a create may
not give them a value and an update may not change them (``forbidden``). The
exceptions: the owner editing an entry clears its ``rejection_reason``, as
the desktop does; and an admin sets or clears an entry's ``exported_at`` (the
accounting export's stamp, :func:`desktop.core.permissions.can_export`) — on
anyone's entry, in any week, when that is all the update changes. An entry
with ``exported_at`` is locked for everyone but admins
(:func:`desktop.core.permissions.can_change_exported`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, false, or_, select, true

from desktop.core import dto, permissions
from desktop.core.errors import Conflict, Forbidden, Locked, NotFound
from desktop.core.errors import ValidationError as CoreValidation
from desktop.core.workflow import Actor as WorkflowActor
from desktop.core.workflow import Role
from sync.server.db.models import ENTITY_TABLES

SERVER_OWNED: dict[str, frozenset[str]] = {
    "time_entry": frozenset({"rejection_reason", "exported_at"}),
    "timesheet": frozenset({"status", "submitted_at", "decided_at", "decided_by"}),
}

_user = ENTITY_TABLES["user"]
_team = ENTITY_TABLES["team"]
_entry = ENTITY_TABLES["time_entry"]
_rate = ENTITY_TABLES["rate"]


@dataclass(frozen=True)
class Principal:
    """The authenticated user, with the teams they manage and those teams' members."""

    id: str
    role: str
    team_id: str | None
    managed_team_ids: frozenset[str]
    member_ids: frozenset[str]

    @property
    def is_admin(self) -> bool:
        return self.role == permissions.ADMIN

    def as_dto(self) -> dto.User:
        """A :class:`desktop.core.dto.User` for the permission functions."""
        return dto.User(
            id=self.id,
            name="",
            email="",
            role=self.role,
            team_id=self.team_id,
            team=None,
            work_schedule_s=(),
            utilization_target=0,
            timezone="UTC",
            first_weekday=0,
            managed_team_ids=self.managed_team_ids,
        )

    def workflow_actor(self) -> WorkflowActor:
        return WorkflowActor(self.id, Role(self.role), self.managed_team_ids)

    def reads_user(self, user_id: str | None) -> bool:
        """Whether the actor reads ``user_id``'s entries, sheets and time off."""
        return self.is_admin or user_id == self.id or user_id in self.member_ids


def load_principal(conn: Connection, user_id: str) -> Principal | None:
    """The principal of an active, not deleted user (None otherwise)."""
    user = (
        conn.execute(
            select(_user).where(
                _user.c.id == user_id, _user.c.deleted_at.is_(None), _user.c.active.is_(True)
            )
        )
        .mappings()
        .first()
    )
    if user is None:
        return None
    managed = (
        frozenset(
            conn.scalars(
                select(_team.c.id).where(
                    _team.c.manager_id == user_id, _team.c.deleted_at.is_(None)
                )
            )
        )
        if permissions.can_lead_team(user["role"])
        else frozenset()
    )
    members = (
        frozenset(
            conn.scalars(
                select(_user.c.id).where(_user.c.team_id.in_(managed), _user.c.deleted_at.is_(None))
            )
        )
        if managed
        else frozenset()
    )
    return Principal(user_id, user["role"], user["team_id"], managed, members)


@dataclass(frozen=True)
class _ReadRule:
    """Which rows of one entity one actor reads: the single statement of the
    reading rules (module docstring), turned into SQL by :func:`visible` and
    checked on a loaded row by :func:`can_read`."""

    everyone: bool = False  # every row
    nobody: bool = False  # no row (not a synced entity)
    owner: str | None = None  # the column naming the row's user: rows of users the actor reads
    unowned: bool = False  # … and rows whose owner is empty (company holidays)
    billing_only: bool = False  # … and of those only billing rates
    via_sheet: bool = False  # rows of timesheets the actor reads (timesheet events)


def _read_rule(entity: str, actor: Principal) -> _ReadRule:
    if entity not in ENTITY_TABLES:
        return _ReadRule(nobody=True)
    if actor.is_admin:
        return _ReadRule(everyone=True)
    if entity in ("time_entry", "timesheet"):
        return _ReadRule(owner="user_id")
    if entity == "timesheet_event":
        return _ReadRule(via_sheet=True)
    if entity == "rate":
        return _ReadRule(owner="user_id", billing_only=not permissions.can_see_cost(actor.as_dto()))
    if entity == "holiday":
        return _ReadRule(owner="user_id", unowned=True)
    return _ReadRule(everyone=True)


def _owned_by_readable(actor: Principal, column: Any) -> ColumnElement[bool]:
    if actor.is_admin:
        return true()
    condition: ColumnElement[bool] = column.in_(sorted({actor.id, *actor.member_ids}))
    return condition


def visible(entity: str, actor: Principal) -> ColumnElement[bool]:
    """The SQL condition selecting the rows of ``entity`` the actor may read."""
    rule = _read_rule(entity, actor)
    if rule.nobody:
        return false()
    if rule.everyone:
        return true()
    t = ENTITY_TABLES[entity]
    if rule.via_sheet:
        sheets = ENTITY_TABLES["timesheet"]
        return t.c.timesheet_id.in_(
            select(sheets.c.id).where(_owned_by_readable(actor, sheets.c.user_id))
        )
    assert rule.owner is not None
    condition = _owned_by_readable(actor, t.c[rule.owner])
    if rule.unowned:
        condition = or_(t.c[rule.owner].is_(None), condition)
    if rule.billing_only:
        condition = and_(t.c.kind == "billing", condition)
    return condition


def can_read(conn: Connection, actor: Principal, entity: str, row: dict[str, Any]) -> bool:
    """The same question as :func:`visible`, for one row already loaded (from the
    database or just written to it): answered from the row's own values; only a
    timesheet event, read through its sheet, asks the database."""
    rule = _read_rule(entity, actor)
    if rule.nobody:
        return False
    if rule.everyone:
        return True
    if rule.via_sheet:
        t = ENTITY_TABLES[entity]
        query = select(t.c.id).where(t.c.id == row["id"], visible(entity, actor))
        return conn.execute(query).first() is not None
    assert rule.owner is not None
    owner = row.get(rule.owner)
    if rule.billing_only and row.get("kind") != "billing":
        return False
    return (rule.unowned and owner is None) or (owner is not None and actor.reads_user(owner))


def _user_row(conn: Connection, user_id: str) -> dto.User | None:
    found = conn.execute(select(_user).where(_user.c.id == user_id)).mappings().first()
    if found is None:
        return None
    return dto.User(
        id=found["id"],
        name=found["name"],
        email=found["email"],
        role=found["role"],
        team_id=found["team_id"],
        team=None,
        work_schedule_s=tuple(found["work_schedule"] or ()),
        utilization_target=found["utilization_target"],
        timezone=found["timezone"],
        first_weekday=found["first_weekday"],
    )


def check_write(
    conn: Connection, actor: Principal, entity: str, row: dict[str, Any], *, op: str = "update"
) -> None:
    """Raise Forbidden unless the actor may ``op`` (create / update / delete)
    ``row`` (for an update the caller checks the current row and the new one)."""
    me = actor.as_dto()
    if entity == "task":
        check_task_write(conn, actor, op, row)
        return
    if entity in ("customer", "project"):
        ok = permissions.can_manage_customers(me)
        what = "only managers and admins change customers and projects"
        if ok and op == "delete":
            check_unused(conn, entity, row["id"])
    elif entity in ("user", "team"):
        ok, what = permissions.can_manage_people(me), "only admins change users and teams"
    elif entity in ("rate", "company_setting"):
        ok, what = permissions.can_manage_company(me), "only admins change rates and policies"
    elif entity == "holiday":
        if row.get("user_id") is None:
            ok, what = permissions.can_manage_company(me), "only admins change company holidays"
        else:
            owner = _user_row(conn, row["user_id"])
            if owner is None:
                raise NotFound("no such user")
            ok = permissions.can_set_time_off(me, owner)
            what = "only an admin or the user's team manager sets time off"
    elif entity == "time_entry":
        ok = permissions.can_change_entries_of(me, row.get("user_id") or "")
        what = "only the owner of a time entry can change it; nobody logs time for someone else"
    else:
        ok, what = False, f"{entity} rows change only through workflow actions"
    if not ok:
        raise Forbidden(what)


def check_unused(conn: Connection, entity: str, row_id: str) -> None:
    """A customer or project any live entry (or rate override) refers to is
    never deleted — archived instead (the desktop's rule, with everyone's data)."""
    for table, what in ((_entry, "time logged on it"), (_rate, "rate overrides")):
        column = table.c.customer_id if entity == "customer" else table.c.project_id
        used = conn.scalar(
            select(table.c.id).where(column == row_id, table.c.deleted_at.is_(None)).limit(1)
        )
        if used is not None:
            raise Conflict(f"the {entity} has {what}; archive it instead")


def _task_usage(conn: Connection, task_id: str, actor_id: str) -> tuple[bool, bool]:
    """(used by anyone, used by someone other than ``actor_id``): live entries only."""
    users = set(
        conn.scalars(
            select(_entry.c.user_id)
            .where(_entry.c.task_id == task_id, _entry.c.deleted_at.is_(None))
            .distinct()
        )
    )
    return bool(users), bool(users - {actor_id})


def check_task_write(conn: Connection, actor: Principal, op: str, current: dict[str, Any]) -> None:
    """Raise unless the actor may ``op`` (create / update / delete) the task
    ``current``: see the module rule."""
    me = actor.as_dto()
    if op == "create":
        if not permissions.can_create_task(me):
            raise Forbidden("you can't add tasks")
        return
    in_use, used_by_others = _task_usage(conn, current["id"], actor.id)
    created_by = current.get("created_by")
    if op == "delete":
        if in_use:
            raise Conflict("the task has time logged on it; archive it instead")
        ok = permissions.can_delete_task(me, created_by=created_by, in_use=False)
    else:
        ok = permissions.can_edit_task(me, created_by=created_by, used_by_others=used_by_others)
    if not ok:
        raise Forbidden(
            "a technician changes only the tasks they opened, and only while nobody else "
            "has logged time on them; renaming or archiving others' tasks is for managers"
        )


def check_team_manager(conn: Connection, entity: str, changes: dict[str, Any]) -> None:
    """A team's new manager is a manager or an admin (as the desktop asks)."""
    if entity != "team" or changes.get("manager_id") is None:
        return
    boss = _user_row(conn, changes["manager_id"])
    if boss is None or not permissions.can_lead_team(boss.role):
        raise CoreValidation("a team's manager is a manager or an admin")


def check_owned_fields(
    entity: str, changed: dict[str, Any], actor: Principal | None = None, *, update: bool = False
) -> None:
    """Refuse a push that gives a server-owned field a value (see the module
    rule); ``changed`` holds, for an update, only the values that differ."""
    owned = SERVER_OWNED.get(entity, frozenset())
    if entity == "time_entry" and "exported_at" in changed:
        setting = update or changed["exported_at"] is not None
        if setting and (actor is None or not permissions.can_export(actor.as_dto())):
            raise Forbidden("exported_at of a time_entry is stamped by an admin's export")
        owned = owned - {"exported_at"}
    bad = sorted(name for name, value in changed.items() if name in owned and value is not None)
    if bad:
        raise Forbidden(f"{', '.join(bad)} of a {entity} is set by the server, not by a push")


def is_export_stamp(actor: Principal, entity: str, changes: dict[str, Any]) -> bool:
    """An admin's update that only sets or clears an entry's ``exported_at``."""
    return (
        entity == "time_entry"
        and "exported_at" in changes
        and set(changes) <= {"exported_at", "updated_at"}
        and permissions.can_export(actor.as_dto())
    )


def check_not_exported(actor: Principal, current: dict[str, Any]) -> None:
    """An exported entry is locked for everyone but admins."""
    if current.get("exported_at") is not None and not permissions.can_change_exported(
        actor.as_dto()
    ):
        raise Locked("the entry was exported to accounting; only an admin can unlock it")
