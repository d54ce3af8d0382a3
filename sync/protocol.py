"""The sync protocol's wire shapes (pydantic), ``/api/v1``. Source of truth for
both ends.

Auth
    ``POST /api/v1/auth/login`` :class:`LoginRequest` → :class:`LoginResponse`: a
    per-device bearer token (random, stored hashed on the server, revocable).
    ``POST /api/v1/auth/logout`` revokes the calling token (204).
    ``GET /api/v1/auth/devices`` → list of :class:`DeviceOut`;
    ``DELETE /api/v1/auth/devices/{id}`` revokes one of the caller's devices.
    ``GET /api/v1/me`` → :class:`UserOut`.

Push
    ``POST /api/v1/sync/push`` :class:`PushRequest` → :class:`PushResponse`.
    At most :data:`MAX_MUTATIONS` mutations and :data:`MAX_BODY_BYTES` per request
    (413 beyond). A batch is applied in ONE server transaction, the mutations in
    ``seq`` order, each in its own savepoint (it succeeds or fails on its own);
    an applied mutation's result is stored with it under (device, mutation id)
    permanently, so pushing the same mutation again returns the stored result
    with status ``duplicate``. One bad mutation never blocks the others; a
    server that dies before answering committed the whole batch or none of it.

    A mutation is one local outbox row: ``entity``/``entity_id``/``op``/
    ``base_version`` as recorded, ``data`` = the row's columns exactly as
    :func:`desktop.core.outbox.row_data` writes them (column names of
    ``desktop.core.model``; dates and instants ISO 8601), ``fields`` = the columns
    an update changed (``None`` for create/delete).

    * ``create`` / ``update`` / ``delete`` (tombstone) on a synced entity.
      Same base version → applied. Stale base version → merged when the fields
      changed since that version are disjoint from ``fields`` (status
      ``applied``, ``merged`` true); otherwise the server copy wins (status
      ``conflict``, ``server_copy`` set) and the client keeps its own value as a
      visible conflict copy. An update or delete of a tombstoned row is a
      conflict: nothing resurrects.
    * ``action`` on ``timesheet``: a workflow transition. ``data`` is
      :class:`TimesheetAction`; the sheet is found by (user_id, week_start), not by
      id, because two devices may each have made a local draft row for the week.
      The server runs :func:`desktop.core.workflow.check_transition` as the
      authenticated user, validates submit with the server's copy of the week,
      and writes the audit event with server time.
    * Server-owned fields can't be pushed: ``version``, ``status``/
      ``submitted_at``/``decided_at``/``decided_by`` of a timesheet,
      ``rejection_reason`` and ``exported_at`` of an entry, and ``user_id`` of
      someone the actor may not act for. A mutation that sets one is
      ``rejected`` with code ``forbidden``.
    * Entries of a submitted or approved week: ``rejected``, code ``locked``,
      with the server copy. Two running timers for one user: the later start
      stops the earlier one at that instant (laptop clocks never order changes
      otherwise) — when that stop is allowed (the stopped timer's week open, it
      and its day within 24 h); otherwise the mutation bringing the second
      timer is ``rejected`` (``locked`` / ``validation``) and nothing changes.
    * A time entry's ``work_date`` is the local date at ``started_at`` in the
      owner's timezone and a timed entry's ``duration_s`` is ``ended_at -
      started_at``; a create or an update of those fields that disagrees is
      ``rejected`` with code ``validation``.

Pull
    ``GET /api/v1/sync/changes?since=CURSOR&limit=N`` → :class:`ChangesResponse`.
    Changes are ordered by a server revision counter assigned so that a reader
    can never skip a row committed late; each change is the row's current state
    (tombstones included). The client applies a page and stores ``cursor`` in
    one local transaction. Only rows the caller may read are listed (one policy
    for lists, single records and changes); technicians never receive cost rates.
    ``&echoes=false`` (additive; default true) leaves out the rows whose current
    version the calling device pushed itself: their ``applied``/``duplicate``
    push results carried the server's full copy (``server_copy``), which the
    device stores. A change by anyone else, or made by the server on the side,
    is always sent.

Records (added with the server; additive)
    ``GET /api/v1/records/{entity}?user_id=&work_date_from=&work_date_to=&limit=&offset=``
    → :class:`RecordsResponse`; ``GET /api/v1/records/{entity}/{entity_id}`` →
    :class:`Record` (404 ``not_found`` when the row doesn't exist or the caller
    may not read it). The same policy as the changes feed decides what is listed.

Server notes (added with the server; additive)
    * Only ``applied`` results are stored; a repeated mutation that was
      ``rejected`` or ``conflict`` is judged again (it changed nothing), so a
      locked edit can be retried once the week is returned.
    * ``push``'s ``device_id`` must be the device the token was issued to (403).
    * ``applied`` results carry ``server_copy``: the row as stored (create,
      update — merged or not — and delete) or the sheet after a timesheet
      action (its id may differ from the pushed local draft id); otherwise
      ``server_copy`` is the server's row for ``locked``/``invalid_state``
      rejections and conflicts.
    * The owner editing an entry clears its ``rejection_reason`` (pushing
      ``rejection_reason: null`` is allowed; any other value is forbidden).
    * 401 codes: ``unauthenticated``, ``token_expired``, ``token_revoked``;
      429 ``rate_limited`` (failed logins); 413 ``too_large``; 422 ``invalid``.

Input bounds (every request body)
    Integers that are stored (``seq``, ``base_version``) fit a signed 64-bit
    column: at most :data:`MAX_INT64`. Every string of a request — its fields,
    a mutation's ``data`` at any depth, the keys of ``data``'s objects, the
    names in ``fields`` — holds no lone surrogate (U+D800..U+DFFF, which no
    database can store) and no control character other than tab, newline and
    carriage return (:func:`check_text`); ``data`` nests at most
    :data:`MAX_DATA_DEPTH` levels. Anything else is refused with 422
    ``invalid`` naming the place, before any mutation is applied. Which of
    tab / newline / CR a column accepts is that column's own rule (e.g. a
    description allows newline and tab only).
    String query and path parameters are held to the same rule
    (:data:`CleanStr`). Dates — in bodies, in ``data`` and in query parameters — are ``YYYY-MM-DD``
    and nothing else (:func:`parse_iso_date`; no week dates, no compact form,
    no timestamps).

Errors
    Every 4xx body is :class:`ErrorOut` (``code`` + one-line ``message``); the
    server never answers 500 to bad input.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
)
from pydantic_core import PydanticCustomError

API_PREFIX = "/api/v1"
# 2: the changes feed can withdraw rows from a reader's view (``Change.gone``),
# sent only to clients that ask for them (``gone=true``); a version-1 client gets
# no ``gone`` key at all (its models forbid unknown keys) and no withdrawals.
PROTOCOL_VERSION = 2
MAX_MUTATIONS = 500
MAX_BODY_BYTES = 1024 * 1024
MAX_PULL_LIMIT = 1000
DEFAULT_PULL_LIMIT = 500
MAX_INT64 = 2**63 - 1
MAX_DATA_DEPTH = 16

Entity = Literal[
    "customer",
    "project",
    "task",
    "team",
    "user",
    "rate",
    "time_entry",
    "timesheet",
    "timesheet_event",
    "holiday",
    "company_setting",
]
Op = Literal["create", "update", "delete", "action"]
ResultStatus = Literal["applied", "duplicate", "conflict", "rejected"]
ErrorCode = Literal[
    "locked",  # the entry's week is submitted or approved
    "validation",  # the data breaks a rule (the message says which)
    "forbidden",  # the actor may not do this, or set this field
    "not_found",  # no such row (or not visible to the actor)
    "version_conflict",  # stale base version and the same fields changed
    "invalid_state",  # a workflow action that the sheet's status doesn't allow
]
Role = Literal["technician", "manager", "admin"]
WorkflowAction = Literal["submit", "recall", "approve", "reject", "return", "reopen"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# C0 controls but tab, LF and CR; DEL and the C1 controls; the surrogate block.
_UNCLEAN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def check_text(value: str) -> str | None:
    """What is wrong with ``value`` as text of a request (see "Input bounds"), or None."""
    found = _UNCLEAN.search(value)
    if found is None:
        return None
    code = ord(found.group())
    kind = "a lone surrogate" if 0xD800 <= code <= 0xDFFF else "a control character"
    return f"holds {kind} (U+{code:04X}) at position {found.start() + 1}"


def _unclean(value: Any, where: str, depth: int = 0) -> str | None:
    """The first unclean string inside ``value`` (JSON-shaped), as "where: problem"."""
    if isinstance(value, str):
        problem = check_text(value)
        return f"{where}: {problem}" if problem else None
    if depth > MAX_DATA_DEPTH:
        return f"{where}: nests deeper than {MAX_DATA_DEPTH} levels"
    if isinstance(value, dict):
        for key, item in value.items():
            problem = check_text(str(key))
            if problem:
                return f"{where}: a key {problem}"
            found = _unclean(item, f"{where}.{key}", depth + 1)
            if found:
                return found
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            found = _unclean(item, f"{where}.{index}", depth + 1)
            if found:
                return found
    return None


_ISO_DATE = re.compile("[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_iso_date(text: str) -> date:
    """A ``YYYY-MM-DD`` date; ValueError for anything else (see "Input bounds")."""
    if not _ISO_DATE.fullmatch(text):
        raise ValueError(f"{text[:40]!r} is not a date written YYYY-MM-DD")
    return date.fromisoformat(text)  # ValueError for a day that doesn't exist


def _iso_date(value: Any) -> Any:
    if isinstance(value, str):
        return parse_iso_date(value)
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    raise ValueError("a date written YYYY-MM-DD is needed")


IsoDate = Annotated[date, BeforeValidator(_iso_date)]


def _clean_text(value: str) -> str:
    problem = check_text(value)
    if problem:
        raise ValueError(problem)
    return value


CleanStr = Annotated[str, AfterValidator(_clean_text)]
"""A string query or path parameter, held to :func:`check_text` like bodies."""


class _Request(_Strict):
    """A request body: every string in it passes :func:`check_text`."""

    @field_validator("*", mode="after")
    @classmethod
    def _clean_text(cls, value: Any, info: Any) -> Any:
        problem = _unclean(value, str(info.field_name))
        if problem:
            raise PydanticCustomError("unclean_text", problem)
        return value


# --------------------------------------------------------------------- auth


class LoginRequest(_Request):
    email: str = Field(min_length=3, max_length=320)
    password: str = Field(min_length=1, max_length=1024)
    device_name: str = Field(min_length=1, max_length=100)
    device_id: str = Field(min_length=1, max_length=36, description="the client's device UUID")


class UserOut(_Strict):
    id: str
    name: str
    email: str
    role: Role
    team_id: str | None
    timezone: str


class LoginResponse(_Strict):
    token: str
    device_id: str
    user: UserOut


class DeviceOut(_Strict):
    id: str
    name: str
    created_at: datetime
    last_seen_at: datetime | None
    revoked: bool
    current: bool


class ErrorOut(_Strict):
    code: str
    message: str


# --------------------------------------------------------------------- push


class TimesheetAction(_Request):
    """``data`` of an ``action`` mutation on a timesheet."""

    action: WorkflowAction
    user_id: str
    week_start: IsoDate
    comment: str | None = Field(default=None, max_length=2000)
    entry_reasons: dict[str, str] = Field(default_factory=dict)


class Mutation(_Request):
    id: str = Field(min_length=1, max_length=36, description="the outbox row's UUID")
    seq: int = Field(ge=1, le=MAX_INT64, description="per-device, increasing")
    entity: Entity
    op: Op
    entity_id: str = Field(min_length=1, max_length=64)
    base_version: int = Field(ge=0, le=MAX_INT64)
    data: dict[str, Any]
    fields: list[str] | None = None


class PushRequest(_Request):
    device_id: str = Field(min_length=1, max_length=36)
    mutations: list[Mutation] = Field(max_length=MAX_MUTATIONS)


class MutationResult(_Strict):
    id: str
    seq: int
    status: ResultStatus
    code: ErrorCode | None = None
    message: str | None = None
    entity: Entity
    entity_id: str
    version: int | None = None
    merged: bool = False
    server_copy: dict[str, Any] | None = None


class PushResponse(_Strict):
    results: list[MutationResult]


# --------------------------------------------------------------------- pull


class Change(_Strict):
    """One row as of ``revision``. ``gone``: the row left the reader's view (a
    team or role change) — the device removes its copy, which is not a delete
    (nothing is pushed); ``data`` is then empty. Sent (and the key present) only
    to a client that asks with ``gone=true`` (protocol 2, :data:`PROTOCOL_VERSION`)."""

    revision: int
    entity: Entity
    entity_id: str
    version: int
    deleted: bool
    data: dict[str, Any]
    gone: bool = False


class Record(_Strict):
    """One row as the records endpoints return it (a :class:`Change` without revision)."""

    entity: Entity
    entity_id: str
    version: int
    deleted: bool
    data: dict[str, Any]


class RecordsResponse(_Strict):
    records: list[Record]
    has_more: bool


class ChangesResponse(_Strict):
    changes: list[Change]
    cursor: int
    has_more: bool
