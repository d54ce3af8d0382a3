"""The push/pull engine over the local outbox.

One round (:meth:`SyncEngine.sync_once`) pushes, then pulls.

Push
    Pending outbox rows go in ``seq`` order, in batches of at most
    :data:`BATCH_SIZE`, each row as one :class:`sync.protocol.Mutation`. A batch
    holds at most one mutation per row (entity id): the version V the server
    gives the first becomes the base version of the later ones that had seen
    V-1 (they were made on top of our own change), so a create followed by an
    edit never looks stale, and an edit that missed another device's version is
    still judged by the server (merge or conflict), never rebased over it.
    Per-item results:

    * ``applied`` / ``duplicate`` — the outbox row is done (deleted); the
      server's copy of the row in the result (version, ``updated_at``,
      ``deleted_at``, values it normalized) is written into the local row like
      a pulled change (pending later edits keep their fields; an older copy
      than the row already holds is ignored), or just its version when the
      result has no copy.
    * ``conflict`` — the server copy is applied locally; the outbox row keeps the
      local value and moves to *needs attention* (``conflict: …``): the user
      retries it on top of the server copy, or discards it.
    * ``rejected`` (locked, validation, forbidden, …) — same, with the server's
      code and message; a rejected workflow action is undone locally.

    A batch answered 5xx (after the HTTP retries) is split in halves until the
    failing mutation stands alone; that one waits with exponential backoff
    (``attempts``/``next_attempt_at``) and becomes *needs attention* after
    :data:`MAX_ATTEMPTS`. A waiting row holds back only later rows of the same
    entity and rows that reference it — never the rest of the queue. A row whose
    create was refused is held until the user edits the row (the edit re-sends
    it as a create) or discards it.

Pull
    ``/sync/changes`` page by page; each page and the new cursor are written in
    ONE local transaction (:mod:`sync.client.store` merges with pending edits).
    Without echoes: the rows this device pushed and holds from the push results
    are not sent back — except on a pull from cursor 0 (first sync, another
    account, a discarded attention item), which takes everything.

Provisional stops
    After the pull, the server's copies of the timers the pull stopped
    provisionally are read back and applied (:func:`sync.client.store.settle_provisional`).

Offline or logged out, the round stops where it is; nothing is lost: the
outbox keeps everything that was not answered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from pydantic import ValidationError as PydanticError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from desktop.core.db import Database
from desktop.core.model import Outbox
from desktop.core.timeutil import utcnow
from sync import protocol
from sync.client import results, store
from sync.client.http import ApiClient, ApiRefusal, Offline, ServerFailure, SyncError
from sync.client.queue import QueueItem

BATCH_SIZE = 100
CONTENT_REFUSALS = (400, 413, 422)  # a batch refused for what it holds is split
MAX_ATTEMPTS = 8
BACKOFF_BASE_S = 30
BACKOFF_MAX_S = 3600


@dataclass(frozen=True)
class SyncReport:
    """What one round moved, and where the device stands after it."""

    pushed: int = 0
    pulled: int = 0
    attention: int = 0  # items that need attention now (all, not just new ones)
    new_attention: int = 0
    waiting: int = 0  # outbox rows still pending
    offline: bool = False
    error: str | None = None
    at: datetime | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass
class _Tally:
    pushed: int = 0
    attention: int = 0
    held: set[str] = field(default_factory=set)
    repeated: set[str] = field(default_factory=set)  # rows with several pending mutations
    malformed: set[str] = field(default_factory=set)  # outbox ids that are no mutation


class SyncEngine:
    def __init__(
        self,
        db: Database,
        api: ApiClient,
        *,
        clock: Callable[[], datetime] = utcnow,
        batch_size: int = BATCH_SIZE,
        pull_limit: int = protocol.DEFAULT_PULL_LIMIT,
    ) -> None:
        self.db = db
        self.api = api
        self.now = clock
        self.batch_size = max(1, min(batch_size, protocol.MAX_MUTATIONS))
        self.pull_limit = pull_limit
        self.replica = store.Replica(db)

    def close(self) -> None:
        self.replica.close()
        self.api.close()

    @property
    def device_id(self) -> str:
        with self.replica.write() as s:
            return store.sync_state(s).device_id

    # ---------------------------------------------------------------- round

    def sync_once(self, *, force: bool = False) -> SyncReport:
        """Push then pull. ``force`` ignores the backoff of failed items ("Sync now")."""
        tally = _Tally()
        pulled = 0
        error: str | None = None
        offline = False
        try:
            self.push(force=force, tally=tally)
            pulled = self.pull()
            self.settle_provisional()
        except Offline as exc:
            offline, error = True, exc.message
        except SyncError as exc:
            error = exc.message
        now = self.now()
        with self.replica.write() as s:
            state = store.sync_state(s)
            if error is None:
                state.last_success_at = now
                state.last_error = None
            else:
                state.last_error_at, state.last_error = now, error
            waiting = results.count(s, "pending")
            attention = results.count(s, "attention")
        return SyncReport(
            pushed=tally.pushed,
            pulled=pulled,
            attention=attention,
            new_attention=tally.attention,
            waiting=waiting,
            offline=offline,
            error=error,
            at=now,
        )

    # ----------------------------------------------------------------- push

    def push(self, *, force: bool = False, tally: _Tally | None = None) -> _Tally:
        tally = tally if tally is not None else _Tally()
        device_id = self.device_id
        now = self.now()
        with self.replica.write() as s:
            results.fold_refused_creates(s)
            tally.held |= set(
                s.scalars(
                    select(Outbox.entity_id).where(
                        Outbox.state == "attention", Outbox.op == "create"
                    )
                )
            )
            rows = list(
                s.scalars(select(Outbox).where(Outbox.state == "pending").order_by(Outbox.seq))
            )
            seen: set[str] = set()
            for r in rows:
                if r.entity_id in seen:
                    tally.repeated.add(r.entity_id)
                seen.add(r.entity_id)
            queue = []
            for r in rows:
                if not force and r.next_attempt_at is not None and r.next_attempt_at > now:
                    tally.held.add(r.entity_id)
                    continue
                queue.append(
                    QueueItem(
                        r.id,
                        r.seq,
                        r.entity,
                        r.op,
                        r.entity_id,
                        r.base_version,
                        r.payload,
                        r.attempts,
                    )
                )
        while queue:
            malformed = len(tally.malformed)
            batch: list[QueueItem] = []
            taken: set[str] = set()
            blocked = set(tally.held)
            for item in queue:
                if len(batch) >= self.batch_size:
                    break
                if item.entity_id in blocked or item.entity_id in taken or item.refs() & blocked:
                    blocked.add(item.entity_id)
                    continue
                if not self._well_formed(item, tally):
                    continue
                batch.append(item)
                taken.add(item.entity_id)
            if not batch:
                if len(tally.malformed) == malformed:
                    break  # everything left waits on something
                queue = [i for i in queue if i.id not in tally.malformed]
                continue
            done = {i.id for i in batch} | tally.malformed
            self._send(device_id, batch, queue, tally)
            queue = [i for i in queue if i.id not in done]
        return tally

    def _send(
        self, device_id: str, batch: list[QueueItem], queue: list[QueueItem], tally: _Tally
    ) -> None:
        request = protocol.PushRequest(device_id=device_id, mutations=[i.mutation() for i in batch])
        try:
            response = self.api.push(request)
        except ServerFailure as exc:
            if len(batch) > 1:
                self._split(device_id, batch, queue, tally)
            else:
                self._backoff(batch[0], exc.message, tally)
            return
        except ApiRefusal as exc:
            if exc.status not in CONTENT_REFUSALS:
                raise  # about the request, not its content (device, rate limit): stop
            if len(batch) > 1:
                self._split(device_id, batch, queue, tally)
            else:
                with self.replica.write() as s:
                    results.to_attention(s, batch[0].id, f"{exc.api_code}: {exc.message}")
                tally.attention += 1
                tally.held.add(batch[0].entity_id)
            return
        by_id = {r.id: r for r in response.results}
        with self.replica.write() as s:
            store.prefetch(s, [(i.entity, i.entity_id) for i in batch])
            copies: list[tuple[QueueItem, protocol.MutationResult]] = []
            for item in batch:
                result = by_id.get(item.id)
                if result is None:
                    self._backoff_in(s, item, "the server sent no result for this change", tally)
                elif result.status in ("applied", "duplicate"):
                    results.applied(s, item, result, queue, tally.repeated)
                    copies.append((item, result))
                    tally.pushed += 1
                else:
                    results.refused(s, item, result)
                    tally.attention += 1
                    tally.held.add(item.entity_id)
            results.drop_applied(s, [item.id for item, _r in copies])
            results.store_copies(s, copies)

    def _well_formed(self, item: QueueItem, tally: _Tally) -> bool:
        """A row that can't even be expressed as a mutation needs attention."""
        try:
            item.mutation()
            return True
        except (PydanticError, KeyError, TypeError) as exc:
            with self.replica.write() as s:
                results.to_attention(s, item.id, f"invalid: {str(exc).splitlines()[0]}")
            tally.attention += 1
            tally.held.add(item.entity_id)
            tally.malformed.add(item.id)
            return False

    def _split(
        self, device_id: str, batch: list[QueueItem], queue: list[QueueItem], tally: _Tally
    ) -> None:
        """Send a failed batch again in halves; what the first half left waiting
        holds back the rows of the second that depend on it."""
        half = len(batch) // 2
        self._send(device_id, batch[:half], queue, tally)
        rest = []
        for item in batch[half:]:
            if item.entity_id in tally.held or item.refs() & tally.held:
                tally.held.add(item.entity_id)
            else:
                rest.append(item)
        if rest:
            self._send(device_id, rest, queue, tally)

    def _backoff(self, item: QueueItem, message: str, tally: _Tally) -> None:
        with self.replica.write() as s:
            self._backoff_in(s, item, message, tally)

    def _backoff_in(self, s: Session, item: QueueItem, message: str, tally: _Tally) -> None:
        row = s.get(Outbox, item.id)
        tally.held.add(item.entity_id)
        if row is None:
            return
        row.attempts += 1
        if row.attempts >= MAX_ATTEMPTS:
            row.state = "attention"
            row.last_error = f"server_error: {message} ({row.attempts} attempts)"
            tally.attention += 1
            return
        delay = min(BACKOFF_BASE_S * 2 ** (row.attempts - 1), BACKOFF_MAX_S)
        row.next_attempt_at = self.now() + timedelta(seconds=delay)
        row.last_error = message

    # ----------------------------------------------------------------- pull

    def pull(self) -> int:
        total = 0
        while True:
            with self.replica.write() as s:
                cursor = store.sync_state(s).pull_cursor
            page = self.api.changes(cursor, self.pull_limit, echoes=cursor == 0)
            try:
                done = self._apply_page(page, cursor, careful=False)
            except IntegrityError:
                done = self._apply_page(page, cursor, careful=True)
            if not done:  # another process pulled meanwhile: read on from its cursor
                continue
            total += len(page.changes)
            if not page.has_more or page.cursor <= cursor:
                return total

    def settle_provisional(self) -> None:
        """Take the server's copy of the timers this laptop stopped provisionally
        (:mod:`sync.client.store`) once none of its time entries waits to be
        pushed: the server has then settled every timer it will settle."""
        with self.replica.write() as s:
            ids = store.provisional(s)
            if not ids or store.entries_waiting(s):
                return
        records = {i: self.api.record("time_entry", i) for i in ids}
        with self.replica.write() as s:
            if store.entries_waiting(s):
                return  # another process queued a change meanwhile: next round
            store.settle_provisional(s, records)

    def _apply_page(self, page: protocol.ChangesResponse, cursor: int, *, careful: bool) -> bool:
        """Apply a page (and changes parked earlier) and store the cursor in ONE
        transaction. ``careful`` applies each change in a savepoint and parks the
        ones the local store refuses (retried with every later page) instead of
        failing the whole page over one row."""
        with self.replica.write() as s:
            state = store.sync_state(s)
            if state.pull_cursor != cursor:
                return False
            changes = store.unpark(s, page.changes)
            pending = store.pending_map(s)
            known = store.prefetch(s, [(c.entity, c.entity_id) for c in changes])
            parked: list[protocol.Change] = []
            for ch in changes:
                if ch.gone:
                    store.withdraw(s, ch.entity, ch.entity_id)
                    continue
                args = (s, ch.entity, ch.entity_id, ch.version, ch.deleted, ch.data, pending)
                is_known = (ch.entity, ch.entity_id) in known
                if not careful:
                    store.apply_change(*args, known=is_known)
                    continue
                try:
                    with s.begin_nested():
                        store.apply_change(*args, known=is_known)
                except IntegrityError:
                    parked.append(ch)
            store.park(s, parked)
            state.pull_cursor = max(page.cursor, cursor)
            return True
