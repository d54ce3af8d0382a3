"""Applying pushed mutations (``sync.protocol`` Push).

* A push batch is ONE write transaction, so it costs one durable commit.
  Mutations run in ``seq`` order, each inside its own SAVEPOINT: an error in
  one rolls back only that savepoint and becomes its ``rejected``/``conflict``
  result, so one bad item never blocks the rest. A crash before the commit
  leaves the whole batch unapplied (the client sends it again); after it, every
  applied item and its stored result are there together.
* An applied mutation's result is stored under (device, mutation id) in the
  same savepoint as its effect; a repeat returns that stored result with
  status ``duplicate`` (also a repeat later in the same batch). Rejections and
  conflicts changed nothing and are not stored: a repeat is judged again
  against the current server data (so a locked edit goes through once the week
  is returned).
* create: the id must be new. An id taken by a row the actor may read is a
  ``conflict`` with that row; an id taken by a row the actor may not read gets
  exactly the answer an update of an unknown id gets (``not_found``, "no …
  that you may see"), so a create can't be used to learn that a hidden id
  exists. update: same base version → applied; stale base
  → merged when the fields changed since the base are disjoint from
  ``fields`` (``merged`` true), otherwise ``conflict``/``version_conflict`` with
  the server copy. update/delete of a tombstone → conflict; delete with a
  stale base → conflict. Rows the actor may not read are ``not_found``.
* ``server_copy`` is only ever a row the actor may read (:mod:`policy`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select
from sqlalchemy.exc import IntegrityError

from desktop.core.errors import Conflict, Forbidden, Locked, NotFound, PunchclockError
from desktop.core.errors import ValidationError as CoreValidation
from sync.protocol import Mutation, MutationResult
from sync.server import entries, policy
from sync.server.actions import apply_action
from sync.server.db.database import ServerDatabase
from sync.server.db.models import KEY_COLUMN, mutation_result
from sync.server.rows import RowWriter, changed_since, coerce_data, get_row, row_data

Clock = Callable[[], datetime]
Fault = Callable[[Mutation], None]

_CODES: dict[type[PunchclockError], str] = {
    Locked: "locked",
    Forbidden: "forbidden",
    NotFound: "not_found",
    Conflict: "invalid_state",
    CoreValidation: "validation",
}


class Outcome(Exception):
    """A non-applied result, raised to roll the mutation's transaction back."""

    def __init__(
        self, status: str, code: str, message: str, copy: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.copy = status, code, message, copy


class Applier:
    def __init__(self, db: ServerDatabase, clock: Clock, fault: Fault | None = None) -> None:
        self.db, self.clock, self.fault = db, clock, fault

    def push(
        self, user_id: str, device_id: str, mutations: Sequence[Mutation]
    ) -> list[MutationResult]:
        ordered = sorted(mutations, key=lambda x: x.seq)
        with self.db.write() as conn:
            return [self._apply_one(conn, user_id, device_id, m) for m in ordered]

    def _apply_one(
        self, conn: Connection, user_id: str, device_id: str, m: Mutation
    ) -> MutationResult:
        if self.fault is not None:
            self.fault(m)
        copy: dict[str, Any] | None = None
        try:
            with conn.begin_nested():
                stored = _stored(conn, device_id, m.id)
                if stored is not None:
                    if stored[0] != user_id:
                        raise Outcome(
                            "rejected", "forbidden", "this mutation id belongs to another user"
                        )
                    return MutationResult.model_validate({**stored[1], "status": "duplicate"})
                actor = policy.load_principal(conn, user_id)
                if actor is None:
                    raise Outcome("rejected", "forbidden", "your account is not active")
                writer = RowWriter(conn, self.clock())
                try:
                    result = self._dispatch(conn, writer, actor, m)
                except PunchclockError as exc:
                    code = next((c for t, c in _CODES.items() if isinstance(exc, t)), "validation")
                    current = get_row(conn, m.entity, m.entity_id) if m.op != "action" else None
                    if code in ("locked", "invalid_state") and current is not None:
                        copy = _readable_copy(conn, actor, m.entity, current)
                    raise Outcome("rejected", code, exc.message, copy) from None
                conn.execute(
                    insert(mutation_result).values(
                        device_id=device_id,
                        mutation_id=m.id,
                        user_id=user_id,
                        seq=m.seq,
                        result=result.model_dump(mode="json"),
                        created_at=writer.now,
                    )
                )
                return result
        except Outcome as out:
            return MutationResult(
                id=m.id,
                seq=m.seq,
                status=out.status,  # type: ignore[arg-type]
                code=out.code,  # type: ignore[arg-type]
                message=out.message,
                entity=m.entity,
                entity_id=m.entity_id,
                version=out.copy["version"] if out.copy else None,
                server_copy=out.copy,
            )
        except IntegrityError as exc:
            return MutationResult(
                id=m.id,
                seq=m.seq,
                status="rejected",
                code="validation",
                message=f"the {m.entity} breaks a database rule ({_constraint(exc)})",
                entity=m.entity,
                entity_id=m.entity_id,
            )

    # ------------------------------------------------------------ dispatch

    def _dispatch(
        self, conn: Connection, writer: RowWriter, actor: policy.Principal, m: Mutation
    ) -> MutationResult:
        if m.op == "action":
            if m.entity != "timesheet":
                raise CoreValidation("actions exist only on timesheets")
            sheet = apply_action(conn, writer, actor, m)
            return _applied(m, "timesheet", sheet, copy=row_data("timesheet", sheet))
        if m.entity in ("timesheet", "timesheet_event"):
            raise Forbidden(f"{m.entity} rows change only through workflow actions")
        key = m.entity_id
        if len(key) > (64 if m.entity == "company_setting" else 36):
            raise CoreValidation("entity_id is too long")
        given = m.data.get(KEY_COLUMN[m.entity])
        if given is not None and given != key:
            raise CoreValidation("data's id differs from entity_id")
        current = get_row(conn, m.entity, key)
        if m.op == "create":
            return self._create(conn, writer, actor, m, current)
        if current is None or not policy.can_read(conn, actor, m.entity, current):
            raise _not_found(m)
        if current.get("deleted_at") is not None:
            raise _conflict(conn, actor, m, current, "was deleted on the server")
        if m.op == "delete":
            return self._delete(conn, writer, actor, m, current)
        return self._update(conn, writer, actor, m, current)

    def _create(
        self,
        conn: Connection,
        writer: RowWriter,
        actor: policy.Principal,
        m: Mutation,
        current: dict[str, Any] | None,
    ) -> MutationResult:
        if current is not None:
            copy = _readable_copy(conn, actor, m.entity, current)
            if copy is None:
                raise _not_found(m)
            raise Outcome("conflict", "version_conflict", f"the {m.entity} already exists", copy)
        if "version" in (m.fields or []):
            raise Forbidden("version is set by the server, not by a push")
        values = coerce_data(m.entity, m.data)
        policy.check_owned_fields(m.entity, values, actor)
        if m.entity == "time_entry":
            values.setdefault("user_id", actor.id)
        policy.check_write(conn, actor, m.entity, values, op="create")
        policy.check_team_manager(conn, m.entity, values)
        if m.entity == "task":
            if values.get("created_by") not in (None, actor.id):
                raise Forbidden("a task's created_by is the user who pushes its create")
            values["created_by"] = actor.id
            entries.check_task_row(conn, values)
        if m.entity == "time_entry":
            values = entries.check_entry(conn, {**values, "id": m.entity_id})
            entries.check_week_open(conn, values["user_id"], values["work_date"])
            values = entries.settle_running(writer, values)
            values.pop("id")
        row = writer.create(m.entity, m.entity_id, values)
        return _applied(m, m.entity, row)

    def _update(
        self,
        conn: Connection,
        writer: RowWriter,
        actor: policy.Principal,
        m: Mutation,
        current: dict[str, Any],
    ) -> MutationResult:
        names = m.fields if m.fields is not None else list(m.data)
        if "version" in names:
            raise Forbidden("version is set by the server, not by a push")
        values = coerce_data(m.entity, m.data, names)
        changes = {k: v for k, v in values.items() if current.get(k) != v}
        policy.check_owned_fields(m.entity, changes, actor, update=True)
        merged = False
        if m.base_version != current["version"]:
            since = changed_since(conn, m.entity, m.entity_id, m.base_version) - {"updated_at"}
            if m.base_version > current["version"] or m.fields is None or since & set(values):
                raise _conflict(conn, actor, m, current, "was changed on the server meanwhile")
            merged = True
        if policy.is_export_stamp(actor, m.entity, changes):
            # an admin's accounting stamp: anyone's entry, in any week
            row = writer.save(m.entity, current, changes)
            return _applied(
                m, m.entity, row, merged=merged, copy=row_data(m.entity, row) if merged else None
            )
        policy.check_write(conn, actor, m.entity, current)
        new = {**current, **changes}
        policy.check_write(conn, actor, m.entity, new)
        policy.check_team_manager(conn, m.entity, changes)
        if m.entity == "task" and changes:
            if "created_by" in changes:
                raise Forbidden("a task's created_by can't be changed")
            entries.check_task_row(conn, new, current)
        if m.entity == "time_entry" and changes:
            policy.check_not_exported(actor, current)
            if new["user_id"] != current["user_id"]:
                raise Forbidden("an entry can't be given to someone else")
            entries.check_week_open(conn, current["user_id"], current["work_date"])
            entries.check_week_open(conn, new["user_id"], new["work_date"])
            new = entries.check_entry(conn, new, current)
            new["rejection_reason"] = None  # an edit answers the manager's reason
            new = entries.settle_running(writer, new)
            changes = {k: v for k, v in new.items() if current.get(k) != v}
        row = writer.save(m.entity, current, changes)
        return _applied(
            m, m.entity, row, merged=merged, copy=row_data(m.entity, row) if merged else None
        )

    def _delete(
        self,
        conn: Connection,
        writer: RowWriter,
        actor: policy.Principal,
        m: Mutation,
        current: dict[str, Any],
    ) -> MutationResult:
        if m.entity == "company_setting":
            raise CoreValidation("company settings can't be deleted; set them instead")
        if m.base_version != current["version"]:
            raise _conflict(
                conn, actor, m, current, "was changed on the server after you last saw it"
            )
        policy.check_write(conn, actor, m.entity, current, op="delete")
        if m.entity == "time_entry":
            policy.check_not_exported(actor, current)
            entries.check_week_open(conn, current["user_id"], current["work_date"])
        row = writer.save(m.entity, current, {"deleted_at": writer.now})
        return _applied(m, m.entity, row)


def _not_found(m: Mutation) -> NotFound:
    """The one answer for an id that doesn't exist or that the actor may not read."""
    return NotFound(f"no {m.entity} {m.entity_id} that you may see")


def _conflict(
    conn: Connection, actor: policy.Principal, m: Mutation, current: dict[str, Any], what: str
) -> Outcome:
    """A change made on a stale copy (or on a deleted row): nothing applied, and
    the server's copy, as far as the actor may read it, goes back so the device
    keeps both."""
    copy = _readable_copy(conn, actor, m.entity, current)
    return Outcome("conflict", "version_conflict", f"the {m.entity} {what}", copy)


def _applied(
    m: Mutation,
    entity: str,
    row: dict[str, Any],
    *,
    merged: bool = False,
    copy: dict[str, Any] | None = None,
) -> MutationResult:
    return MutationResult(
        id=m.id,
        seq=m.seq,
        status="applied",
        entity=entity,  # type: ignore[arg-type]
        entity_id=row[KEY_COLUMN[entity]],
        version=row["version"],
        merged=merged,
        server_copy=copy,
    )


def _readable_copy(
    conn: Connection, actor: policy.Principal, entity: str, row: dict[str, Any]
) -> dict[str, Any] | None:
    return row_data(entity, row) if policy.can_read(conn, actor, entity, row) else None


def _stored(
    conn: Connection, device_id: str, mutation_id: str
) -> tuple[str, dict[str, Any]] | None:
    found = conn.execute(
        select(mutation_result.c.user_id, mutation_result.c.result).where(
            mutation_result.c.device_id == device_id, mutation_result.c.mutation_id == mutation_id
        )
    ).first()
    return (found.user_id, found.result) if found is not None else None


def _constraint(exc: IntegrityError) -> str:
    text = str(exc.orig).splitlines()[0] if exc.orig is not None else "integrity"
    return text[:160]
