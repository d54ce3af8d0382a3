"""The "needs attention" list: outbox rows the server refused or that
conflicted, kept with the local value so nothing typed is ever lost.

* :func:`items` lists them, oldest first, with the server's message.
* :func:`retry` queues the local value again as a NEW mutation (a new id and
  ``seq``: the server keeps the refused result under the old id forever) on top
  of the row as the device has it now — the server copy after a conflict — and
  puts the local value back on the row.
* :func:`discard` drops the local value. A refused create (a row the server
  never accepted) is tombstoned locally so that it doesn't linger unsynced;
  when the server's copy of the row was never received, the next pull starts
  from the beginning to fetch it (applying a change twice is harmless).
* Until it is retried, discarded or edited into an open week, the row of a
  refused create is held back: weeks, totals, lists and reports leave it out
  (:func:`desktop.core.outbox.counted`), so the week shows what the server has.

None of this needs the network: the next sync round pushes what was retried.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop.core.db import Database
from desktop.core.errors import NotFound, ValidationError
from desktop.core.model import SYNCED_ENTITIES, CompanySetting, Outbox
from desktop.core.outbox import row_data
from desktop.core.timeutil import utcnow
from sync.client import store


@dataclass(frozen=True)
class Item:
    id: str
    seq: int
    entity: str
    entity_id: str
    op: str
    message: str
    data: dict[str, Any]
    fields: tuple[str, ...] | None
    created_at: datetime
    on_server: bool = False  # the row exists on the server (it was accepted once)

    @property
    def summary(self) -> str:
        """A short human description of the local change."""
        d = self.data
        if self.op == "action":
            return f"{d.get('action')} week of {d.get('week_start')}"
        if self.entity == "time_entry":
            what = f"{d.get('work_date')} {d.get('description') or ''}".strip()
        else:
            what = str(d.get("name") or d.get("title") or d.get("key") or self.entity_id[:8])
        changed = f" ({', '.join(self.fields)})" if self.fields else ""
        return f"{self.op} {self.entity.replace('_', ' ')} {what}{changed}"


def items(db: Database) -> list[Item]:
    with db.read() as s:
        rows = list(
            s.scalars(select(Outbox).where(Outbox.state == "attention").order_by(Outbox.seq))
        )
        return [_to_item(r, on_server=_on_server(s, r)) for r in rows]


def _on_server(s: Session, r: Outbox) -> bool:
    """Whether the server has the row: it has handed out a version for it."""
    model = SYNCED_ENTITIES.get(r.entity)
    if model is None:
        return False
    row = s.get(model, r.entity_id)
    return row is not None and row.version > 0


def count(db: Database) -> int:
    with db.read() as s:
        return int(
            s.scalar(select(func.count()).select_from(Outbox).where(Outbox.state == "attention"))
            or 0
        )


def _to_item(r: Outbox, *, on_server: bool = False) -> Item:
    fields = r.payload.get("fields")
    return Item(
        id=r.id,
        seq=r.seq,
        entity=r.entity,
        entity_id=r.entity_id,
        op=r.op,
        message=r.last_error or "",
        data=dict(r.payload.get("data") or {}),
        fields=tuple(fields) if fields is not None else None,
        created_at=r.created_at,
        on_server=on_server,
    )


def _find(s: Session, ref: str) -> Outbox:
    ref = ref.strip()
    if not ref:
        raise ValidationError("say which item (its id as listed by `sync attention`)")
    rows = list(
        s.scalars(
            select(Outbox).where(Outbox.state == "attention", Outbox.id.startswith(ref)).limit(2)
        )
    )
    if len(rows) != 1:
        raise NotFound(
            f'no item "{ref}" needs attention'
            if not rows
            else f'more than one item starts with "{ref}"; give more of its id'
        )
    return rows[0]


def retry(db: Database, ref: str, *, now: datetime | None = None) -> Item:
    """Queue the item's local value again on top of the current row."""
    at = now or utcnow()
    replica = store.Replica(db)
    try:
        with replica.write() as s:
            old = _find(s, ref)
            item = _to_item(old)
            payload, base = _retry_payload(s, old, at)
            next_seq = (s.scalar(select(func.max(Outbox.seq))) or 0) + 1
            s.add(
                Outbox(
                    id=str(uuid.uuid4()),
                    seq=next_seq,
                    entity=old.entity,
                    op=old.op,
                    entity_id=old.entity_id,
                    payload=payload,
                    base_version=base,
                )
            )
            s.delete(old)
            return item
    finally:
        replica.close()


def _retry_payload(s: Session, old: Outbox, at: datetime) -> tuple[dict[str, Any], int]:
    local: dict[str, Any] = dict(old.payload.get("data") or {})
    if old.op == "action":
        sheet_version = store.row_version(s, "timesheet", old.entity_id)
        return {k: v for k, v in old.payload.items() if k != "undo"}, sheet_version
    if old.entity == store.SETTING:
        setting = s.get(CompanySetting, old.entity_id)
        if setting is not None:
            setting.value = local.get("value")
        return dict(old.payload), setting.version if setting else 0
    model = SYNCED_ENTITIES.get(old.entity)
    row = s.get(model, old.entity_id) if model else None
    if row is None or (old.op == "create" and row.version == 0):
        return {"data": local}, 0
    fields = list(old.payload.get("fields") or [k for k in local if k not in ("id", "version")])
    values = store.coerce(type(row), {k: local[k] for k in fields if k in local})
    for key, value in values.items():
        if key not in ("id", "version"):
            setattr(row, key, value)
    if old.op == "delete":
        row.deleted_at = row.deleted_at or at
    if "updated_at" in fields:
        row.updated_at = at
    s.flush()
    data = row_data(row)
    op_fields = sorted(set(fields) | {"updated_at"}) if old.op != "create" else None
    payload: dict[str, Any] = {"data": data}
    if op_fields is not None:
        payload["fields"] = op_fields
    if old.op == "create":
        old.op = "update"  # the row exists on the server now: re-send as an edit
        payload["fields"] = sorted(k for k in data if k not in ("id", "version", "created_at"))
    return payload, row.version


def discard(db: Database, ref: str) -> Item:
    """Drop the item's local value (see the module rule)."""
    replica = store.Replica(db)
    try:
        with replica.write() as s:
            old = _find(s, ref)
            item = _to_item(old)
            model = SYNCED_ENTITIES.get(old.entity)
            row = s.get(model, old.entity_id) if model else None
            if row is not None and old.op == "create" and row.version == 0:
                row.deleted_at = row.deleted_at or utcnow()
            elif row is not None and old.op != "action" and not _server_copy_seen(old):
                store.sync_state(s).pull_cursor = 0
            s.delete(old)
            return item
    finally:
        replica.close()


def _server_copy_seen(old: Outbox) -> bool:
    return bool(old.payload.get("server_copy_seen"))
