"""Who may do what in the local store — one function per permission.

The server applies the same questions to every list and single-record path;
locally they guard the CLI's ``--as`` and the windows.

* customers and projects: managers and admins;
* tasks (tickets): anyone creates one (a technician opens a ticket-task on the
  spot); its creator edits it while nobody else has logged time on it; renaming
  and archiving a task others used is for managers and admins; a task in use is
  never deleted (archive it instead) — an archived task keeps its entries
  editable;
* users, teams, rates, policies, holidays: admins; a team's manager is a
  manager or an admin — a user of another role set as one reads and decides
  nothing of the team (:func:`can_lead_team`);
* time off: admins, or the manager of the user's team;
* time entries: only their owner changes them; the owner, their team's manager
  and admins read them;
* rates: those who read a person's entries read that person's rates — cost
  rates only when they may see cost (managers and admins, never technicians);
  a manager reads the rates of their own team's members, not the company's;
* reports (utilization, timeliness, the timeline, overdue weeks) of a person:
  whoever reads their entries; profitability: managers and admins;
* accounting exports, and stamping or clearing ``exported_at``: admins; an
  exported entry is locked for everyone else.
"""

from __future__ import annotations

from desktop.core.dto import User

ADMIN = "admin"
MANAGER = "manager"
TECHNICIAN = "technician"
ROLES = (TECHNICIAN, MANAGER, ADMIN)


def can_manage_customers(actor: User) -> bool:
    return actor.role in (MANAGER, ADMIN)


def can_create_task(actor: User) -> bool:
    return actor.role in ROLES


def can_edit_task(actor: User, *, created_by: str | None, used_by_others: bool) -> bool:
    """Rename, move, change the billable default, archive or reopen a task.

    ``created_by`` is the task's creator (None for tasks older than the
    column, which only managers and admins edit); ``used_by_others``: a time
    entry of someone other than ``actor`` refers to it."""
    if actor.role in (MANAGER, ADMIN):
        return True
    return created_by is not None and created_by == actor.id and not used_by_others


def can_delete_task(actor: User, *, created_by: str | None, in_use: bool) -> bool:
    """Delete a task: never while any entry (anyone's) refers to it."""
    return not in_use and can_edit_task(actor, created_by=created_by, used_by_others=False)


def can_manage_people(actor: User) -> bool:
    return actor.role == ADMIN


def can_manage_company(actor: User) -> bool:
    """Rates, policies, holidays."""
    return actor.role == ADMIN


def can_lead_team(role: str) -> bool:
    """Whether a user of ``role`` set as a team's manager acts as one."""
    return role in (MANAGER, ADMIN)


def manages(actor: User, owner: User) -> bool:
    return (
        can_lead_team(actor.role)
        and owner.team_id is not None
        and owner.team_id in actor.managed_team_ids
    )


def can_set_time_off(actor: User, owner: User) -> bool:
    return actor.role == ADMIN or manages(actor, owner)


def can_change_entries_of(actor: User, owner_id: str) -> bool:
    return actor.id == owner_id


def can_read_entries_of(actor: User, owner: User) -> bool:
    return actor.id == owner.id or actor.role == ADMIN or manages(actor, owner)


def can_see_cost(actor: User) -> bool:
    return actor.role in (MANAGER, ADMIN)


def can_read_reports_of(actor: User, owner: User) -> bool:
    """Utilization, timeliness, the timeline and overdue weeks of ``owner``."""
    return can_read_entries_of(actor, owner)


def can_see_profitability(actor: User) -> bool:
    return actor.role in (MANAGER, ADMIN)


def can_export(actor: User) -> bool:
    """Accounting exports and the ``exported_at`` stamp (set or cleared)."""
    return actor.role == ADMIN


def can_change_exported(actor: User) -> bool:
    """Whether an entry already exported to accounting may still be changed."""
    return actor.role == ADMIN
