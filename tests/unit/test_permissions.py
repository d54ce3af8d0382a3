"""Who may edit and delete a task (desktop.core.permissions)."""

from __future__ import annotations

import pytest

from desktop.core import dto, permissions


def _user(role: str, uid: str = "u1") -> dto.User:
    return dto.User(
        id=uid,
        name="Priya Raghunathan",
        email=f"{uid}@example.com",
        role=role,
        team_id=None,
        team=None,
        work_schedule_s=(28800,) * 5 + (0, 0),
        utilization_target=75,
        timezone="Europe/Berlin",
        first_weekday=0,
    )


@pytest.mark.parametrize("role", permissions.ROLES)
def test_everyone_creates_tasks(role: str) -> None:
    assert permissions.can_create_task(_user(role)) is True


@pytest.mark.parametrize(
    ("role", "created_by", "used_by_others", "expected"),
    [
        ("technician", "u1", False, True),  # my own, only I used it
        ("technician", "u1", True, False),  # my own, a colleague logged on it
        ("technician", "u2", False, False),  # a colleague's
        ("technician", None, False, False),  # older than the creator column
        ("manager", "u2", True, True),
        ("admin", None, True, True),
    ],
)
def test_who_edits_a_task(
    role: str, created_by: str | None, used_by_others: bool, expected: bool
) -> None:
    actor = _user(role)
    assert (
        permissions.can_edit_task(actor, created_by=created_by, used_by_others=used_by_others)
        is expected
    )


@pytest.mark.parametrize("role", permissions.ROLES)
def test_a_task_in_use_is_never_deleted(role: str) -> None:
    actor = _user(role)
    assert permissions.can_delete_task(actor, created_by="u1", in_use=True) is False
    assert permissions.can_delete_task(actor, created_by="u1", in_use=False) is True


def test_a_technician_deletes_only_his_own_unused_task() -> None:
    assert permissions.can_delete_task(_user("technician"), created_by="u2", in_use=False) is False


@pytest.mark.parametrize(
    ("role", "reads"),
    [(permissions.TECHNICIAN, False), (permissions.MANAGER, True), (permissions.ADMIN, True)],
)
def test_a_teams_manager_reads_its_members_only_in_a_managers_role(role: str, reads: bool) -> None:
    from dataclasses import replace

    boss = replace(_user(role, "boss"), managed_team_ids=frozenset({"t1"}))
    member = replace(_user(permissions.TECHNICIAN, "tom"), team_id="t1")
    assert permissions.manages(boss, member) is reads
    assert permissions.can_read_entries_of(boss, member) is reads
    assert permissions.can_lead_team(role) is reads
