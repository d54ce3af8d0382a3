"""The directory's customers, projects and tasks once they exist: change,
rename, archive, unarchive, delete — the half of
:class:`~desktop.core.services.directory.DirectoryService` (one service) that
the Manage window and the ``customer|project|task edit/rename/archive/
unarchive/delete`` commands call, and the name rules both halves share.

Rules:
* who may: customers and projects, managers and admins
  (:func:`~desktop.core.permissions.can_manage_customers`); a task, its creator
  while nobody else logged time on it, or a manager or admin
  (:func:`~desktop.core.permissions.can_edit_task`, ``can_delete_task``);
* a row some time entry refers to is never deleted — archive it: an archived
  row leaves the pickers (and takes its projects and tasks with it) but keeps
  every entry, and unarchiving brings it back as it was;
* delete is for unused rows only and is a tombstone (``deleted_at``) that
  syncs; deleting an unused customer or project deletes its (equally unused)
  projects and tasks with it; a customer or project with rate overrides is
  archived, not deleted (rates are billing history);
* names stay unique as :meth:`DirectoryService.add_customer` and friends
  require; every change writes its outbox row in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, case, func, or_, select
from sqlalchemy.orm import Session

from desktop.core import dto, outbox, permissions
from desktop.core.errors import Forbidden, ValidationError
from desktop.core.model import Customer, Project, Rate, Task, TimeEntry
from desktop.core.rules import TASK_STATUSES, check_description_text
from desktop.core.services.common import (
    Service,
    find_customer,
    find_project,
    find_task,
    record_changes,
    require_user,
    to_customer,
    to_project,
    to_task,
    to_user,
)
from desktop.core.services.entries import UNSET, Unset

MAX_ROUNDING_MIN = 24 * 60
KINDS = ("customer", "project", "task")
CUSTOMERS_ONLY = "only managers and admins change customers and projects"


# ------------------------------------------------------------- name rules


def clean_name(text: str, kind: str, limit: int = 200) -> str:
    cleaned = check_description_text(text, f"{kind} name")
    if "\n" in cleaned or "\t" in cleaned:
        raise ValidationError(f"a {kind} name must be on one line")
    if not cleaned:
        raise ValidationError(f"a {kind} name can't be empty")
    if len(cleaned) > limit:
        raise ValidationError(f"a {kind} name can't be longer than {limit} characters")
    return cleaned


def check_rounding(increment_min: int, minimum_min: int) -> None:
    for value, what in ((increment_min, "rounding increment"), (minimum_min, "minimum")):
        if not 0 <= value <= MAX_ROUNDING_MIN:
            raise ValidationError(f"the {what} must be between 0 and {MAX_ROUNDING_MIN} minutes")


def check_customer_name(s: Session, name: str, other_than: str | None = None) -> str:
    name = clean_name(name, "customer")
    clash = s.scalar(
        select(Customer).where(
            Customer.deleted_at.is_(None),
            func.lower(Customer.name) == name.lower(),
            Customer.id != (other_than or ""),
        )
    )
    if clash is not None:
        raise ValidationError(f'a customer named "{clash.name}" already exists')
    return name


def check_project_name(
    s: Session, owner: Customer, name: str, other_than: str | None = None
) -> str:
    name = clean_name(name, "project")
    clash = s.scalar(
        select(Project).where(
            Project.deleted_at.is_(None),
            Project.customer_id == owner.id,
            func.lower(Project.name) == name.lower(),
            Project.id != (other_than or ""),
        )
    )
    if clash is not None:
        raise ValidationError(f'{owner.name} already has a project "{clash.name}"')
    return name


def check_ticket(s: Session, ref: str | None, other_than: str | None = None) -> str | None:
    """A ticket reference without its "#", unique among live tasks (None: no ticket)."""
    if ref is None or not ref.strip().lstrip("#"):
        if ref is not None and ref.strip() not in ("", "#"):
            raise ValidationError(f'"{ref}" is not a ticket reference')
        return None
    ticket = ref.strip().lstrip("#")
    if len(ticket) > 64 or any(c.isspace() or not c.isprintable() for c in ticket):
        raise ValidationError(f'"{ref}" is not a ticket reference')
    clash = s.scalar(
        select(Task).where(
            Task.deleted_at.is_(None), Task.external_ref == ticket, Task.id != (other_than or "")
        )
    )
    if clash is not None:
        raise ValidationError(f'ticket #{ticket} is already task "{clash.title}"')
    return ticket


# ------------------------------------------------------------------ usage


def _entry_counts(s: Session, column: Any, actor_id: str) -> dict[str, tuple[int, int]]:
    """Per value of ``column``: (entries, entries of someone other than the actor)."""
    others = func.sum(case((TimeEntry.user_id != actor_id, 1), else_=0))
    rows = s.execute(
        select(column, func.count(), others)
        .where(TimeEntry.deleted_at.is_(None), column.is_not(None))
        .group_by(column)
    )
    return {key: (int(n), int(o or 0)) for key, n, o in rows}


def _entries_of(s: Session, *where: ColumnElement[bool]) -> int:
    return int(
        s.scalar(select(func.count()).where(TimeEntry.deleted_at.is_(None), *where)) or 0
    )


def _entries(n: int) -> str:
    return f"{n} time {'entry' if n == 1 else 'entries'}"


def _has_rates(s: Session, *where: ColumnElement[bool]) -> bool:
    return s.scalar(select(Rate.id).where(Rate.deleted_at.is_(None), *where).limit(1)) is not None


class DirectoryChanges(Service):
    """Changing the customers, projects and tasks that exist (see the module rules)."""

    def stamp(self) -> tuple[object, ...]:
        """Something that changes whenever a customer, project or task is added,
        changed or deleted (row counts and the latest ``updated_at``): the
        open views compare it after SQLite's ``data_version`` moved, so an
        entry logged elsewhere doesn't reload the directory."""
        with self.db.read() as s:
            out: list[object] = []
            for model in (Customer, Project, Task):
                count, latest = s.execute(
                    select(func.count(), func.max(model.updated_at))
                ).one()
                out += [count, latest]
            return tuple(out)

    def manage_lists(self, actor_id: str | None) -> dto.DirectoryLists:
        """Every live customer, project and task, archived ones included, each
        with its entry count and what ``actor_id`` may do with it (three reads
        and three grouped counts, whatever the size)."""
        with self.db.read() as s:
            actor = to_user(s, require_user(s, actor_id))
            manager = permissions.can_manage_customers(actor)
            by_customer = _entry_counts(s, TimeEntry.customer_id, actor.id)
            by_project = _entry_counts(s, TimeEntry.project_id, actor.id)
            by_task = _entry_counts(s, TimeEntry.task_id, actor.id)
            customers = list(s.scalars(select(Customer).where(Customer.deleted_at.is_(None))))
            names = {c.id: c.name for c in customers}
            projects = list(s.scalars(select(Project).where(Project.deleted_at.is_(None))))
            project_names = {p.id: p.name for p in projects}
            tasks = list(s.scalars(select(Task).where(Task.deleted_at.is_(None))))

            def usage(counts: dict[str, tuple[int, int]], key: str) -> tuple[int, int]:
                return counts.get(key, (0, 0))

            out_c = [
                dto.DirectoryItem(to_customer(c), usage(by_customer, c.id)[0], manager,
                                  manager and not usage(by_customer, c.id)[0])
                for c in customers
            ]
            out_p = [
                dto.DirectoryItem(
                    dto.Project(
                        id=p.id, customer_id=p.customer_id, customer=names.get(p.customer_id, ""),
                        name=p.name, default_billable=p.default_billable, active=p.active,
                        budget_s=p.budget_s, budget_minor=p.budget_minor,
                    ),
                    usage(by_project, p.id)[0], manager,
                    manager and not usage(by_project, p.id)[0],
                )
                for p in projects
            ]
            out_t = []
            for t in tasks:
                used, by_others = usage(by_task, t.id)
                out_t.append(dto.DirectoryItem(
                    dto.Task(
                        id=t.id, customer_id=t.customer_id, customer=names.get(t.customer_id, ""),
                        project_id=t.project_id,
                        project=project_names.get(t.project_id) if t.project_id else None,
                        title=t.title, external_ref=t.external_ref, status=t.status,
                        default_billable=t.default_billable, created_by=t.created_by,
                    ),
                    used,
                    permissions.can_edit_task(actor, created_by=t.created_by,
                                              used_by_others=by_others > 0),
                    permissions.can_delete_task(actor, created_by=t.created_by, in_use=used > 0),
                ))

            def order(i: dto.DirectoryItem) -> tuple[str, ...]:
                it = i.item
                if isinstance(it, dto.Customer):
                    return (it.name.lower(),)
                if isinstance(it, dto.Project):
                    return (it.customer.lower(), it.name.lower())
                return (it.customer.lower(), (it.project or "").lower(), it.label.lower())

            return dto.DirectoryLists(
                customers=tuple(sorted(out_c, key=order)),
                projects=tuple(sorted(out_p, key=order)),
                tasks=tuple(sorted(out_t, key=order)),
                can_manage_customers=manager,
                can_create_task=permissions.can_create_task(actor),
            )

    # ------------------------------------------------------------ customers

    def change_customer(
        self,
        actor_id: str | None,
        customer: str,
        *,
        name: str | None = None,
        internal: bool | None = None,
        billable: bool | None = None,
        round_increment_min: int | None = None,
        round_minimum_min: int | None = None,
    ) -> dto.Customer:
        """Rename a customer or change its internal flag, default billable and
        rounding rule (None leaves a value as it is). Entries already logged
        keep their own billable flag; billed time follows the new rounding."""
        with self.db.write() as s:
            self._manager(s, actor_id)
            row = find_customer(s, customer)
            values: dict[str, Any] = {}
            if name is not None:
                values["name"] = check_customer_name(s, name, other_than=row.id)
            if internal is not None:
                values["is_internal"] = internal
            if billable is not None:
                values["default_billable"] = billable
            if round_increment_min is not None:
                values["round_increment_min"] = round_increment_min
            if round_minimum_min is not None:
                values["round_minimum_min"] = round_minimum_min
            check_rounding(values.get("round_increment_min", row.round_increment_min),
                           values.get("round_minimum_min", row.round_minimum_min))
            record_changes(s, row, values, self.now())
            return to_customer(row)

    # ------------------------------------------------------------- projects

    def change_project(
        self,
        actor_id: str | None,
        project: str,
        *,
        customer: str | None = None,
        name: str | None = None,
        billable: bool | Unset | None = UNSET,
    ) -> dto.Project:
        """Rename a project or change its default billable (None: the customer's)."""
        with self.db.write() as s:
            self._manager(s, actor_id)
            row = find_project(s, project, find_customer(s, customer) if customer else None)
            values: dict[str, Any] = {}
            if name is not None:
                owner = s.get(Customer, row.customer_id)
                assert owner is not None
                values["name"] = check_project_name(s, owner, name, other_than=row.id)
            if not isinstance(billable, Unset):
                values["default_billable"] = billable
            record_changes(s, row, values, self.now())
            return to_project(s, row)

    # ---------------------------------------------------------------- tasks

    def edit_task(
        self,
        actor_id: str | None,
        task: str,
        *,
        title: str | None = None,
        status: str | None = None,
        ref: str | Unset | None = UNSET,
        billable: bool | Unset | None = UNSET,
    ) -> dto.Task:
        """Rename a task, set its status (``open`` or ``archived``), give or
        change (None: remove) its ticket number, or its default billable (None:
        the project's or customer's)."""
        if status is not None and status not in TASK_STATUSES:
            raise ValidationError(f"a task's status is one of {', '.join(TASK_STATUSES)}")
        with self.db.write() as s:
            row = find_task(s, task)
            self._task_editor(s, actor_id, row)
            values: dict[str, Any] = {}
            if title is not None:
                values["title"] = clean_name(title, "task", limit=300)
            if status is not None:
                values["status"] = status
            if not isinstance(ref, Unset):
                values["external_ref"] = check_ticket(s, ref, other_than=row.id)
            if not isinstance(billable, Unset):
                values["default_billable"] = billable
            record_changes(s, row, values, self.now())
            return to_task(s, row)

    def delete_task(self, actor_id: str | None, task: str) -> dto.Task:
        """Delete a task nobody has logged time on (otherwise: archive it)."""
        with self.db.write() as s:
            row = find_task(s, task)
            self._task_editor(s, actor_id, row, deleting=True)
            gone = to_task(s, row)
            self._tombstone(s, [row])
            return gone

    # ------------------------------------------------------ archive, delete

    def set_archived(
        self, actor_id: str | None, kind: str, ref: str, archived: bool, *,
        customer: str | None = None,
    ) -> dto.Customer | dto.Project | dto.Task:
        """Archive (``archived=True``) or bring back a customer, project or task."""
        with self.db.write() as s:
            row = self._find(s, kind, ref, customer)
            if isinstance(row, Task):
                self._task_editor(s, actor_id, row)
                record_changes(s, row, {"status": "archived" if archived else "open"}, self.now())
                return to_task(s, row)
            self._manager(s, actor_id)
            record_changes(s, row, {"active": not archived}, self.now())
            return to_customer(row) if isinstance(row, Customer) else to_project(s, row)

    def delete(
        self, actor_id: str | None, kind: str, ref: str, *, customer: str | None = None
    ) -> dto.Customer | dto.Project | dto.Task:
        """Delete an unused customer, project or task (a tombstone that syncs);
        one in use is refused with the advice to archive it."""
        if kind == "task":
            return self.delete_task(actor_id, ref)
        with self.db.write() as s:
            row = self._find(s, kind, ref, customer)
            assert not isinstance(row, Task)
            self._manager(s, actor_id)
            if isinstance(row, Customer):
                label = f'customer "{row.name}"'
                gone: dto.Customer | dto.Project = to_customer(row)
                used = _entries_of(s, TimeEntry.customer_id == row.id)
                rates = _has_rates(s, Rate.customer_id == row.id)
                projects = list(s.scalars(select(Project).where(
                    Project.customer_id == row.id, Project.deleted_at.is_(None))))
                tasks = list(s.scalars(select(Task).where(
                    Task.customer_id == row.id, Task.deleted_at.is_(None))))
            else:
                label, gone, projects = f'project "{row.name}"', to_project(s, row), []
                tasks = list(s.scalars(select(Task).where(
                    Task.project_id == row.id, Task.deleted_at.is_(None))))
                used = _entries_of(s, or_(TimeEntry.project_id == row.id,
                                          TimeEntry.task_id.in_([t.id for t in tasks])))
                rates = _has_rates(s, Rate.project_id == row.id)
            if used:
                raise ValidationError(f"{label} has {_entries(used)}; archive it instead")
            if rates:
                raise ValidationError(f"{label} has rate overrides; archive it instead")
            self._tombstone(s, [*tasks, *projects, row])
            return gone

    # -------------------------------------------------------------- helpers

    def _manager(self, s: Session, actor_id: str | None) -> None:
        if not permissions.can_manage_customers(to_user(s, require_user(s, actor_id))):
            raise Forbidden(CUSTOMERS_ONLY)

    def _task_editor(
        self, s: Session, actor_id: str | None, row: Task, *, deleting: bool = False
    ) -> dto.User:
        actor = to_user(s, require_user(s, actor_id))
        if deleting:
            used = _entries_of(s, TimeEntry.task_id == row.id)
            if used:
                raise ValidationError(
                    f'task "{row.title}" has {_entries(used)}; archive it instead'
                )
            if not permissions.can_delete_task(actor, created_by=row.created_by, in_use=False):
                raise Forbidden("you delete only the tasks you opened; ask a manager")
            return actor
        others = _entries_of(s, TimeEntry.task_id == row.id, TimeEntry.user_id != actor.id)
        if not permissions.can_edit_task(actor, created_by=row.created_by,
                                         used_by_others=others > 0):
            raise Forbidden(
                "you change only the tasks you opened, while nobody else has logged "
                "time on them; ask a manager"
            )
        return actor

    @staticmethod
    def _find(s: Session, kind: str, ref: str, customer: str | None) -> Customer | Project | Task:
        if kind == "customer":
            return find_customer(s, ref)
        if kind == "project":
            return find_project(s, ref, find_customer(s, customer) if customer else None)
        if kind == "task":
            return find_task(s, ref)
        raise ValidationError(f'unknown kind "{kind}"; use one of {", ".join(KINDS)}')

    def _tombstone(self, s: Session, rows: Iterable[Customer | Project | Task]) -> None:
        now = self.now()
        for row in rows:
            row.deleted_at = now
            row.updated_at = now
            outbox.record(s, row, "delete", fields=["deleted_at"])
