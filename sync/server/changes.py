"""Reading: the changes feed and the records endpoints, all filtered by
:func:`sync.server.policy.visible` (one policy for lists, single records and
changes).

Changes rule: read the revision counter C first (everything ≤ C is committed,
see :mod:`sync.server.db.database`), then take, per entity, the visible rows
with ``since < revision <= C`` in revision order, merge and cut at ``limit``.
A full page's cursor is its last revision (``has_more``); otherwise the cursor
is C, skipping past rows the caller can't see without ever skipping a row that
commits later (its revision will be > C).

The caller's ``view_change`` rows (:mod:`sync.server.views`) merge into the
same order: one that showed a row sends the row as it is now, when the caller
still reads it; one that withdrew a row sends a ``gone`` change, when the
caller still doesn't read it (a later change of view decides otherwise). As
those are filtered after the SQL limit, a page never reaches past the last
``view_change`` revision it read.

Withdrawals (protocol 2): ``gone`` changes go only to a client that asks for
them; a version-1 client (whose models forbid unknown keys) gets neither the
withdrawals nor a ``gone`` key in any change — it keeps rows that left its view,
as it always did — and its cursor moves past them all the same.

No echoes: with ``skip_origin`` (the caller's device row id) the rows whose
current version that device pushed itself are left out like invisible rows —
the push result gave it the server's full copy of each (:mod:`sync.server.apply`).
A later change by anyone else (or by the server on the side) clears the origin,
so the device pulls that version.
"""

from __future__ import annotations

import heapq
from datetime import date
from typing import Any

from sqlalchemy import Connection, or_, select

from sync.protocol import Change, ChangesResponse, Record, RecordsResponse
from sync.server.db.database import current_counter
from sync.server.db.models import ENTITY_TABLES, view_change
from sync.server.policy import Principal, visible
from sync.server.rows import key_column, row_data


def changes(
    conn: Connection,
    actor: Principal,
    since: int,
    limit: int,
    *,
    skip_origin: str | None = None,
    withdrawals: bool = True,
) -> ChangesResponse:
    top = current_counter(conn)
    if since >= top:
        return ChangesResponse(changes=[], cursor=max(since, top), has_more=False)
    found: list[tuple[int, str, dict[str, Any]]] = []
    for entity, t in ENTITY_TABLES.items():
        query = select(t).where(t.c.revision > since, t.c.revision <= top, visible(entity, actor))
        if skip_origin is not None:
            query = query.where(or_(t.c.origin.is_(None), t.c.origin != skip_origin))
        rows = conn.execute(query.order_by(t.c.revision).limit(limit + 1)).mappings()
        found.extend((int(r["revision"]), entity, dict(r)) for r in rows)
    views, bound = _view_changes(conn, actor, since, top, limit)
    found.extend(views)
    page = heapq.nsmallest(limit + 1, found, key=lambda x: x[0])
    has_more = len(page) > limit
    page = page[:limit]
    cursor = page[-1][0] if has_more else top
    if bound is not None and bound < cursor:
        page = [item for item in page if item[0] <= bound]
        cursor, has_more = bound, True
    out = [_change(rev, entity, row) for rev, entity, row in page]
    if not withdrawals:
        out = [c for c in out if not c.gone]
    return ChangesResponse(changes=out, cursor=cursor, has_more=has_more)


def _view_changes(
    conn: Connection, actor: Principal, since: int, top: int, limit: int
) -> tuple[list[tuple[int, str, dict[str, Any]]], int | None]:
    """The caller's view changes in (since, top] as feed items (a withdrawn row
    as ``{"id": …, GONE: True}``), and the revision the page may not pass when
    more of them wait."""
    rows = list(
        conn.execute(
            select(view_change)
            .where(
                view_change.c.viewer_id == actor.id,
                view_change.c.revision > since,
                view_change.c.revision <= top,
            )
            .order_by(view_change.c.revision)
            .limit(limit + 1)
        ).mappings()
    )
    bound = None
    if len(rows) > limit:
        rows = rows[:limit]
        bound = int(rows[-1]["revision"])
    by_entity: dict[str, set[str]] = {}
    for r in rows:
        by_entity.setdefault(r["entity"], set()).add(r["entity_id"])
    readable: dict[tuple[str, str], dict[str, Any]] = {}
    for entity, ids in by_entity.items():
        t = ENTITY_TABLES[entity]
        for found in conn.execute(
            select(t).where(t.c.id.in_(sorted(ids)), visible(entity, actor))
        ).mappings():
            readable[(entity, str(found["id"]))] = dict(found)
    out: list[tuple[int, str, dict[str, Any]]] = []
    for r in rows:
        current = readable.get((r["entity"], r["entity_id"]))
        if r["shown"] and current is not None:
            out.append((int(r["revision"]), r["entity"], current))
        elif not r["shown"] and current is None:
            out.append((int(r["revision"]), r["entity"], {"id": r["entity_id"], GONE: True}))
    return out, bound


GONE = "__gone__"


def _change(revision: int, entity: str, row: dict[str, Any]) -> Change:
    if row.get(GONE):
        return Change(
            revision=revision,
            entity=entity,  # type: ignore[arg-type]
            entity_id=str(row["id"]),
            version=0,
            deleted=False,
            data={},
            gone=True,
        )
    data = row_data(entity, row)
    return Change(
        revision=revision,
        entity=entity,  # type: ignore[arg-type]
        entity_id=str(row["key"] if entity == "company_setting" else row["id"]),
        version=int(row["version"]),
        deleted=row.get("deleted_at") is not None,
        data=data,
    )


def _record(entity: str, row: dict[str, Any]) -> Record:
    c = _change(0, entity, row)
    return Record(
        entity=c.entity, entity_id=c.entity_id, version=c.version, deleted=c.deleted, data=c.data
    )


def list_records(
    conn: Connection,
    actor: Principal,
    entity: str,
    *,
    user_id: str | None,
    date_from: date | None,
    date_to: date | None,
    limit: int,
    offset: int,
) -> RecordsResponse:
    t = ENTITY_TABLES[entity]
    query = select(t).where(visible(entity, actor))
    if user_id is not None and "user_id" in t.c:
        query = query.where(t.c.user_id == user_id)
    if "work_date" in t.c:
        if date_from is not None:
            query = query.where(t.c.work_date >= date_from)
        if date_to is not None:
            query = query.where(t.c.work_date <= date_to)
    rows = conn.execute(
        query.order_by(key_column(entity)).limit(limit + 1).offset(offset)
    ).mappings()
    records = [_record(entity, dict(r)) for r in rows]
    return RecordsResponse(records=records[:limit], has_more=len(records) > limit)


def get_record(conn: Connection, actor: Principal, entity: str, key: str) -> Record | None:
    t = ENTITY_TABLES[entity]
    row = (
        conn.execute(select(t).where(key_column(entity) == key, visible(entity, actor)))
        .mappings()
        .first()
    )
    return _record(entity, dict(row)) if row is not None else None
