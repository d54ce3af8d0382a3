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
* ``applied`` create/update/delete results carry the server's copy of the row
  (version, ``updated_at``, ``deleted_at``, values the server normalized), and
  the row records the pushing device as its ``origin``: that device holds the
  row exactly as stored, so a pull that asks for no echoes leaves it out.
  Rows a mutation changes on the side (a timer it stopped, a week's events)
  get no origin and are pulled as usual; so is the sheet of a workflow action.
* ``server_copy`` is only ever a row the actor may read (:mod:`policy`).
* Scopes (PostgreSQL, where batches of several processes run in parallel):
  before a mutation runs, its scope is locked to the end of the batch's
  transaction — the owner of the entry or week for entries and workflow
  actions (every rule that spans rows — one running timer, 24 h days, locked
  weeks, submit validation — is about one owner's rows), else the shared
  directory. So two pushes of one owner, or two directory changes, never
  interleave, and the idempotency check (which runs under the scope lock) sees
  any earlier copy of the same mutation. A deadlock between two batches (say,
  two managers deciding the same two weeks in opposite order) rolls one back,
  and it runs again (:data:`MAX_TRIES`). Not serialized across scopes: a
  directory change and an entry that refers to the same customer, project or
  task (an entry logged on a task while it is archived or deleted) may both
  commit — the state that leaves is one the entry rules already accept for an
  entry whose task went away later (:mod:`sync.server.entries`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select
from sqlalchemy.exc import DBAPIError, IntegrityError

from desktop.core.errors import Conflict, Forbidden, Locked, NotFound, PunchclockError
from desktop.core.errors import ValidationError as CoreValidation
from sync.protocol import Mutation, MutationResult
from sync.server import entries, policy
from sync.server.actions import apply_action
from sync.server.db.database import ServerDatabase, is_retryable
from sync.server.db.models import ENTITY_TABLES, KEY_COLUMN, mutation_result
from sync.server.rows import RowWriter, changed_since, coerce_data, get_row, row_data

Clock = Callable[[], datetime]
Fault = Callable[[Mutation], None]
MAX_TRIES = 3
DIRECTORY = "directory"
_entry = ENTITY_TABLES["time_entry"]
_STORE_RESULT = insert(mutation_result)
_STORED = select(mutation_result.c.user_id, mutation_result.c.result).where(
    mutation_result.c.device_id == bindparam("device_id"),
    mutation_result.c.mutation_id == bindparam("mutation_id"),
)

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


@dataclass
class _Batch:
    """What one push transaction remembers between its mutations: the scopes it
    holds, and the actor (loaded again after a user or team change)."""

    held: set[str] = field(default_factory=set)
    principal: policy.Principal | None = None

    def actor(self, conn: Connection, user_id: str) -> policy.Principal | None:
        if self.principal is None:
            self.principal = policy.load_principal(conn, user_id)
        return self.principal


class Applier:
    def __init__(self, db: ServerDatabase, clock: Clock, fault: Fault | None = None) -> None:
        self.db, self.clock, self.fault = db, clock, fault

    def push(
        self,
        user_id: str,
        device_id: str,
        mutations: Sequence[Mutation],
        *,
        origin: str | None = None,
    ) -> list[MutationResult]:
        """Apply a batch in one transaction; ``origin`` (the device row id) is
        recorded on the rows the device gets back in full."""
        ordered = sorted(mutations, key=lambda x: x.seq)
        tries = 0
        while True:
            tries += 1
            try:
                with self.db.write() as conn:
                    batch = _Batch()
                    return [
                        self._apply_one(conn, batch, user_id, device_id, origin, m) for m in ordered
                    ]
            except DBAPIError as exc:
                if tries >= MAX_TRIES or not is_retryable(exc):
                    raise

    def _scope(self, conn: Connection, user_id: str, m: Mutation) -> str:
        if m.op == "action":
            return f"owner:{m.data.get('user_id')}"
        if m.entity != "time_entry":
            return DIRECTORY
        owner = conn.scalar(select(_entry.c.user_id).where(_entry.c.id == m.entity_id))
        return f"owner:{owner or m.data.get('user_id') or user_id}"

    def _apply_one(
        self,
        conn: Connection,
        batch: _Batch,
        user_id: str,
        device_id: str,
        origin: str | None,
        m: Mutation,
    ) -> MutationResult:
        if self.fault is not None:
            self.fault(m)
        if self.db.dialect == "postgresql":
            scope = self._scope(conn, user_id, m)
            if scope not in batch.held:
                self.db.lock(conn, scope)
                batch.held.add(scope)
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
                actor = batch.actor(conn, user_id)
                if actor is None:
                    raise Outcome("rejected", "forbidden", "your account is not active")
                writer = RowWriter(conn, self.clock())
                try:
                    result = self._dispatch(conn, writer, actor, m, origin)
                except PunchclockError as exc:
                    code = next((c for t, c in _CODES.items() if isinstance(exc, t)), "validation")
                    current = get_row(conn, m.entity, m.entity_id) if m.op != "action" else None
                    if code in ("locked", "invalid_state") and current is not None:
                        copy = _readable_copy(conn, actor, m.entity, current)
                    raise Outcome("rejected", code, exc.message, copy) from None
                if m.entity in ("user", "team"):
                    batch.principal = None  # the actor's role or team may have changed
                conn.execute(
                    _STORE_RESULT,
                    {
                        "device_id": device_id,
                        "mutation_id": m.id,
                        "user_id": user_id,
                        "seq": m.seq,
                        "result": result.model_dump(mode="json"),
                        "created_at": writer.now,
                    },
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
        self,
        conn: Connection,
        writer: RowWriter,
        actor: policy.Principal,
        m: Mutation,
        origin: str | None,
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
            return self._create(conn, writer, actor, m, current, origin)
        if current is None or not policy.can_read(conn, actor, m.entity, current):
            raise _not_found(m)
        if current.get("deleted_at") is not None:
            raise _conflict(conn, actor, m, current, "was deleted on the server")
        if m.op == "delete":
            return self._delete(conn, writer, actor, m, current, origin)
        return self._update(conn, writer, actor, m, current, origin)

    def _create(
        self,
        conn: Connection,
        writer: RowWriter,
        actor: policy.Principal,
        m: Mutation,
        current: dict[str, Any] | None,
        origin: str | None,
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
        row = writer.create(m.entity, m.entity_id, values, origin=origin)
        return _answer(conn, writer, actor, m, row, origin)

    def _update(
        self,
        conn: Connection,
        writer: RowWriter,
        actor: policy.Principal,
        m: Mutation,
        current: dict[str, Any],
        origin: str | None,
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
            # A field changed meanwhile clashes only when this push wants another
            # value for it (a timer stopped here and by the server alike agrees).
            clash = {k for k in since & set(values) if current.get(k) != values[k]}
            if m.base_version > current["version"] or m.fields is None or clash:
                raise _conflict(conn, actor, m, current, "was changed on the server meanwhile")
            merged = True
        if policy.is_export_stamp(actor, m.entity, changes):
            # an admin's accounting stamp: anyone's entry, in any week
            row = writer.save(m.entity, current, changes, origin=origin)
            return _answer(conn, writer, actor, m, row, origin, merged=merged)
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
        row = writer.save(m.entity, current, changes, origin=origin)
        return _answer(conn, writer, actor, m, row, origin, merged=merged)

    def _delete(
        self,
        conn: Connection,
        writer: RowWriter,
        actor: policy.Principal,
        m: Mutation,
        current: dict[str, Any],
        origin: str | None,
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
        row = writer.save(m.entity, current, {"deleted_at": writer.now}, origin=origin)
        return _answer(conn, writer, actor, m, row, origin)


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


def _answer(
    conn: Connection,
    writer: RowWriter,
    actor: policy.Principal,
    m: Mutation,
    row: dict[str, Any],
    origin: str | None,
    *,
    merged: bool = False,
) -> MutationResult:
    """The applied result with the server's copy of the row; a row the actor
    can't read back has no copy, so it keeps no origin (it is pulled)."""
    copy = _readable_copy(conn, actor, m.entity, row)
    if copy is None and origin is not None and row.get("origin") == origin:
        writer.clear_origin(m.entity, row[KEY_COLUMN[m.entity]])
    return _applied(m, m.entity, row, merged=merged, copy=copy)


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
    found = conn.execute(_STORED, {"device_id": device_id, "mutation_id": mutation_id}).first()
    return (found.user_id, found.result) if found is not None else None


def _constraint(exc: IntegrityError) -> str:
    text = str(exc.orig).splitlines()[0] if exc.orig is not None else "integrity"
    return text[:160]
