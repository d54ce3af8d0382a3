"""Applying the server's per-mutation results to the local store (see
:mod:`sync.client.engine` for the rules), and folding refused creates back into
the queue once the user edits the row."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from desktop.core.model import Outbox, TimeEntry, Timesheet, TimesheetEvent
from sync import protocol
from sync.client import store

if TYPE_CHECKING:
    from sync.client.queue import QueueItem


def count(s: Session, state: str) -> int:
    return int(s.scalar(select(func.count()).select_from(Outbox).where(Outbox.state == state)) or 0)


def applied(
    s: Session,
    item: QueueItem,
    result: protocol.MutationResult,
    queue: Sequence[QueueItem],
    repeated: set[str],
) -> None:
    """Record an applied (or duplicate) result; its outbox row goes with
    :func:`drop_applied`, once for the whole batch."""
    if result.version is None or item.op == "action":
        return
    store.set_version(s, item.entity, item.entity_id, result.version)
    if item.entity_id not in repeated:
        return
    # Later local edits of this row were made on top of this change. The server
    # made it version V on top of version V-1; an edit that had seen V-1 has seen
    # everything in V, so it is rebased onto V. An edit with an older base saw
    # less (other devices' versions it never pulled): its base stays, and the
    # server merges or reports the conflict — never a silent overwrite.
    v = result.version
    for later in queue:
        same_row_after = later.entity_id == item.entity_id and later.seq > item.seq
        if same_row_after and v - 1 <= later.base_version < v:
            later.base_version = v
    s.execute(
        update(Outbox)
        .where(
            Outbox.entity_id == item.entity_id,
            Outbox.state == "pending",
            Outbox.seq > item.seq,
            Outbox.base_version >= v - 1,
            Outbox.base_version < v,
        )
        .values(base_version=v)
    )


def drop_applied(s: Session, outbox_ids: Sequence[str]) -> None:
    """Remove the outbox rows of applied results (one statement per 500)."""
    for i in range(0, len(outbox_ids), 500):
        s.execute(delete(Outbox).where(Outbox.id.in_(outbox_ids[i : i + 500])))


def store_copies(s: Session, applied: Sequence[tuple[QueueItem, protocol.MutationResult]]) -> None:
    """Write the server's copies from a batch's applied results into the local
    rows, after the batch's outbox rows are gone (so only later pending edits
    keep their fields); a copy older than the local row is ignored."""
    copies = [
        (item, r)
        for item, r in applied
        if r.server_copy is not None and item.op != "action" and r.version is not None
    ]
    if not copies:
        return
    pending = store.pending_map(s)
    for item, r in copies:
        assert r.server_copy is not None and r.version is not None
        if store.row_version(s, item.entity, item.entity_id) > r.version:
            continue
        deleted = r.server_copy.get("deleted_at") is not None
        store.apply_change(
            s, item.entity, item.entity_id, r.version, deleted, r.server_copy, pending
        )


def to_attention(s: Session, outbox_id: str, message: str) -> None:
    row = s.get(Outbox, outbox_id)
    if row is not None:
        row.state, row.last_error, row.next_attempt_at = "attention", message[:2000], None


def refused(s: Session, item: QueueItem, result: protocol.MutationResult) -> None:
    if result.status == "conflict":
        message = f"conflict: {result.message or 'changed on another device; the server copy won'}"
    else:
        message = f"{result.code or 'rejected'}: {result.message or 'refused by the server'}"
    to_attention(s, item.id, message)
    copy = result.server_copy
    if copy is not None:
        row = s.get(Outbox, item.id)
        if row is not None:
            row.payload = {**row.payload, "server_copy_seen": True}
        entity = result.entity
        entity_id = str(copy.get("id") or result.entity_id)
        if entity == "company_setting":
            entity_id = str(copy.get("key") or result.entity_id)
        version = int(copy.get("version") or result.version or 0)
        deleted = copy.get("deleted_at") is not None or bool(copy.get("deleted"))
        store.apply_change(s, entity, entity_id, version, deleted, copy, store.pending_map(s))
    if item.op == "action":
        _undo_action(s, item, copy is not None)


def _undo_action(s: Session, item: QueueItem, server_copy_applied: bool) -> None:
    """A refused workflow action is taken back locally: its provisional audit
    events go, the per-entry reasons it set are restored and, without a server
    copy, the week's row returns to what it was before."""
    undo = item.payload.get("undo") or {}
    data = item.payload.get("data", {})
    sheet = s.scalar(
        select(Timesheet).where(
            Timesheet.user_id == data.get("user_id"),
            Timesheet.week_start == store.coerce(Timesheet, data).get("week_start"),
        )
    )
    if sheet is not None:
        s.execute(
            delete(TimesheetEvent).where(
                TimesheetEvent.timesheet_id == sheet.id, TimesheetEvent.version == 0
            )
        )
        before = undo.get("sheet")
        if not server_copy_applied and before:
            for key, value in store.coerce(Timesheet, before).items():
                if key not in ("id", "version"):
                    setattr(sheet, key, value)
        elif not server_copy_applied and "sheet" in undo and sheet.version == 0:
            # The action made the local row and the server never had it: gone.
            s.delete(sheet)
    for entry_id, reason in (undo.get("reasons") or {}).items():
        entry = s.get(TimeEntry, entry_id)
        if entry is not None:
            entry.rejection_reason = reason


def fold_refused_creates(s: Session) -> None:
    """A row whose create was refused is re-sent as a create once the user edits
    it (later pending mutations of the same row fold into ONE create carrying the
    latest values); deleting it locally drops them all — the server never had it."""
    refused = {
        r.entity_id: r
        for r in s.scalars(select(Outbox).where(Outbox.state == "attention", Outbox.op == "create"))
        if not (r.last_error or "").startswith("conflict")
    }
    if not refused:
        return
    later: dict[str, list[Outbox]] = {}
    for row in s.scalars(
        select(Outbox)
        .where(Outbox.state == "pending", Outbox.entity_id.in_(list(refused)))
        .order_by(Outbox.seq)
    ):
        later.setdefault(row.entity_id, []).append(row)
    for entity_id, rows in later.items():
        s.delete(refused[entity_id])
        if any(r.op == "delete" for r in rows):
            for r in rows:
                s.delete(r)
            continue
        *superseded, last = rows
        for r in superseded:
            s.delete(r)
        last.op = "create"
        last.base_version = 0
        last.payload = {"data": last.payload["data"]}
