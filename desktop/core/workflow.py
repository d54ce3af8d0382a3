"""The timesheet workflow as one pure table: who may move a week from which status to which.

Rules enforced here:

* ``TRANSITIONS`` is the whole state machine:
  draft/rejected/returned --submit--> submitted; submitted --recall--> draft;
  submitted --approve--> approved; submitted --reject--> rejected;
  submitted --return--> returned; approved --reopen--> returned.
* Who may act (``who_may``): submit and recall -- the owner only (nobody submits
  for someone else, not even an admin); approve, reject and return -- an admin,
  or a manager whose managed teams include the owner's team, but never the
  owner; reopen -- an admin other than the owner.
* Reject and reopen need a reason; return for revision needs a note.
* ``check_transition`` checks in this order: who (Forbidden), state (Conflict),
  comment (ValidationError).
* Entries of a submitted or approved week are locked (``Locked``).
* Every transition is recorded as an ``AuditEvent`` carrying a sha256
  ``content_hash`` of the week's entries at that moment (canonical JSON: keys
  sorted, entries sorted by id, instants in UTC).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import Enum, StrEnum
from types import MappingProxyType

from desktop.core.errors import Conflict, Forbidden, Locked, ValidationError


class Status(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"
    RETURNED = "returned"


class Action(StrEnum):
    SUBMIT = "submit"
    RECALL = "recall"
    APPROVE = "approve"
    REJECT = "reject"
    RETURN = "return"
    REOPEN = "reopen"


class Role(StrEnum):
    TECHNICIAN = "technician"
    MANAGER = "manager"
    ADMIN = "admin"


@dataclass(frozen=True)
class Actor:
    """The person attempting an action."""

    user_id: str
    role: Role
    managed_team_ids: frozenset[str] = frozenset()


@dataclass(frozen=True)
class SheetOwner:
    """The person whose week it is."""

    user_id: str
    team_id: str | None


TRANSITIONS: Mapping[tuple[Status, Action], Status] = MappingProxyType(
    {
        (Status.DRAFT, Action.SUBMIT): Status.SUBMITTED,
        (Status.REJECTED, Action.SUBMIT): Status.SUBMITTED,
        (Status.RETURNED, Action.SUBMIT): Status.SUBMITTED,
        (Status.SUBMITTED, Action.RECALL): Status.DRAFT,
        (Status.SUBMITTED, Action.APPROVE): Status.APPROVED,
        (Status.SUBMITTED, Action.REJECT): Status.REJECTED,
        (Status.SUBMITTED, Action.RETURN): Status.RETURNED,
        (Status.APPROVED, Action.REOPEN): Status.RETURNED,
    }
)

LOCKED_STATUSES = frozenset({Status.SUBMITTED, Status.APPROVED})

_DECIDERS = "only the manager of the owner's team or an admin can {verb} it, never the owner"
_WHO: Mapping[Action, str] = MappingProxyType(
    {
        Action.SUBMIT: "only the owner of the week can submit it",
        Action.RECALL: "only the owner of the week can recall it",
        Action.APPROVE: _DECIDERS.format(verb="approve"),
        Action.REJECT: _DECIDERS.format(verb="reject"),
        Action.RETURN: _DECIDERS.format(verb="return"),
        Action.REOPEN: "only an admin other than the owner can reopen it",
    }
)

_NEEDS_COMMENT: Mapping[Action, str] = MappingProxyType(
    {
        Action.REJECT: "rejecting a week needs a reason",
        Action.RETURN: "returning a week for revision needs a note saying what to fix",
        Action.REOPEN: "reopening an approved week needs a reason",
    }
)

_VERB: Mapping[Action, str] = MappingProxyType(
    {
        Action.SUBMIT: "submitted",
        Action.RECALL: "recalled",
        Action.APPROVE: "approved",
        Action.REJECT: "rejected",
        Action.RETURN: "returned for revision",
        Action.REOPEN: "reopened",
    }
)


def _as_status(value: str) -> Status:
    try:
        return Status(value)
    except ValueError:
        raise ValidationError(f"unknown timesheet status {value!r}") from None


def _as_action(value: str) -> Action:
    try:
        return Action(value)
    except ValueError:
        raise ValidationError(f"unknown timesheet action {value!r}") from None


def _week(label: str) -> str:
    return f"week {label}" if label else "the week"


def who_may(action: Action) -> str:
    """Human description of who may take ``action`` (used in Forbidden messages)."""
    return _WHO[action]


def may_act(actor: Actor, owner: SheetOwner, action: Action) -> bool:
    """Whether ``actor`` is allowed to take ``action`` on ``owner``'s week (state aside)."""
    is_owner = actor.user_id == owner.user_id
    if action in (Action.SUBMIT, Action.RECALL):
        return is_owner
    if is_owner:
        return False
    if action is Action.REOPEN:
        return actor.role is Role.ADMIN
    if actor.role is Role.ADMIN:
        return True
    return (
        actor.role is Role.MANAGER
        and owner.team_id is not None
        and owner.team_id in actor.managed_team_ids
    )


def check_transition(
    actor: Actor,
    owner: SheetOwner,
    status: Status,
    action: Action,
    comment: str | None = None,
    *,
    week_label: str = "",
) -> Status:
    """The status after ``actor`` takes ``action`` on a week in ``status``.

    ``week_label`` ("2026-W48") only shapes messages: "week 2026-W48 is approved;
    it can't be submitted".

    Raises Forbidden (not allowed to act), Conflict (not possible in this state)
    or ValidationError (reason / note missing), in that order of checking.
    """
    status, action = _as_status(status), _as_action(action)
    week = _week(week_label)
    if not may_act(actor, owner, action):
        if actor.user_id == owner.user_id:
            raise Forbidden(f"you can't {action.value} your own week ({week}); {who_may(action)}")
        raise Forbidden(f"you can't {action.value} {week}: {who_may(action)}")
    target = TRANSITIONS.get((status, action))
    if target is None:
        raise Conflict(f"{week} is {status.value}; it can't be {_VERB[action]}")
    if action in _NEEDS_COMMENT and not (comment and comment.strip()):
        raise ValidationError(_NEEDS_COMMENT[action])
    return target


def allowed_actions(actor: Actor, owner: SheetOwner, status: Status) -> list[Action]:
    """Actions ``actor`` may take now on ``owner``'s week in ``status`` (table order)."""
    return [
        action
        for (from_status, action) in TRANSITIONS
        if from_status == status and may_act(actor, owner, action)
    ]


def entries_locked(status: Status) -> bool:
    """Whether entries of a week in ``status`` are locked (submitted or approved)."""
    return _as_status(status) in LOCKED_STATUSES


def check_entry_editable(status: Status, week_label: str = "") -> None:
    """Raise Locked when entries of a week in ``status`` can't be changed."""
    if entries_locked(status):
        raise Locked(
            f"{_week(week_label)} is {_as_status(status).value}; its entries can't be changed"
        )


def _canonical(value: object) -> object:
    if isinstance(value, datetime):
        if value.tzinfo is not None and value.utcoffset() is not None:
            value = value.astimezone(UTC)
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    return str(value)  # Decimal, UUID and anything else: its exact text


ENTRY_HASH_FIELDS: tuple[str, ...] = (
    "id",
    "customer_id",
    "project_id",
    "task_id",
    "work_date",
    "started_at",
    "ended_at",
    "duration_s",
    "description",
    "billable",
)
"""The entry columns an audit event's ``content_hash`` covers (local store and server)."""


def content_hash(entries: Sequence[Mapping[str, object]]) -> str:
    """sha256 hex of the week's entries as canonical JSON (keys sorted, entries by id)."""
    rows = sorted((dict(e) for e in entries), key=lambda e: str(e.get("id", "")))
    text = json.dumps(
        rows, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_canonical
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class AuditEvent:
    """One append-only timesheet_event."""

    action: Action
    from_status: Status
    to_status: Status
    actor_id: str
    comment: str | None
    at: datetime
    content_hash: str


def make_event(
    *,
    action: Action,
    from_status: Status,
    actor_id: str,
    comment: str | None,
    at: datetime,
    entries: Sequence[Mapping[str, object]],
) -> AuditEvent:
    """The audit event of a transition; the target comes from ``TRANSITIONS``.

    ``at`` must be aware (server time) and is stored in UTC; a blank comment is None.
    """
    action, from_status = _as_action(action), _as_status(from_status)
    target = TRANSITIONS.get((from_status, action))
    if target is None:
        raise Conflict(f"a {from_status.value} week can't be {_VERB[action]}")
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValidationError("an audit event time must carry a timezone")
    cleaned = comment.strip() if comment else None
    return AuditEvent(
        action=action,
        from_status=from_status,
        to_status=target,
        actor_id=actor_id,
        comment=cleaned or None,
        at=at.astimezone(UTC),
        content_hash=content_hash(entries),
    )
