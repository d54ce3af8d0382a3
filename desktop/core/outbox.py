"""The outbox: every local mutation is recorded in the same transaction as the
row it changes, so the sync client can push it later.

One outbox row per changed row. ``seq`` increases per device; it is taken
inside the writer's ``BEGIN IMMEDIATE`` transaction, so two processes never
draw the same number. An import queues its many new rows in one statement
(:func:`record_many`, :func:`record_values`) with the same payloads.

A row whose create the server refused, and of which the server holds no copy
(version 0), is "held back": it lives on only as its *needs attention* outbox
row. Weeks, totals, the grid, lists, reports and exports count :func:`counted`
rows — entries, and the rates and days off that money and available hours
come from — so a laptop's approved week shows what was approved, not what it
tried to add. The row comes back when the item is retried or when the user
edits it into a week that is open (the next push re-sends it as a create), and
goes for good when it is discarded. The week it sits in does not lock it: it
was never part of that week.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, func, inspect, not_, select
from sqlalchemy.orm import Session

from desktop.core.db import bulk_insert
from desktop.core.model import CompanySetting, Outbox, Synced
from desktop.core.timeutil import utcnow


def row_data(row: Synced) -> dict[str, Any]:
    """The row's columns as JSON-ready values (dates and instants in ISO 8601)."""
    data: dict[str, Any] = {}
    for attr in inspect(row).mapper.column_attrs:
        value = getattr(row, attr.key)
        if isinstance(value, datetime | date):
            value = value.isoformat()
        data[attr.key] = value
    return data


def held_back(model: type[Synced]) -> ColumnElement[bool]:
    """Rows of ``model`` held back: their create needs attention, no later edit
    of theirs is queued (the next push re-sends it as a create) and the server
    has no copy of them (see the module rule)."""
    entity = Outbox.entity == model.__tablename__  # type: ignore[attr-defined]
    refused = select(Outbox.entity_id).where(
        entity, Outbox.state == "attention", Outbox.op == "create"
    )
    edited = select(Outbox.entity_id).where(entity, Outbox.state == "pending")
    return and_(model.version == 0, model.id.in_(refused), model.id.not_in(edited))


def counted(model: type[Synced]) -> ColumnElement[bool]:
    """Rows of ``model`` that weeks, totals, lists and reports count: not
    deleted and not held back."""
    return and_(model.deleted_at.is_(None), not_(held_back(model)))


def is_held_back(session: Session, row: Synced) -> bool:
    """Whether ``row`` is held back (see :func:`held_back`)."""
    model = type(row)
    return session.scalar(select(func.count()).where(model.id == row.id, held_back(model))) == 1


def record(
    session: Session,
    row: Synced,
    op: str,
    *,
    fields: list[str] | None = None,
) -> Outbox:
    """Queue ``row``'s mutation. ``op`` is ``create``, ``update`` or ``delete``;
    for updates ``fields`` names what changed (the server merges disjoint edits)."""
    session.flush()
    entity = type(row).__tablename__  # type: ignore[attr-defined]
    payload: dict[str, Any] = {"data": row_data(row)}
    if fields is not None:
        payload["fields"] = sorted(fields)
    return _queue(session, entity, row.id, op, payload, row.version)


def record_many(session: Session, rows: Sequence[Synced], op: str) -> None:
    """Queue ``op`` for each of ``rows`` — the outbox rows :func:`record`
    writes, numbered in order, in one statement (an import's new names)."""
    session.flush()
    _queue_many(session, [(type(r).__tablename__, row_data(r), r.version) for r in rows], op)  # type: ignore[attr-defined]


def record_values(session: Session, entity: str, rows: Sequence[dict[str, Any]], op: str) -> None:
    """Queue ``op`` for rows written as plain column values (an import's new
    entries, inserted in bulk): ``rows`` hold every column, ``id`` included,
    and the payload is what :func:`row_data` makes of the same row."""
    _queue_many(session, [(entity, _json_ready(r), int(r["version"])) for r in rows], op)


def _json_ready(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if type(v) in _DATES else v for k, v in values.items()}


_DATES = (datetime, date)


def _queue_many(session: Session, items: list[tuple[str, dict[str, Any], int]], op: str) -> None:
    if not items:
        return
    now = utcnow()
    first = (session.scalar(select(func.max(Outbox.seq))) or 0) + 1
    bulk_insert(
        session,
        Outbox.__table__,
        [
            {
                "id": str(uuid.uuid4()),
                "seq": first + i,
                "entity": entity,
                "op": op,
                "entity_id": data["id"],
                "payload": {"data": data},
                "base_version": version,
                "created_at": now,
                "attempts": 0,
                "next_attempt_at": None,
                "state": "pending",
                "last_error": None,
            }
            for i, (entity, data, version) in enumerate(items)
        ],
    )


def record_setting(session: Session, setting: CompanySetting, op: str) -> Outbox:
    """Queue a company setting's mutation. Settings are keyed by name, not by a
    UUID, so the key is the entity id and the payload carries the key and value."""
    session.flush()
    payload = {"data": {"key": setting.key, "value": setting.value}, "fields": ["value"]}
    return _queue(session, CompanySetting.__tablename__, setting.key, op, payload, setting.version)


def record_action(
    session: Session,
    sheet: Synced,
    action: dict[str, Any],
    *,
    undo: dict[str, Any] | None = None,
) -> Outbox:
    """Queue a timesheet workflow transition as ONE ``action`` mutation.

    ``action`` is the wire ``TimesheetAction`` (action, user_id, week_start,
    comment, entry_reasons); the server finds the week by (user_id, week_start)
    and re-derives the sheet, audit event and per-entry reasons. ``undo`` (local
    only, never sent) holds what the transition changed locally, so the sync
    client can take it back if the server refuses it."""
    session.flush()
    payload: dict[str, Any] = {"data": action}
    if undo is not None:
        payload["undo"] = undo
    return _queue(session, "timesheet", sheet.id, "action", payload, sheet.version)


def _queue(
    session: Session,
    entity: str,
    entity_id: str,
    op: str,
    payload: dict[str, Any],
    base_version: int,
) -> Outbox:
    next_seq = (session.scalar(select(func.max(Outbox.seq))) or 0) + 1
    item = Outbox(
        id=str(uuid.uuid4()),
        seq=next_seq,
        entity=entity,
        op=op,
        entity_id=entity_id,
        payload=payload,
        base_version=base_version,
    )
    session.add(item)
    return item
