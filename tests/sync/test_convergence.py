"""Convergence under random work and faults: a Hypothesis state machine.

Two laptops of one technician (``a``, ``b``), a laptop of their manager (``m``)
and the real server on 127.0.0.1 (uvicorn in a thread, real HTTP). Each device
talks to the server through its own :class:`faults.Proxy`.

Rules: log / edit / delete / start / stop on either laptop, submit / recall,
approve / reject / return on the manager's laptop, retry / discard what needs
attention, sync any device — plainly, with the reply lost after the server
committed (once, or for every HTTP retry so the round ends "offline"), with
one pending mutation answered 500 — and a laptop killed between its local
commit and its push (the store and engine opened again from disk).

Invariants, asserted after every step (and after a final "sync everyone
twice" in ``teardown``):

* no acknowledged write is lost: every outbox row that left a device's queue
  during a sync was applied by the server (its stored result exists; a row
  the user deleted after its create was refused aside), a change committed
  before a kill is still queued after it, a mutation answered 500 stays
  queued, and on
  the server every field of an entry holds the value of the last applied
  mutation that wrote it;
* no duplicate entry: every logged or edited description is unique, so two
  live entries with one description are one piece of work stored twice;
* no deleted row comes back: a server tombstone stays one, and a device that
  holds the tombstone's version (or a later one) has the row deleted;
* an approved week on the server stays as it was approved: its entries hash to
  the approve event's ``content_hash`` and equal the snapshot taken when the
  approval was first seen; the week stays approved (nobody here may reopen);
* a device with nothing pending agrees with the server right after it synced,
  and after everyone synced twice (a third time when the second round still
  pushed something held back a round) all three devices agree with the server on
  every row they may read: entries, weeks and their audit events (rows the
  server never had aside: a refused create, or one discarded after that).

One server serves the whole run; each example gets a company of its own (a
team, its manager, a technician). Bounded for CI: ``PUNCHCLOCK_CONVERGENCE_EXAMPLES``
(default 50) examples of ``PUNCHCLOCK_CONVERGENCE_STEPS`` (default 30) steps;
``make soak`` runs more. Every clock (laptops and server) is one fake clock
that moves a minute per step, so a run does not depend on the time of day.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import tempfile
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import keyring
import pytest
from argon2 import PasswordHasher
from client_world import PASSWORD, fast_retries
from faults import Proxy
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
)
from memkeyring import MemoryKeyring
from sqlalchemy import select

from desktop.core.app import Punchclock
from desktop.core.errors import PunchclockError
from desktop.core.model import SYNCED_ENTITIES, Outbox, TimeEntry, Timesheet
from desktop.core.outbox import row_data
from desktop.core.timeutil import week_start
from desktop.core.workflow import ENTRY_HASH_FIELDS, content_hash
from sync import protocol
from sync.client import account, attention
from sync.client.engine import SyncEngine, SyncReport
from sync.server import auth, policy
from sync.server.db.models import ENTITY_TABLES, mutation_result
from sync.server.rows import row_data as server_row_data
from sync.server.testing import ServerHandle, run_server

EXAMPLES = int(os.environ.get("PUNCHCLOCK_CONVERGENCE_EXAMPLES", "50"))
STEPS = int(os.environ.get("PUNCHCLOCK_CONVERGENCE_STEPS", "30"))

# A Wednesday morning in the past: three weeks to work in, the current one
# (timers run here) and the two before it.
T0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
THIS_WEEK = week_start(T0.date())
WEEKS = [THIS_WEEK - timedelta(days=14), THIS_WEEK - timedelta(days=7), THIS_WEEK]
TECH_LAPTOPS = ("a", "b")
DEVICES = ("a", "b", "m")
# Entry fields the server itself may change after a device wrote them: a reject
# marks entries, a later timer stops the running one.
SERVER_SET = {"rejection_reason", "ended_at", "duration_s", "version", "updated_at"}


class _World:
    """What outlives one example: the server, its fake clock and fault hook."""

    def __init__(self) -> None:
        self.now = T0
        self.poisoned: set[str] = set()
        self.pushed: dict[str, protocol.Mutation] = {}  # mutation id -> what was pushed
        self.tmp = Path(tempfile.mkdtemp(prefix="punchclock-convergence-"))
        self.server: ServerHandle = run_server(
            self.tmp / "server", clock=self.clock, fault=self.fault
        )
        self.customer = self.server.add_customer("ACME")
        self.serial = itertools.count(1)

    def clock(self) -> datetime:
        return self.now

    def fault(self, m: protocol.Mutation) -> None:
        self.pushed[m.id] = m
        if m.id in self.poisoned:
            raise RuntimeError("injected server failure")

    def close(self) -> None:
        self.server.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)


WORLD: _World | None = None


class Laptop:
    """One device: its data folder, its Punchclock, its sync engine and the proxy
    it reaches the server through. ``kill`` drops both without a goodbye and
    opens them again from the folder, as a restarted process would."""

    def __init__(self, folder: Path, world: _World, email: str) -> None:
        self.folder, self.world = folder, world
        self.proxy = Proxy(int(world.server.base_url.rsplit(":", 1)[1]))
        self.app = Punchclock.open(folder, clock=world.clock)
        account.login(
            self.app.db,
            self.proxy.url,
            email,
            PASSWORD,
            device_name=folder.name,
            adapter=fast_retries(),
        )
        self.engine: SyncEngine = account.connect(self.app.db, adapter=fast_retries())

    def sync(self) -> SyncReport:
        return self.engine.sync_once(force=True)

    def kill(self) -> None:
        self.engine.close()
        self.app.close()
        self.app = Punchclock.open(self.folder, clock=self.world.clock)
        self.engine = account.connect(self.app.db, adapter=fast_retries())

    def close(self) -> None:
        self.engine.close()
        self.app.close()
        self.proxy.close()

    @property
    def device_id(self) -> str:
        return self.engine.device_id

    def outbox(self, state: str | None = None) -> list[Outbox]:
        with self.app.db.read() as s:
            q = select(Outbox).order_by(Outbox.seq)
            if state:
                q = q.where(Outbox.state == state)
            rows = list(s.scalars(q))
            s.expunge_all()
            return rows

    def dump(self, *entities: str) -> dict[str, dict[str, Any]]:
        with self.app.db.read() as s:
            return {
                name: {r.id: row_data(r) for r in s.scalars(select(SYNCED_ENTITIES[name]))}
                for name in entities
            }


@pytest.fixture(scope="module")
def world() -> Iterator[_World]:
    global WORLD
    # Password hashing is not what this test is about: cheap argon2 parameters
    # keep three logins per example fast (verification reads them from the hash).
    saved_hasher = auth._hasher
    auth._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    WORLD = _World()
    try:
        yield WORLD
    finally:
        WORLD.close()
        WORLD = None
        keyring.set_keyring(previous)
        auth._hasher = saved_hasher


def _describe(rows: list[Outbox]) -> list[str]:
    return [
        f"#{o.seq} {o.state} {o.op} {o.entity} {o.entity_id[:8]} base={o.base_version} "
        f"attempts={o.attempts} error={o.last_error!r} payload={o.payload}"
        for o in rows
    ]


def _norm(value: Any) -> Any:
    """Instants compared as UTC whatever their spelling (naive local store, aware server)."""
    if isinstance(value, str) and len(value) >= 19 and value[10:11] == "T":
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return value
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        return parsed.astimezone(UTC).isoformat()
    return value


def _canon(row: dict[str, Any]) -> dict[str, Any]:
    return {k: _norm(v) for k, v in row.items()}


class Convergence(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        assert WORLD is not None
        self.w = WORLD
        self.devices: dict[str, Laptop] = {}
        self.words = itertools.count(1)
        self.tombstones: dict[str, int] = {}  # entry id -> version of its server tombstone
        self.approved: dict[str, dict[str, Any]] = {}  # sheet id -> entries when first seen
        self.known_users: set[str] = set()

    # ------------------------------------------------------------ set-up

    @initialize(tz=st.sampled_from(["UTC", "America/New_York", "Pacific/Auckland"]))
    def company(self, tz: str) -> None:
        w = self.w
        n = next(w.serial)
        w.now = T0
        manager = f"mgr{n}@conv.test"
        self.tech_email = f"tech{n}@conv.test"
        self.manager_id = w.server.add_user(manager, f"Manager {n}", "manager", PASSWORD)
        self.team = f"Team {n}"
        w.server.add_team(self.team, manager)
        self.tech_id = w.server.add_user(
            self.tech_email, f"Tech {n}", "technician", PASSWORD, team=self.team, timezone=tz
        )
        self.known_users = {self.manager_id, self.tech_id}
        self.folder = w.tmp / f"company-{n}"
        for name, email in (("a", self.tech_email), ("b", self.tech_email), ("m", manager)):
            self.devices[name] = Laptop(self.folder / name, w, email)
            assert self.devices[name].sync().ok

    def teardown(self) -> None:
        try:
            if len(self.devices) == 3:
                self._everyone_twice()
        finally:
            for d in self.devices.values():
                d.close()
            shutil.rmtree(getattr(self, "folder", self.w.tmp / "none"), ignore_errors=True)

    # ----------------------------------------------------------- helpers

    def _tick(self) -> None:
        self.w.now += timedelta(minutes=1)

    def _text(self) -> str:
        return f"replaced the failing part #{next(self.words)}"

    def _local_entries(self, name: str, *, live: bool = True) -> list[TimeEntry]:
        d = self.devices[name]
        with d.app.db.read() as s:
            q = select(TimeEntry).where(TimeEntry.user_id == self.tech_id)
            if live:
                q = q.where(TimeEntry.deleted_at.is_(None))
            rows = list(s.scalars(q.order_by(TimeEntry.created_at, TimeEntry.id)))
            s.expunge_all()
            return rows

    def _try(self, fn: Any, *args: Any, **kw: Any) -> None:
        """A refusal by the local rules (locked week, 24 h, no timer…) is a normal outcome."""
        with contextlib.suppress(PunchclockError):
            fn(*args, **kw)

    def _day(self, week: date, weekday: int) -> date:
        day = week + timedelta(days=weekday)
        today = self.w.now.date()
        return min(day, today)

    # ------------------------------------------------------------- rules

    @rule(
        laptop=st.sampled_from(TECH_LAPTOPS),
        week=st.sampled_from(WEEKS),
        weekday=st.integers(0, 4),
        minutes=st.integers(10, 180),
    )
    def log(self, laptop: str, week: date, weekday: int, minutes: int) -> None:
        self._tick()
        d = self.devices[laptop]
        self._try(
            d.app.tracking.log,
            self.tech_id,
            day=self._day(week, weekday),
            customer="ACME",
            duration_s=minutes * 60,
            description=self._text(),
        )

    @rule(
        laptop=st.sampled_from(TECH_LAPTOPS),
        data=st.data(),
        what=st.sampled_from(["description", "duration", "billable", "day"]),
    )
    def edit(self, laptop: str, data: st.DataObject, what: str) -> None:
        self._tick()
        rows = [
            r for r in self._local_entries(laptop) if r.ended_at is not None or not r.started_at
        ]
        if not rows:
            return
        row = data.draw(st.sampled_from(rows), label="entry")
        d = self.devices[laptop]
        kw: dict[str, Any]
        if what == "description":
            kw = {"description": self._text()}
        elif what == "duration":
            kw = {"duration_s": data.draw(st.integers(5, 200), label="minutes") * 60}
        elif what == "billable":
            kw = {"billable": not row.billable}
        else:
            kw = {"day": self._day(week_start(row.work_date), data.draw(st.integers(0, 4)))}
        self._try(d.app.tracking.edit, self.tech_id, row.id, **kw)

    @rule(laptop=st.sampled_from(TECH_LAPTOPS), data=st.data())
    def delete(self, laptop: str, data: st.DataObject) -> None:
        self._tick()
        rows = self._local_entries(laptop)
        if not rows:
            return
        row = data.draw(st.sampled_from(rows), label="entry")
        self._try(self.devices[laptop].app.tracking.delete, self.tech_id, row.id)

    @rule(laptop=st.sampled_from(TECH_LAPTOPS))
    def start(self, laptop: str) -> None:
        self._tick()
        d = self.devices[laptop]
        self._try(d.app.tracking.start, self.tech_id, customer="ACME", description=self._text())

    @rule(laptop=st.sampled_from(TECH_LAPTOPS))
    def stop(self, laptop: str) -> None:
        self._tick()
        self._try(self.devices[laptop].app.tracking.stop, self.tech_id)

    @rule(laptop=st.sampled_from(TECH_LAPTOPS), week=st.sampled_from(WEEKS))
    def submit(self, laptop: str, week: date) -> None:
        self._tick()
        self._try(self.devices[laptop].app.timesheets.submit, self.tech_id, week)

    @rule(laptop=st.sampled_from(TECH_LAPTOPS), week=st.sampled_from(WEEKS))
    def recall(self, laptop: str, week: date) -> None:
        self._tick()
        self._try(self.devices[laptop].app.timesheets.recall, self.tech_id, week)

    @rule(
        decision=st.sampled_from(["approve", "approve", "reject", "reject_entry", "return"]),
        data=st.data(),
    )
    def decide(self, decision: str, data: st.DataObject) -> None:
        """The manager decides a week their laptop shows as submitted (any week
        when none is: the local rules refuse it)."""
        self._tick()
        m = self.devices["m"]
        with m.app.db.read() as s:
            submitted = sorted(
                s.scalars(
                    select(Timesheet.week_start).where(
                        Timesheet.user_id == self.tech_id, Timesheet.status == "submitted"
                    )
                )
            )
        week = data.draw(st.sampled_from(submitted or WEEKS), label="week")
        ts = m.app.timesheets
        if decision == "approve":
            self._try(ts.approve, self.manager_id, self.tech_id, week)
        elif decision == "return":
            self._try(ts.return_for_revision, self.manager_id, self.tech_id, week, "add tickets")
        else:
            reasons = {}
            rows = [r for r in self._local_entries("m") if week_start(r.work_date) == week]
            if decision == "reject_entry" and rows:
                reasons[data.draw(st.sampled_from(rows), label="entry").id] = "which ticket?"
            self._try(ts.reject, self.manager_id, self.tech_id, week, "tickets missing", reasons)

    @rule(device=st.sampled_from(DEVICES), data=st.data(), retry=st.booleans())
    def resolve(self, device: str, data: st.DataObject, retry: bool) -> None:
        self._tick()
        db = self.devices[device].app.db
        items = attention.items(db)
        if not items:
            return
        item = data.draw(st.sampled_from(items), label="item")
        self._try(attention.retry if retry else attention.discard, db, item.id)

    @rule(device=st.sampled_from(DEVICES))
    def sync(self, device: str) -> None:
        self._tick()
        self._sync(device)

    @rule(
        device=st.sampled_from(DEVICES),
        fault=st.sampled_from(["push reply lost", "pull reply lost", "push unanswered", "500"]),
        data=st.data(),
    )
    def sync_with_fault(self, device: str, fault: str, data: st.DataObject) -> None:
        """A lost reply: the server committed, the device never heard (once —
        the HTTP retry gets the stored result — or for every retry, so the round
        ends offline). A 500: one pending mutation fails each time it is sent."""
        self._tick()
        d = self.devices[device]
        if fault == "500":
            # A later change of a refused create is folded into one new create
            # before the push (a new queue row), so it is never sent as itself.
            refused = {
                o.entity_id
                for o in d.outbox("attention")
                if o.op == "create" and not (o.last_error or "").startswith("conflict")
            }
            pending = [o for o in d.outbox("pending") if o.entity_id not in refused]
            if not pending:
                return
            victim = data.draw(st.sampled_from(pending), label="failing mutation").id
            self.w.poisoned.add(victim)
            try:
                self._sync(device, expect_ok=False)
            finally:
                self.w.poisoned.discard(victim)
            assert any(o.id == victim for o in d.outbox("pending")), (
                "a mutation answered 500 left the queue"
            )
            return
        marker = (
            b"GET /api/v1/sync/changes" if fault == "pull reply lost" else b"POST /api/v1/sync/push"
        )
        d.proxy.drop_replies(4 if fault == "push unanswered" else 1, marker)
        try:
            self._sync(device, expect_ok=False)
        finally:
            d.proxy.drop_replies(0)

    @rule(laptop=st.sampled_from(TECH_LAPTOPS), week=st.sampled_from(WEEKS))
    def killed_before_push(self, laptop: str, week: date) -> None:
        """A change is committed locally, then the process dies before its push:
        the store is opened again from disk and the change goes with the next sync."""
        self._tick()
        d = self.devices[laptop]
        before = {o.id for o in d.outbox()}
        self._try(
            d.app.tracking.log,
            self.tech_id,
            day=self._day(week, 2),
            customer="ACME",
            duration_s=1800,
            description=self._text(),
        )
        queued = {o.id for o in d.outbox()} - before
        d.kill()
        assert queued <= {o.id for o in d.outbox("pending")}, "a committed change left the queue"

    # ----------------------------------------------------------- syncing

    def _sync(self, name: str, *, expect_ok: bool = True) -> int:
        """One round of ``name``, checked; returns how many changes it pushed."""
        d = self.devices[name]
        pending = {o.id: o for o in d.outbox("pending")}
        report = d.sync()
        after = {o.id for o in d.outbox()}
        gone = [o for i, o in pending.items() if i not in after]
        applied = self._server_results(d, [o.id for o in gone])
        for o in gone:
            if o.op != "create" and self._local_version(d, o.entity, o.entity_id) == 0:
                continue  # a change of a refused create: folded into one create, or dropped with it
            assert o.id in applied, f"{o.op} {o.entity} {o.entity_id} left the queue unapplied"
            assert applied[o.id]["status"] == "applied", applied[o.id]
        if expect_ok:
            assert report.ok, report.error
        if report.ok and report.waiting == 0 and not d.outbox("pending"):
            self._agrees_with_server(name)
        return report.pushed

    def _everyone_twice(self) -> None:
        """Every device syncs, twice. A change held back for a round (a later
        edit of a row whose earlier change needs attention goes one round
        later) reaches the devices that synced before it with one more round."""
        pushed = 0
        for _ in range(2):
            pushed = sum(self._sync(name) for name in DEVICES)
        if pushed:
            for name in DEVICES:
                self._sync(name)
        for name in DEVICES:
            left = self.devices[name].outbox()
            assert not [o for o in left if o.state == "pending"], (
                f"{name} still has pending changes: {_describe(left)}"
            )
            self._agrees_with_server(name)
        # Each device equals the server on what it may read, and the technician and
        # the manager may read the same rows here: so the three devices agree.
        assert self._server_view(self.tech_id) == self._server_view(self.manager_id)

    def _server_results(self, d: Laptop, ids: list[str]) -> dict[str, dict[str, Any]]:
        if not ids:
            return {}
        with self.w.server.db.read() as conn:
            rows = conn.execute(
                select(mutation_result.c.mutation_id, mutation_result.c.result).where(
                    mutation_result.c.mutation_id.in_(ids)
                )
            ).all()
        return {r[0]: r[1] for r in rows}

    @staticmethod
    def _local_version(d: Laptop, entity: str, entity_id: str) -> int:
        model = SYNCED_ENTITIES.get(entity)
        if model is None:
            return -1
        with d.app.db.read() as s:
            row = s.get(model, entity_id)
            return -1 if row is None else int(row.version)

    # --------------------------------------------------------- comparing

    def _server_view(self, reader_id: str) -> dict[str, dict[str, Any]]:
        """The rows of this example's people that ``reader_id`` may read, as the server has them."""
        out: dict[str, dict[str, Any]] = {}
        with self.w.server.db.read() as conn:
            actor = policy.load_principal(conn, reader_id)
            assert actor is not None
            for entity in ("time_entry", "timesheet", "timesheet_event"):
                t = ENTITY_TABLES[entity]
                rows = conn.execute(select(t).where(policy.visible(entity, actor))).mappings()
                out[entity] = {
                    r["id"]: _canon(server_row_data(entity, r))
                    for r in rows
                    if self._ours(entity, r)
                }
        sheets = out["timesheet"]
        out["timesheet_event"] = {
            k: v for k, v in out["timesheet_event"].items() if v["timesheet_id"] in sheets
        }
        return out

    def _ours(self, entity: str, row: Any) -> bool:
        return entity == "timesheet_event" or row["user_id"] in self.known_users

    def _view(self, name: str) -> dict[str, dict[str, Any]]:
        """The device's rows of this example's people, without rows the server
        never had: a refused create (here only, as an item needing attention) or
        one discarded after its refusal (a local tombstone of version 0)."""
        d = self.devices[name]
        local_only = self._refused_creates(d)
        dump = d.dump("time_entry", "timesheet", "timesheet_event")
        out = {
            entity: {
                k: _canon(v)
                for k, v in rows.items()
                if (entity == "timesheet_event" or v["user_id"] in self.known_users)
                and k not in local_only
                and not (v["version"] == 0 and v["deleted_at"] is not None)
            }
            for entity, rows in dump.items()
        }
        sheets = out["timesheet"]
        out["timesheet_event"] = {
            k: v for k, v in out["timesheet_event"].items() if v["timesheet_id"] in sheets
        }
        return out

    @staticmethod
    def _refused_creates(d: Laptop) -> set[str]:
        with d.app.db.read() as s:
            return set(
                s.scalars(
                    select(Outbox.entity_id).where(
                        Outbox.state == "attention", Outbox.op == "create"
                    )
                )
            )

    def _agrees_with_server(self, name: str) -> None:
        reader = self.manager_id if name == "m" else self.tech_id
        server, local = self._server_view(reader), self._view(name)
        for entity in server:
            s_rows, l_rows = server[entity], local[entity]
            assert set(l_rows) == set(s_rows), (
                f"{name}: {entity} ids differ: only here {sorted(set(l_rows) - set(s_rows))}, "
                f"only on the server {sorted(set(s_rows) - set(l_rows))}"
            )
            for key, row in s_rows.items():
                assert l_rows[key] == row, f"{name}: {entity} {key}: {l_rows[key]} != {row}"

    # -------------------------------------------------------- invariants

    def _server_entries(self) -> dict[str, dict[str, Any]]:
        """Every entry of the technician on the server, tombstones included."""
        with self.w.server.db.read() as conn:
            t = ENTITY_TABLES["time_entry"]
            q = select(t).where(t.c.user_id == self.tech_id)
            return {r["id"]: dict(r) for r in conn.execute(q).mappings()}

    @invariant()
    def no_duplicate_entries(self) -> None:
        if not self.devices:
            return
        texts = [r["description"] for r in self._server_entries().values() if not r["deleted_at"]]
        assert len(texts) == len(set(texts)), f"duplicate entries on the server: {texts}"
        for name in DEVICES:
            local = [r.description for r in self._local_entries(name)]
            assert len(local) == len(set(local)), f"duplicate entries on {name}: {local}"

    @invariant()
    def tombstones_stay(self) -> None:
        if not self.devices:
            return
        rows = self._server_entries()
        for key, version in self.tombstones.items():
            assert rows[key]["deleted_at"] is not None, f"entry {key} came back on the server"
            assert rows[key]["version"] >= version
        for key, r in rows.items():
            if r["deleted_at"] is not None and key not in self.tombstones:
                self.tombstones[key] = r["version"]
        for name in DEVICES:
            for r in self._local_entries(name, live=False):
                seen = self.tombstones.get(r.id)
                if seen is not None and r.version >= seen:
                    assert r.deleted_at is not None, f"entry {r.id} came back on {name}"

    @invariant()
    def acknowledged_writes_hold(self) -> None:
        """On the server, each field of an entry holds what the last applied
        mutation that wrote it said (the server's own changes aside)."""
        if not self.devices:
            return
        rows = {
            k: _canon(server_row_data("time_entry", r)) for k, r in self._server_entries().items()
        }
        with self.w.server.db.read() as conn:
            results = {
                r[0]: r[1]
                for r in conn.execute(
                    select(mutation_result.c.mutation_id, mutation_result.c.result).where(
                        mutation_result.c.user_id == self.tech_id
                    )
                )
            }
        last: dict[tuple[str, str], tuple[int, Any, str]] = {}
        for mid, result in results.items():
            m = self.w.pushed.get(mid)
            if m is None or m.entity != "time_entry" or result.get("status") != "applied":
                continue
            version = int(result.get("version") or 0)
            names = m.fields if m.fields is not None else list(m.data)
            for f in names:
                if f in SERVER_SET or f not in m.data or f == "id":
                    continue
                key = (m.entity_id, f)
                if key not in last or last[key][0] < version:
                    last[key] = (version, _norm(m.data[f]), mid)
        for (entry_id, f), (version, value, mid) in last.items():
            row = rows.get(entry_id)
            assert row is not None, f"entry {entry_id} written by {mid} is gone from the server"
            if f == "deleted_at" and value is not None:
                assert row[f] is not None, f"entry {entry_id}: its delete (v{version}) was undone"
                continue
            assert row[f] == value, (
                f"entry {entry_id}.{f} is {row[f]!r} on the server; the last applied write "
                f"(v{version}, mutation {mid}) said {value!r}"
            )

    @invariant()
    def approved_weeks_unchanged(self) -> None:
        if not self.devices:
            return
        with self.w.server.db.read() as conn:
            sheets = ENTITY_TABLES["timesheet"]
            events = ENTITY_TABLES["timesheet_event"]
            entries = ENTITY_TABLES["time_entry"]
            all_sheets = list(
                conn.execute(select(sheets).where(sheets.c.user_id == self.tech_id)).mappings()
            )
            for sheet in all_sheets:
                if sheet["id"] in self.approved:
                    assert sheet["status"] == "approved", f"approved week {sheet} changed status"
                if sheet["status"] != "approved":
                    continue
                approve = (
                    conn.execute(
                        select(events)
                        .where(events.c.timesheet_id == sheet["id"], events.c.action == "approve")
                        .order_by(events.c.version.desc())
                    )
                    .mappings()
                    .first()
                )
                assert approve is not None, f"approved week {sheet['id']} has no approve event"
                rows = [
                    dict(r)
                    for r in conn.execute(
                        select(entries).where(
                            entries.c.user_id == self.tech_id,
                            entries.c.deleted_at.is_(None),
                            entries.c.work_date >= sheet["week_start"],
                            entries.c.work_date <= sheet["week_start"] + timedelta(days=6),
                        )
                    ).mappings()
                ]
                hashed = content_hash([{k: r[k] for k in ENTRY_HASH_FIELDS} for r in rows])
                assert hashed == approve["content_hash"], (
                    f"week {sheet['week_start']} changed on the server after its approval"
                )
                snapshot = {r["id"]: _canon(server_row_data("time_entry", r)) for r in rows}
                first = self.approved.setdefault(sheet["id"], snapshot)
                assert snapshot == first, f"week {sheet['week_start']} changed since approval"
        self._local_approved_weeks()

    def _local_approved_weeks(self) -> None:
        """A device holding the approved week's version shows the approved entries
        (rows of refused creates aside: they are items needing attention)."""
        for name in DEVICES:
            d = self.devices[name]
            refused = self._refused_creates(d)
            with d.app.db.read() as s:
                for sheet_id, snapshot in self.approved.items():
                    sheet = s.get(Timesheet, sheet_id)
                    if sheet is None or sheet.status != "approved":
                        continue
                    end = sheet.week_start + timedelta(days=6)
                    rows = s.scalars(
                        select(TimeEntry).where(
                            TimeEntry.user_id == sheet.user_id,
                            TimeEntry.deleted_at.is_(None),
                            TimeEntry.work_date >= sheet.week_start,
                            TimeEntry.work_date <= end,
                        )
                    )
                    local = {
                        r.id: _canon(row_data(r))
                        for r in rows
                        if r.id not in refused and r.version > 0
                    }
                    fresh = {k for k, v in snapshot.items() if k in local}
                    for key in fresh:
                        if local[key]["version"] == snapshot[key]["version"]:
                            assert local[key] == snapshot[key], (
                                f"{name}: approved entry {key} differs from the server's"
                            )


Convergence.TestCase.settings = settings(
    max_examples=EXAMPLES,
    stateful_step_count=STEPS,
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@pytest.mark.slow
@pytest.mark.timeout(1200)  # 50 x 30 takes minutes on a busy 2-core machine
def test_convergence(world: _World) -> None:
    from hypothesis.stateful import run_state_machine_as_test

    run_state_machine_as_test(Convergence, settings=Convergence.TestCase.settings)
