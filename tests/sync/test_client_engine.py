"""The engine's queue logic with a scripted in-memory server (no network):
batching, rebasing, isolating a failing mutation, backoff, attention."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from desktop.core.app import Punchclock
from desktop.core.model import Outbox, TimeEntry
from sync import protocol
from sync.client.engine import MAX_ATTEMPTS, SyncEngine
from sync.client.http import Offline, ServerFailure

DAY = date(2026, 11, 23)


class FakeApi:
    """Applies every mutation (version = count per entity), except: ids in
    ``fail`` make the whole request answer 500; ids in ``refuse`` are rejected."""

    def __init__(self) -> None:
        self.versions: dict[str, int] = {}
        self.requests: list[list[protocol.Mutation]] = []
        self.fail: set[str] = set()
        self.refuse: set[str] = set()
        self.offline = False
        self.applied: list[str] = []
        self.stored: dict[str, protocol.MutationResult] = {}

    def push(self, request: protocol.PushRequest) -> protocol.PushResponse:
        if self.offline:
            raise Offline("can't reach the server")
        self.requests.append(list(request.mutations))
        results = []
        for m in request.mutations:
            if m.id in self.fail:
                raise ServerFailure("the server failed (HTTP 500)", 500)
            if m.id in self.stored:
                results.append(self.stored[m.id].model_copy(update={"status": "duplicate"}))
                continue
            if m.id in self.refuse:
                results.append(self._result(m, "rejected", code="validation", message="no"))
                continue
            current = self.versions.get(m.entity_id, 0)
            if m.base_version != current:
                results.append(self._result(m, "conflict", message="stale base"))
                continue
            self.versions[m.entity_id] = current + 1
            self.applied.append(m.id)
            self.stored[m.id] = self._result(m, "applied", version=current + 1)
            results.append(self.stored[m.id])
        return protocol.PushResponse(results=results)

    def _result(self, m: protocol.Mutation, status: str, **kw: Any) -> protocol.MutationResult:
        return protocol.MutationResult(
            id=m.id, seq=m.seq, status=status, entity=m.entity, entity_id=m.entity_id, **kw
        )

    def changes(
        self, since: int, limit: int = 500, *, echoes: bool = True
    ) -> protocol.ChangesResponse:
        if self.offline:
            raise Offline("can't reach the server")
        return protocol.ChangesResponse(changes=[], cursor=since, has_more=False)

    def close(self) -> None:
        pass


def engine(app: Punchclock, api: FakeApi, clock: Any, **kw: Any) -> SyncEngine:
    return SyncEngine(app.db, api, clock=clock, **kw)  # type: ignore[arg-type]


def log(app: Punchclock, n: int, customer: str = "ACME") -> list[str]:
    me = app.directory.profile()
    assert me is not None
    return [
        app.tracking.log(
            me.id, day=DAY - timedelta(days=i % 3), customer=customer, duration_s=600,
            description=f"entry {i}",
        ).entry.id
        for i in range(n)
    ]  # fmt: skip


def outbox(app: Punchclock) -> list[Outbox]:
    with app.db.read() as s:
        return list(s.query(Outbox).order_by(Outbox.seq))


def test_batches_of_at_most_the_batch_size_in_seq_order(app: Any, clock: Any) -> None:
    log(app, 7)
    api = FakeApi()
    before = len(outbox(app))
    e = engine(app, api, clock, batch_size=3)
    report = e.sync_once()
    assert report.pushed == before and report.waiting == 0
    assert all(len(r) <= 3 for r in api.requests)
    seqs = [m.seq for r in api.requests for m in r]
    assert seqs == sorted(seqs)
    e.close()


def test_later_edits_of_a_row_go_in_a_later_batch_rebased(app: Any, clock: Any) -> None:
    [entry] = log(app, 1)
    me = app.directory.profile().id
    app.tracking.edit(me, entry, description="better words")
    app.tracking.edit(me, entry, billable=False)
    api = FakeApi()
    e = engine(app, api, clock)
    report = e.sync_once()
    assert report.attention == 0 and report.waiting == 0, report
    bases = [m.base_version for r in api.requests for m in r if m.entity_id == entry]
    assert bases == [0, 1, 2]
    with app.db.read() as s:
        assert s.get(TimeEntry, entry).version == 3
    e.close()


def test_a_failing_mutation_is_isolated_and_backs_off(app: Any, clock: Any) -> None:
    ids = log(app, 20)
    api = FakeApi()
    rows = {o.entity_id: o.id for o in outbox(app)}
    api.fail.add(rows[ids[11]])
    e = engine(app, api, clock)
    report = e.sync_once(force=False)
    assert report.waiting == 1 and report.attention == 0
    assert rows[ids[11]] not in api.applied
    assert len(api.applied) == len(set(api.applied)) == len(rows) - 1  # each applied once
    [left] = outbox(app)
    assert left.attempts == 1 and left.next_attempt_at == clock.now + timedelta(seconds=30)
    # Not due yet: a scheduled round leaves it alone; the backoff doubles on failure.
    n = len(api.requests)
    e.sync_once(force=False)
    assert len(api.requests) == n
    clock.advance(seconds=31)
    e.sync_once(force=False)
    [left] = outbox(app)
    assert left.attempts == 2 and left.next_attempt_at == clock.now + timedelta(seconds=60)
    # After MAX_ATTEMPTS failures it needs attention; it never blocks other rows.
    for _ in range(MAX_ATTEMPTS):
        e.sync_once(force=True)
    [left] = outbox(app)
    assert left.state == "attention" and left.last_error.startswith("server_error")
    log(app, 1, "Globex")
    assert e.sync_once().pushed == 1
    e.close()


def test_rows_that_reference_a_waiting_row_wait_too(app: Any, clock: Any) -> None:
    me = app.directory.profile().id
    app.directory.add_customer(me, "Initech")
    log(app, 1, "Initech")
    log(app, 1, "ACME")
    api = FakeApi()
    customer_row = next(o for o in outbox(app) if o.entity == "customer" and
                        o.payload["data"]["name"] == "Initech")  # fmt: skip
    api.fail.add(customer_row.id)
    e = engine(app, api, clock)
    e.sync_once()
    waiting = {(o.entity, o.state) for o in outbox(app)}
    assert waiting == {("customer", "pending"), ("time_entry", "pending")}
    e.close()


def test_refused_items_need_attention_and_do_not_block(app: Any, clock: Any) -> None:
    ids = log(app, 5)
    api = FakeApi()
    rows = {o.entity_id: o.id for o in outbox(app)}
    api.refuse.add(rows[ids[2]])
    e = engine(app, api, clock)
    report = e.sync_once()
    assert report.attention == 1 and report.new_attention == 1 and report.waiting == 0
    [item] = outbox(app)
    assert item.state == "attention" and item.last_error == "validation: no"
    e.close()


def test_offline_stops_the_round_and_keeps_everything(app: Any, clock: Any) -> None:
    log(app, 3)
    api = FakeApi()
    api.offline = True
    e = engine(app, api, clock)
    n = len(outbox(app))
    report = e.sync_once()
    assert report.offline and report.error and report.waiting == n and report.pushed == 0
    assert all(o.state == "pending" and o.attempts == 0 for o in outbox(app))
    e.close()


class PagedApi(FakeApi):
    def __init__(self, pages: list[list[protocol.Change]]) -> None:
        super().__init__()
        self.pages = pages

    def changes(
        self, since: int, limit: int = 500, *, echoes: bool = True
    ) -> protocol.ChangesResponse:
        if since >= len(self.pages):
            return protocol.ChangesResponse(changes=[], cursor=since, has_more=False)
        return protocol.ChangesResponse(
            changes=self.pages[since], cursor=since + 1, has_more=since + 1 < len(self.pages)
        )


def entry_change(rev: int, app: Any, entry_id: str, **data: Any) -> protocol.Change:
    me = app.directory.profile().id
    customer = app.directory.customers()[0].id
    base = {
        "id": entry_id, "user_id": me, "customer_id": customer, "project_id": None,
        "task_id": None, "work_date": DAY.isoformat(), "started_at": None, "ended_at": None,
        "duration_s": 600, "description": "from the server", "billable": True,
        "source": "manual", "rejection_reason": None, "exported_at": None,
        "created_at": "2026-11-23T09:00:00+00:00", "updated_at": "2026-11-23T09:00:00+00:00",
        "deleted_at": None, "version": 1,
    }  # fmt: skip
    base.update(data)
    return protocol.Change(
        revision=rev, entity="time_entry", entity_id=entry_id, version=int(base["version"]),
        deleted=False, data=base,
    )  # fmt: skip


def test_a_change_the_store_refuses_is_parked_not_lost(app: Any, clock: Any) -> None:
    import uuid

    from desktop.core.model import Preference, SyncState

    good, bad = str(uuid.uuid4()), str(uuid.uuid4())
    api = PagedApi(
        [
            [entry_change(1, app, good), entry_change(2, app, bad, duration_s=-5)],
            [entry_change(3, app, bad, duration_s=900, version=2)],
        ]
    )
    e = engine(app, api, clock)
    api.pages.append([])
    # Only the first page: the bad row is parked, the good one applied, cursor moved.
    api_pages = api.pages
    api.pages = api_pages[:1]
    assert e.sync_once().ok
    with app.db.read() as s:
        assert s.get(TimeEntry, good) is not None and s.get(TimeEntry, bad) is None
        assert len(s.get(Preference, "sync.parked").value) == 1
        assert s.get(SyncState, 1).pull_cursor == 1
    # A newer copy arrives: applied, the parked one is dropped.
    api.pages = api_pages
    assert e.sync_once().ok
    with app.db.read() as s:
        assert s.get(TimeEntry, bad).duration_s == 900
        assert s.get(Preference, "sync.parked") is None
    e.close()


def test_a_pulled_running_timer_stops_the_earlier_local_one(app: Any, clock: Any) -> None:
    import uuid

    me = app.directory.profile().id
    local = app.tracking.start(me, customer="ACME", at=clock.now - timedelta(hours=1)).entry
    remote = str(uuid.uuid4())
    started = (clock.now - timedelta(minutes=10)).isoformat()
    api = PagedApi([[entry_change(1, app, remote, started_at=started, duration_s=0)]])
    api.offline = False
    api.fail = {o.id for o in outbox(app)}  # the local timer can't be pushed yet
    e = engine(app, api, clock)
    assert e.sync_once().pulled == 1
    running = app.tracking.running(me)
    assert running is not None and running.id == remote
    stopped = app.tracking.get(me, local.id)
    assert stopped.ended_at == clock.now - timedelta(minutes=10)
    e.close()


def test_a_row_that_is_no_valid_mutation_needs_attention(app: Any, clock: Any) -> None:
    [entry] = log(app, 1)
    with app.db.write() as s:
        row = s.query(Outbox).filter(Outbox.entity_id == entry).one()
        row.entity = "gadget"  # not a protocol entity
    api = FakeApi()
    e = engine(app, api, clock)
    report = e.sync_once()
    assert report.ok and report.attention == 1 and report.waiting == 0, report
    [bad] = [o for o in outbox(app) if o.entity_id == entry]
    assert bad.state == "attention" and bad.last_error.startswith("invalid")
    e.close()


def test_a_request_level_refusal_stops_the_round_without_attention(app: Any, clock: Any) -> None:
    from sync.client.http import ApiRefusal

    log(app, 3)

    class Forbidden(FakeApi):
        def push(self, request: protocol.PushRequest) -> protocol.PushResponse:
            raise ApiRefusal("the server refused: not your device", 403, "forbidden")

    e = engine(app, Forbidden(), clock)
    report = e.sync_once()
    assert report.error and "not your device" in report.error
    assert report.attention == 0 and all(o.state == "pending" for o in outbox(app))
    e.close()


def test_a_timer_stopped_earlier_in_the_same_page_does_not_stop_a_running_one(
    app: Any, clock: Any
) -> None:
    """One page: our timer stopped (by another device), then an earlier-started
    timer that the server has running. The stop is applied first, so the running
    one stays running — as on the server."""
    import uuid

    me = app.directory.profile().id
    ours = app.tracking.start(me, customer="ACME", at=clock.now - timedelta(minutes=20)).entry
    api = PagedApi([])
    e = engine(app, api, clock)
    assert e.sync_once().waiting == 0  # ours is version 1 on the "server", nothing pending
    started = (clock.now - timedelta(minutes=20)).isoformat()
    stopped_at = (clock.now - timedelta(minutes=5)).isoformat()
    other = str(uuid.uuid4())
    api.pages = [
        [
            entry_change(1, app, ours.id, started_at=started, ended_at=stopped_at,
                         duration_s=900, source="timer", version=2),
            entry_change(2, app, other, source="timer", duration_s=0,
                         started_at=(clock.now - timedelta(minutes=30)).isoformat()),
        ]
    ]  # fmt: skip
    assert e.sync_once().pulled == 2
    running = app.tracking.running(me)
    assert running is not None and running.id == other and running.ended_at is None
    assert app.tracking.get(me, ours.id).ended_at == clock.now - timedelta(minutes=5)
    e.close()


def test_a_refused_create_edited_twice_goes_once_and_deleted_goes_never(
    app: Any, clock: Any
) -> None:
    """Two edits after a refused create fold into one create with the latest
    values; an edit and then a delete drop everything in the next round."""
    me = app.directory.profile().id
    kept, dropped = log(app, 2)
    api = FakeApi()
    api.refuse |= {o.id for o in outbox(app) if o.entity_id in (kept, dropped)}
    e = engine(app, api, clock)
    assert e.sync_once().attention == 2
    app.tracking.edit(me, kept, description="first fix of the refused entry")
    app.tracking.edit(me, kept, description="second fix of the refused entry")
    app.tracking.edit(me, dropped, description="edited before it was deleted")
    app.tracking.delete(me, dropped)
    sent = len(api.requests)
    report = e.sync_once()
    assert report.waiting == 0 and report.attention == 0 and report.pushed == 1, report
    [[create]] = api.requests[sent:]
    assert (create.op, create.entity_id) == ("create", kept)
    assert create.data["description"] == "second fix of the refused entry"
    assert outbox(app) == []
    e.close()
