"""Following team changes: what a reader may read changes when a user moves
team, a team gets another manager (or is deleted), or a user's role or
standing changes — and every device of every affected reader converges to
exactly what the reader may now read.

Rule: :meth:`sync.server.rows.RowWriter.save` of a ``user`` or ``team`` row
that changes one of :data:`WATCHED` takes, in the same transaction, the set
of rows each affected reader could read before the change (by
:func:`sync.server.policy.visible`, the one read policy) and the set after;
for each row that entered a reader's view it writes a ``view_change`` row
``shown``, for each that left it one not ``shown``, each with a revision of
its own. The changes feed sends a ``shown`` row as the row itself (when it is
still readable) and a row that left the view as a ``gone`` change: the device
removes its copy and queues nothing — it is not a delete.

Affected readers: the user whose row changed (their role decides what they
read) and the managers of the teams they leave and join; for a team, its
previous and its new manager. Admins read everything before and after and
are left out while they stay admins. Tombstones are left out (a reader
that never had a row needs no tombstone of it). Only the entities whose visibility
depends on who the reader is are compared (:data:`SCOPED`); the rest are
readable by everyone signed in.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, insert, select

from sync.server import policy
from sync.server.db.database import next_revisions
from sync.server.db.models import ENTITY_TABLES, view_change

SCOPED = ("time_entry", "timesheet", "timesheet_event", "rate", "holiday")
WATCHED: dict[str, frozenset[str]] = {
    "user": frozenset({"team_id", "role", "active", "deleted_at"}),
    "team": frozenset({"manager_id", "deleted_at"}),
}

Readable = frozenset[tuple[str, str]]


def _managers(conn: Connection, team_ids: set[str]) -> set[str]:
    team = ENTITY_TABLES["team"]
    found = conn.scalars(
        select(team.c.manager_id).where(
            team.c.id.in_(sorted(team_ids)), team.c.manager_id.is_not(None)
        )
    )
    return {str(m) for m in found}


def _readers(
    conn: Connection, entity: str, current: Mapping[str, Any], changes: Mapping[str, Any]
) -> set[str]:
    if entity == "user":
        teams = {t for t in (current.get("team_id"), changes.get("team_id")) if t}
        return {str(current["id"]), *_managers(conn, teams)}
    return {str(m) for m in (current.get("manager_id"), changes.get("manager_id")) if m}


def _readable(conn: Connection, reader_id: str) -> tuple[bool, Readable] | None:
    """(reads everything, the scoped rows the reader reads); None for an
    account that can't sign in (its devices pull nothing)."""
    who = policy.load_principal(conn, reader_id)
    if who is None:
        return None
    if who.is_admin:
        return True, frozenset()
    rows: set[tuple[str, str]] = set()
    for entity in SCOPED:
        t = ENTITY_TABLES[entity]
        live = select(t.c.id).where(t.c.deleted_at.is_(None), policy.visible(entity, who))
        rows.update((entity, str(k)) for k in conn.scalars(live))
    return False, frozenset(rows)


class ViewWatch:
    """What the affected readers read before a change; :meth:`emit` after it."""

    def __init__(self, conn: Connection, readers: set[str]) -> None:
        self.conn = conn
        self.before = {r: _readable(conn, r) for r in sorted(readers)}

    def emit(self) -> int:
        """Write the ``view_change`` rows; returns how many."""
        out: list[tuple[str, str, str, bool]] = []
        for reader, before in self.before.items():
            after = _readable(self.conn, reader)
            if before is None or after is None or (before[0] and after[0]):
                continue
            if before[0] or after[0]:
                every = _every_scoped_row(self.conn)
                was = every if before[0] else before[1]
                now = every if after[0] else after[1]
            else:
                was, now = before[1], after[1]
            out.extend((reader, e, k, True) for e, k in sorted(now - was))
            out.extend((reader, e, k, False) for e, k in sorted(was - now))
        if not out:
            return 0
        first = next_revisions(self.conn, view_change, len(out))
        self.conn.execute(
            insert(view_change),
            [
                {"revision": first + i, "viewer_id": r, "entity": e, "entity_id": k, "shown": s}
                for i, (r, e, k, s) in enumerate(out)
            ],
        )
        return len(out)


def _every_scoped_row(conn: Connection) -> Readable:
    rows: set[tuple[str, str]] = set()
    for entity in SCOPED:
        t = ENTITY_TABLES[entity]
        live = select(t.c.id).where(t.c.deleted_at.is_(None))
        rows.update((entity, str(k)) for k in conn.scalars(live))
    return frozenset(rows)


def watch(
    conn: Connection, entity: str, current: Mapping[str, Any], changes: Mapping[str, Any]
) -> ViewWatch | None:
    """A :class:`ViewWatch` when saving ``changes`` over ``current`` may change
    who reads what (see the module rule); None otherwise."""
    if not WATCHED.get(entity, frozenset()) & set(changes):
        return None
    readers = _readers(conn, entity, current, changes)
    return ViewWatch(conn, readers) if readers else None
