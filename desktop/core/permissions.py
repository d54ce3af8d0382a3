"""Who may do what in the local store — one function per permission.

The server applies the same questions to every list and single-record path;
locally they guard the CLI's ``--as`` and the windows.

* customers and projects: managers and admins;
* tasks (tickets): anyone (a technician opens a ticket-task on the spot);
* users, teams, rates, policies, holidays: admins;
* time off: admins, or the manager of the user's team;
* time entries: only their owner changes them; the owner, their team's manager
  and admins read them;
* cost rates: managers and admins, never technicians;
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


def can_manage_tasks(actor: User) -> bool:
    return actor.role in ROLES


def can_manage_people(actor: User) -> bool:
    return actor.role == ADMIN


def can_manage_company(actor: User) -> bool:
    """Rates, policies, holidays."""
    return actor.role == ADMIN


def manages(actor: User, owner: User) -> bool:
    return owner.team_id is not None and owner.team_id in actor.managed_team_ids


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
