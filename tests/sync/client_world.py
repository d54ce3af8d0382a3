"""Helpers and fixtures of the sync client tests (``conftest.py`` imports the
fixtures): a real server on 127.0.0.1 with a small MSP (admin, a manager, two
technicians in team Field, two customers), devices (one data folder each) and a
keyring that lives in memory."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import keyring
import pytest
from memkeyring import MemoryKeyring
from sqlalchemy import select

from desktop.core.app import Punchclock
from desktop.core.model import SYNCED_ENTITIES, CompanySetting, Outbox
from desktop.core.outbox import row_data
from desktop.core.timeutil import utcnow, week_start
from sync.client import account
from sync.client.engine import SyncReport

PASSWORD = "correct horse battery"
ADMIN, MANAGER, TOM, TIA = (
    "admin@msp.test",
    "mia@msp.test",
    "tom@msp.test",
    "tia@msp.test",
)
# The week before the current one: past days, so entries are never "in the future".
LAST_WEEK = week_start(utcnow().date()) - timedelta(days=7)
TWO_WEEKS_AGO = LAST_WEEK - timedelta(days=7)


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    ring = MemoryKeyring()
    keyring.set_keyring(ring)
    yield ring
    keyring.set_keyring(previous)


@dataclass
class Device:
    """One laptop: a data folder with its own Punchclock and sync state."""

    name: str
    app: Punchclock
    server_url: str
    adapter: Any = None
    reports: list[SyncReport] = field(default_factory=list)

    def login(self, email: str, password: str = PASSWORD) -> account.LoginResult:
        return account.login(
            self.app.db,
            self.server_url,
            email,
            password,
            device_name=self.name,
            adapter=self.adapter,
        )

    def sync(self, *, force: bool = True, **kw: Any) -> SyncReport:
        report = account.sync_round(self.app.db, force=force, adapter=self.adapter, **kw)
        self.reports.append(report)
        return report

    def sync_pull(self) -> int:
        """Only the pull half of a round (another process of the laptop pulling
        while this one has not pushed yet); the number of changes pulled."""
        engine = account.connect(self.app.db, adapter=self.adapter)
        try:
            return engine.pull()
        finally:
            engine.close()

    @property
    def me(self) -> str:
        profile = self.app.directory.profile()
        assert profile is not None
        return profile.id

    def outbox(self, state: str | None = None) -> list[Outbox]:
        with self.app.db.read() as s:
            q = select(Outbox).order_by(Outbox.seq)
            if state:
                q = q.where(Outbox.state == state)
            return list(s.scalars(q))

    def dump(self, *entities: str, user_ids: set[str] | None = None) -> dict[str, Any]:
        """The synced tables as plain data (local-only columns excluded)."""
        out: dict[str, Any] = {}
        with self.app.db.read() as s:
            for name in entities or (*SYNCED_ENTITIES, "company_setting"):
                if name == "company_setting":
                    out[name] = {
                        r.key: (r.value, r.version) for r in s.scalars(select(CompanySetting))
                    }
                    continue
                model = SYNCED_ENTITIES[name]
                rows = {}
                for r in s.scalars(select(model)):
                    data = row_data(r)
                    if user_ids is not None and data.get("user_id") not in user_ids:
                        continue
                    rows[r.id] = data
                out[name] = rows
        return out

    def close(self) -> None:
        self.app.close()


@dataclass
class Msp:
    server: Any
    url: str
    ids: dict[str, str]
    customers: dict[str, str]
    tmp: Path
    devices: list[Device] = field(default_factory=list)

    def device(self, name: str, adapter: Any = None, url: str | None = None) -> Device:
        app = Punchclock.open(self.tmp / name)
        d = Device(name, app, url or self.url, adapter)
        self.devices.append(d)
        return d

    def laptop(self, name: str, email: str, **kw: Any) -> Device:
        """A device logged in as ``email`` that pulled the reference data."""
        d = self.device(name, **kw)
        d.login(email)
        report = d.sync()
        assert report.ok, report.error
        return d

    def server_rows(self, entity: str) -> list[dict[str, Any]]:
        from sqlalchemy import select as sel

        from sync.server.db.models import ENTITY_TABLES

        with self.server.db.write() as conn:
            t = ENTITY_TABLES[entity]
            return [dict(r) for r in conn.execute(sel(t)).mappings()]


def make_msp(tmp_path: Path, **server_kw: Any) -> Msp:
    from sync.server.testing import run_server

    server = run_server(tmp_path / "server", **server_kw)
    ids = {
        ADMIN: server.add_user(ADMIN, "Ada Admin", "admin", PASSWORD),
        MANAGER: server.add_user(MANAGER, "Mia Manager", "manager", PASSWORD),
    }
    server.add_team("Field", MANAGER)
    ids[TOM] = server.add_user(TOM, "Tom Tech", "technician", PASSWORD, team="Field")
    ids[TIA] = server.add_user(TIA, "Tia Tech", "technician", PASSWORD, team="Field")
    customers = {name: server.add_customer(name) for name in ("ACME", "Globex")}
    return Msp(server, server.base_url, ids, customers, tmp_path)


@pytest.fixture
def msp(tmp_path: Path) -> Iterator[Msp]:
    m = make_msp(tmp_path)
    yield m
    for d in m.devices:
        d.close()
    m.server.stop()


def day(offset: int, week: date = LAST_WEEK) -> date:
    return week + timedelta(days=offset)


DESCRIPTIONS = [
    "replaced the failing RAID disk on FS01",
    "migrated mailboxes to Exchange Online",
    "patched the firewall firmware",
    "onboarded two new users into Entra ID",
    "reviewed backup job failures with the client",
]


def fill_week(d: Device, week: date, customer: str = "ACME", days: int = 5) -> list[str]:
    ids = []
    for i in range(days):
        saved = d.app.tracking.log(
            d.me,
            day=day(i, week),
            customer=customer,
            duration_s=2 * 3600,
            description=DESCRIPTIONS[i % len(DESCRIPTIONS)],
        )
        ids.append(saved.entry.id)
    return ids


def submit_and_approve(msp: Msp, d: Device) -> None:
    """``d`` submits Tom's last week and the manager approves it, both synced."""
    d.app.timesheets.submit(d.me, LAST_WEEK)
    assert d.sync().ok
    mia = msp.laptop("mia", MANAGER)
    mia.app.timesheets.approve(mia.me, TOM, LAST_WEEK)
    assert mia.sync().ok


def user_view(d: Device, user_id: str) -> dict[str, Any]:
    """One user's entries, sheets and their audit events as ``d`` stores them."""
    dump = d.dump("time_entry", "timesheet", "timesheet_event")
    sheets = {k: v for k, v in dump["timesheet"].items() if v["user_id"] == user_id}
    return {
        "time_entry": {k: v for k, v in dump["time_entry"].items() if v["user_id"] == user_id},
        "timesheet": sheets,
        "timesheet_event": {
            k: v for k, v in dump["timesheet_event"].items() if v["timesheet_id"] in sheets
        },
    }


def fast_retries() -> Any:
    from requests.adapters import HTTPAdapter

    from sync.client.http import make_retry

    return HTTPAdapter(max_retries=make_retry(3, 0.01))
