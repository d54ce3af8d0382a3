"""Tests for desktop.core.workflow."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from desktop.core.errors import Conflict, Forbidden, Locked, ValidationError
from desktop.core.workflow import (
    TRANSITIONS,
    Action,
    Actor,
    AuditEvent,
    Role,
    SheetOwner,
    Status,
    allowed_actions,
    check_entry_editable,
    check_transition,
    content_hash,
    entries_locked,
    make_event,
    who_may,
)

S, A = Status, Action

# The workflow table (who moves a week from which status to which), written out
# independently of the module.
EXPECTED_TABLE = {
    (S.DRAFT, A.SUBMIT): S.SUBMITTED,
    (S.REJECTED, A.SUBMIT): S.SUBMITTED,
    (S.RETURNED, A.SUBMIT): S.SUBMITTED,
    (S.SUBMITTED, A.RECALL): S.DRAFT,
    (S.SUBMITTED, A.APPROVE): S.APPROVED,
    (S.SUBMITTED, A.REJECT): S.REJECTED,
    (S.SUBMITTED, A.RETURN): S.RETURNED,
    (S.APPROVED, A.REOPEN): S.RETURNED,
}

TEAM = "team-1"
OWNER_ID = "u-owner"
# the week's owner; for "owner manager" the owner manages their own team
ACTORS = {
    "owner technician": (Actor(OWNER_ID, Role.TECHNICIAN, frozenset()), TEAM),
    "owner manager": (Actor(OWNER_ID, Role.MANAGER, frozenset({TEAM})), TEAM),
    "owner admin": (Actor(OWNER_ID, Role.ADMIN, frozenset({TEAM})), TEAM),
    "manager of owner's team": (Actor("u-boss", Role.MANAGER, frozenset({TEAM, "t9"})), TEAM),
    "manager of another team": (Actor("u-other-boss", Role.MANAGER, frozenset({"t2"})), TEAM),
    "admin": (Actor("u-admin", Role.ADMIN, frozenset()), TEAM),
    "other technician": (Actor("u-peer", Role.TECHNICIAN, frozenset()), TEAM),
}
OWNERS = ["owner technician", "owner manager", "owner admin"]
DECIDERS = ["manager of owner's team", "admin"]
ALLOWED = {
    A.SUBMIT: OWNERS,
    A.RECALL: OWNERS,
    A.APPROVE: DECIDERS,
    A.REJECT: DECIDERS,
    A.RETURN: DECIDERS,
    A.REOPEN: ["admin"],
}

CASES = [(status, action, kind) for status in Status for action in Action for kind in ACTORS]


def test_transitions_are_exactly_the_design_table() -> None:
    assert dict(TRANSITIONS) == EXPECTED_TABLE


@pytest.mark.parametrize(
    ("status", "action", "kind"),
    CASES,
    ids=[f"{s.value}-{a.value}-{k.replace(' ', '_')}" for s, a, k in CASES],
)
def test_full_table(status: Status, action: Action, kind: str) -> None:
    actor, team = ACTORS[kind]
    owner = SheetOwner(OWNER_ID, team)
    expected_error: type[Exception] | None
    if kind not in ALLOWED[action]:
        expected_error = Forbidden
    elif (status, action) not in EXPECTED_TABLE:
        expected_error = Conflict
    else:
        expected_error = None
    if expected_error is None:
        got = check_transition(actor, owner, status, action, "a reason", week_label="2026-W48")
        assert got == EXPECTED_TABLE[(status, action)]
        assert action in allowed_actions(actor, owner, status)
    else:
        with pytest.raises(expected_error) as info:
            check_transition(actor, owner, status, action, "a reason", week_label="2026-W48")
        assert type(info.value) is expected_error
        assert "2026-W48" in str(info.value)
        assert action not in allowed_actions(actor, owner, status)


def test_table_case_count() -> None:
    assert len(CASES) == 5 * 6 * 7


def test_manager_cannot_approve_own_week() -> None:
    me = Actor("m1", Role.MANAGER, frozenset({TEAM}))
    with pytest.raises(Forbidden, match="your own week"):
        check_transition(me, SheetOwner("m1", TEAM), S.SUBMITTED, A.APPROVE)


def test_admin_cannot_approve_or_reopen_own_week() -> None:
    me = Actor("a1", Role.ADMIN, frozenset())
    for status, action in [(S.SUBMITTED, A.APPROVE), (S.APPROVED, A.REOPEN)]:
        with pytest.raises(Forbidden):
            check_transition(me, SheetOwner("a1", None), status, action, "reason")


def test_manager_of_another_team_cannot_act() -> None:
    boss = Actor("m2", Role.MANAGER, frozenset({"t2"}))
    for action in (A.APPROVE, A.REJECT, A.RETURN):
        with pytest.raises(Forbidden):
            check_transition(boss, SheetOwner("u1", TEAM), S.SUBMITTED, action, "why")


def test_owner_without_team_only_admin_decides() -> None:
    owner = SheetOwner("u1", None)
    boss = Actor("m1", Role.MANAGER, frozenset({TEAM}))
    with pytest.raises(Forbidden):
        check_transition(boss, owner, S.SUBMITTED, A.APPROVE)
    admin = Actor("a1", Role.ADMIN, frozenset())
    assert check_transition(admin, owner, S.SUBMITTED, A.APPROVE) == S.APPROVED


def test_technician_listed_as_managing_a_team_still_cannot_approve() -> None:
    odd = Actor("t1", Role.TECHNICIAN, frozenset({TEAM}))
    with pytest.raises(Forbidden):
        check_transition(odd, SheetOwner("u1", TEAM), S.SUBMITTED, A.APPROVE)


@pytest.mark.parametrize("action", [A.REJECT, A.RETURN, A.REOPEN])
@pytest.mark.parametrize("comment", [None, "", "   \n"])
def test_reason_required(action: Action, comment: str | None) -> None:
    admin = Actor("a1", Role.ADMIN, frozenset())
    status = S.APPROVED if action is A.REOPEN else S.SUBMITTED
    with pytest.raises(ValidationError):
        check_transition(admin, SheetOwner("u1", TEAM), status, action, comment)


def test_comment_optional_elsewhere() -> None:
    owner = SheetOwner("u1", TEAM)
    me = Actor("u1", Role.TECHNICIAN, frozenset())
    admin = Actor("a1", Role.ADMIN, frozenset())
    assert check_transition(me, owner, S.DRAFT, A.SUBMIT) == S.SUBMITTED
    assert check_transition(me, owner, S.SUBMITTED, A.RECALL) == S.DRAFT
    assert check_transition(admin, owner, S.SUBMITTED, A.APPROVE, None) == S.APPROVED


def test_conflict_message_names_week_and_status() -> None:
    me = Actor("u1", Role.TECHNICIAN, frozenset())
    with pytest.raises(Conflict) as info:
        check_transition(me, SheetOwner("u1", TEAM), S.APPROVED, A.SUBMIT, week_label="2026-W48")
    assert str(info.value) == "week 2026-W48 is approved; it can't be submitted"


def test_accepts_plain_strings() -> None:
    me = Actor("u1", Role.TECHNICIAN, frozenset())
    got = check_transition(me, SheetOwner("u1", TEAM), "draft", "submit")  # type: ignore[arg-type]
    assert got is S.SUBMITTED
    with pytest.raises(ValidationError, match="unknown timesheet action"):
        check_transition(me, SheetOwner("u1", TEAM), S.DRAFT, "submitt")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="unknown timesheet status"):
        entries_locked("gone")  # type: ignore[arg-type]


def test_who_may_describes_every_action() -> None:
    for action in Action:
        assert who_may(action)
    assert "owner" in who_may(A.SUBMIT)
    assert "admin" in who_may(A.REOPEN)


def test_allowed_actions_examples() -> None:
    owner = SheetOwner("u1", TEAM)
    boss = Actor("m1", Role.MANAGER, frozenset({TEAM}))
    me = Actor("u1", Role.TECHNICIAN, frozenset())
    assert allowed_actions(boss, owner, S.SUBMITTED) == [A.APPROVE, A.REJECT, A.RETURN]
    assert allowed_actions(me, owner, S.SUBMITTED) == [A.RECALL]
    assert allowed_actions(me, owner, S.APPROVED) == []
    assert allowed_actions(boss, owner, S.APPROVED) == []


@pytest.mark.parametrize(
    ("status", "locked"),
    [
        (S.DRAFT, False),
        (S.SUBMITTED, True),
        (S.APPROVED, True),
        (S.REJECTED, False),
        (S.RETURNED, False),
    ],
)
def test_entries_locked(status: Status, locked: bool) -> None:
    assert entries_locked(status) is locked
    if locked:
        with pytest.raises(Locked) as info:
            check_entry_editable(status, "2026-W48")
        assert str(info.value) == (f"week 2026-W48 is {status.value}; its entries can't be changed")
    else:
        check_entry_editable(status, "2026-W48")


ENTRY_A = {"id": "a", "duration_s": 3600, "work_date": date(2026, 11, 23), "description": "x"}
ENTRY_B = {
    "id": "b",
    "duration_s": 60,
    "started_at": datetime(2026, 11, 23, 9, tzinfo=UTC),
    "rate": Decimal("95.50"),
    "billable": True,
}


def test_content_hash_is_canonical() -> None:
    h = content_hash([ENTRY_A, ENTRY_B])
    assert len(h) == 64 and int(h, 16) >= 0
    assert content_hash([ENTRY_B, ENTRY_A]) == h
    reordered_keys = [dict(reversed(list(ENTRY_A.items()))), ENTRY_B]
    assert content_hash(reordered_keys) == h
    # the same instant in another offset hashes the same
    plus_two = dict(
        ENTRY_B, started_at=datetime(2026, 11, 23, 11, tzinfo=timezone(timedelta(hours=2)))
    )
    assert content_hash([ENTRY_A, plus_two]) == h


def test_content_hash_changes_with_content() -> None:
    h = content_hash([ENTRY_A, ENTRY_B])
    assert content_hash([dict(ENTRY_A, duration_s=3601), ENTRY_B]) != h
    assert content_hash([ENTRY_A]) != h
    assert content_hash([]) != h
    assert content_hash([]) == content_hash([])


def test_make_event() -> None:
    at = datetime(2026, 11, 27, 18, 0, tzinfo=timezone(timedelta(hours=1)))
    event = make_event(
        action=A.REJECT,
        from_status=S.SUBMITTED,
        actor_id="m1",
        comment="  Tuesday is missing the ticket numbers  ",
        at=at,
        entries=[ENTRY_A],
    )
    assert event == AuditEvent(
        action=A.REJECT,
        from_status=S.SUBMITTED,
        to_status=S.REJECTED,
        actor_id="m1",
        comment="Tuesday is missing the ticket numbers",
        at=datetime(2026, 11, 27, 17, 0, tzinfo=UTC),
        content_hash=content_hash([ENTRY_A]),
    )
    assert event.at.tzinfo is UTC


def test_make_event_refuses_bad_input() -> None:
    at = datetime(2026, 11, 27, 18, 0, tzinfo=UTC)
    with pytest.raises(Conflict):
        make_event(
            action=A.APPROVE, from_status=S.DRAFT, actor_id="m1", comment=None, at=at, entries=[]
        )
    with pytest.raises(ValidationError):
        make_event(
            action=A.SUBMIT,
            from_status=S.DRAFT,
            actor_id="u1",
            comment=" ",
            at=at.replace(tzinfo=None),
            entries=[],
        )
    event = make_event(
        action=A.SUBMIT, from_status=S.DRAFT, actor_id="u1", comment=" ", at=at, entries=[]
    )
    assert event.comment is None
    assert event.to_status is S.SUBMITTED
