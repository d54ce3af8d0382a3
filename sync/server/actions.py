"""Timesheet workflow actions pushed as ``op="action"`` mutations.

The sheet is found by (owner, week start) — the week start is normalised to the
owner's first weekday — never by the pushed id, because two devices may each
have a local draft row for the week. A week with no server row is a draft; its
first transition creates the row with the pushed id (a fresh id when that id is
taken). The result's ``entity_id`` is the server's sheet id.

Checked with the pure core, in this order, as the authenticated user and with
the SERVER's data: :func:`desktop.core.workflow.check_transition` (who → state
→ reason/note), then for submit :func:`desktop.core.rules.week_problems` over
the server's entries of that week under the company description policy (every
problem listed). Then, in the same transaction: per-entry reasons (reject only;
each id must be an entry of that week) go onto the entries, the sheet gets its
new status/note/timestamps, and a ``timesheet_event`` is written with server
time and the content hash of the week's entries — all versioned with revisions.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from pydantic import ValidationError as PydanticError
from sqlalchemy import Connection, select

from desktop.core.errors import NotFound, ValidationError
from desktop.core.rules import (
    EntryFacts,
    check_description_text,
    policy_from_setting,
    week_problems,
)
from desktop.core.timeutil import format_week, week_start
from desktop.core.workflow import (
    ENTRY_HASH_FIELDS,
    Action,
    SheetOwner,
    Status,
    check_transition,
    make_event,
)
from sync.protocol import Mutation, TimesheetAction
from sync.server.db.models import ENTITY_TABLES
from sync.server.entries import sheet_of
from sync.server.policy import Principal
from sync.server.rows import RowWriter, get_row

POLICY_KEY = "description_policy"
_entry = ENTITY_TABLES["time_entry"]
_user = ENTITY_TABLES["user"]


def parse_action(data: dict[str, Any]) -> TimesheetAction:
    try:
        return TimesheetAction.model_validate(data)
    except PydanticError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "data"
        raise ValidationError(f"action data: {where}: {first['msg']}") from None


def _facts(row: dict[str, Any]) -> EntryFacts:
    return EntryFacts(
        id=row["id"],
        work_date=row["work_date"],
        started_at=row["started_at"],
        ended_at=row["ended_at"],
        duration_s=row["duration_s"],
        billable=row["billable"],
        description=row["description"],
        running=row["started_at"] is not None and row["ended_at"] is None,
    )


def apply_action(
    conn: Connection, writer: RowWriter, actor: Principal, m: Mutation
) -> dict[str, Any]:
    """Run the action; returns the sheet row after it (see the module rule)."""
    act = parse_action(m.data)
    owner = (
        conn.execute(select(_user).where(_user.c.id == act.user_id, _user.c.deleted_at.is_(None)))
        .mappings()
        .first()
    )
    if owner is None:
        raise NotFound("no such user")
    start = week_start(act.week_start, owner["first_weekday"])
    label = format_week(start)
    sheet = sheet_of(conn, owner["id"], start)
    status = Status(sheet["status"]) if sheet else Status.DRAFT
    action = Action(act.action)
    target = check_transition(
        actor.workflow_actor(),
        SheetOwner(owner["id"], owner["team_id"]),
        status,
        action,
        act.comment,
        week_label=label,
    )
    if act.entry_reasons and action is not Action.REJECT:
        raise ValidationError("per-entry reasons go with a reject only")
    rows = [
        dict(r)
        for r in conn.execute(
            select(_entry)
            .where(
                _entry.c.user_id == owner["id"],
                _entry.c.deleted_at.is_(None),
                _entry.c.work_date >= start,
                _entry.c.work_date <= start + timedelta(days=6),
            )
            .order_by(_entry.c.work_date, _entry.c.started_at, _entry.c.id)
        ).mappings()
    ]
    now = writer.now
    if action is Action.SUBMIT:
        setting = get_row(conn, "company_setting", POLICY_KEY)
        policy = policy_from_setting(setting["value"] if setting else None)
        problems = week_problems([_facts(r) for r in rows], policy, now)
        if problems:
            listed = "; ".join(f"{p.message} [{p.entry_id}]" for p in problems[:10])
            raise ValidationError(
                f"week {label} can't be submitted: {len(problems)} "
                f"problem{'s' if len(problems) != 1 else ''}: {listed}"
            )
    event = make_event(
        action=action,
        from_status=status,
        actor_id=actor.id,
        comment=act.comment,
        at=now,
        entries=[{k: r[k] for k in ENTRY_HASH_FIELDS} for r in rows],
    )
    _mark_rejected(writer, rows, act.entry_reasons, label)
    values: dict[str, Any] = {"status": target.value, "note": event.comment}
    if action is Action.SUBMIT:
        values |= {"submitted_at": now, "decided_at": None, "decided_by": None}
    elif action is Action.RECALL:
        values["submitted_at"] = None
    else:
        values |= {"decided_at": now, "decided_by": actor.id}
    if sheet is None:
        key = m.entity_id
        if len(key) > 36 or get_row(conn, "timesheet", key) is not None:
            key = str(uuid.uuid4())
        base = {
            "user_id": owner["id"],
            "week_start": start,
            "submitted_at": None,
            "decided_at": None,
            "decided_by": None,
        }
        sheet = writer.create("timesheet", key, {**base, **values})
    else:
        sheet = writer.save("timesheet", sheet, values)
    writer.create(
        "timesheet_event",
        str(uuid.uuid4()),
        {
            "timesheet_id": sheet["id"],
            "actor_id": actor.id,
            "action": event.action.value,
            "from_status": event.from_status.value,
            "to_status": event.to_status.value,
            "comment": event.comment,
            "at": event.at,
            "content_hash": event.content_hash,
        },
    )
    return sheet


def _mark_rejected(
    writer: RowWriter, rows: list[dict[str, Any]], reasons: dict[str, str], label: str
) -> None:
    by_id = {r["id"]: r for r in rows}
    problems: list[str] = []
    marks: list[tuple[dict[str, Any], str]] = []
    for entry_id, reason in reasons.items():
        text = check_description_text(reason)
        if entry_id not in by_id:
            problems.append(f"entry {entry_id[:36]} is not in week {label}")
        elif not text:
            problems.append(f"the reason for entry {entry_id} is empty")
        else:
            marks.append((by_id[entry_id], text))
    if problems:
        raise ValidationError("; ".join(problems[:10]))
    for row, text in marks:
        writer.save("time_entry", row, {"rejection_reason": text})
