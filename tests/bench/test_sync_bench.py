"""Sync benchmark: 10,000 offline entries pushed in batches by one
device, then pulled by a second device of the same technician, against the real
server on 127.0.0.1 (SQLite). Figures go to the "Sync" section of BENCHMARKS.md.

Floor, measured in the same run: the same work without the client — the same
mutations POSTed in batches of 100 with a bare ``requests`` session (no local
store, no result handling), and the same pages fetched with ``requests`` and
parsed (no local apply). The ratio is the client's own cost on top of the
server and the wire. (Toggl/Clockify/Harvest can't be run here: their sync
servers are hosted services.)
"""

from __future__ import annotations

import os
import time
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import keyring
import pytest
import requests
from keyring.backend import KeyringBackend

ROOT = Path(__file__).resolve().parents[2]
BENCHMARKS = ROOT / "BENCHMARKS.md"
START, END = "<!-- sync:start -->", "<!-- sync:end -->"
N = int(os.environ.get("PUNCHCLOCK_BENCH_SYNC_N", "10000"))
PASSWORD = "correct horse battery"

pytestmark = [pytest.mark.slow]


class _Ring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.d: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.d.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.d[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.d.pop((service, username), None)


@pytest.fixture(autouse=True)
def _only_with_make_bench(request: pytest.FixtureRequest) -> None:
    if not request.config.getoption("benchmark_only", default=False):
        pytest.skip("the sync benchmark takes a minute; run it with `make bench`")


def _offline_entries(app: Any, me: str, customer_id: str, n: int) -> None:
    """``n`` entries written the way the services write them (row + outbox row),
    in one transaction to keep the set-up short; over 100 past days."""
    from desktop.core import outbox
    from desktop.core.model import TimeEntry

    first = date.today() - timedelta(days=120)
    with app.db.write() as s:
        for i in range(n):
            row = TimeEntry(
                user_id=me,
                customer_id=customer_id,
                work_date=first + timedelta(days=i % 100),
                duration_s=600,
                description=f"patched workstation {i} and rebooted it",
            )
            s.add(row)
            outbox.record(s, row, "create")


def _floor_push(base: str, token: str, device_id: str, customer_id: str, user_id: str) -> float:
    first = date.today() - timedelta(days=120)
    muts = []
    for i in range(N):
        eid = str(uuid.uuid4())
        muts.append(
            {
                "id": str(uuid.uuid4()),
                "seq": i + 1,
                "entity": "time_entry",
                "op": "create",
                "entity_id": eid,
                "base_version": 0,
                "fields": None,
                "data": {
                    "id": eid,
                    "user_id": user_id,
                    "customer_id": customer_id,
                    "project_id": None,
                    "task_id": None,
                    "work_date": (first + timedelta(days=i % 100)).isoformat(),
                    "started_at": None,
                    "ended_at": None,
                    "duration_s": 600,
                    "description": f"patched workstation {i} and rebooted it",
                    "billable": True,
                    "source": "manual",
                    "rejection_reason": None,
                    "exported_at": None,
                    "created_at": None,
                    "version": 0,
                    "updated_at": None,
                    "deleted_at": None,
                },
            }
        )
    for m in muts:
        m["data"] = {
            k: v
            for k, v in m["data"].items()
            if v is not None
            or k
            in (
                "project_id",
                "task_id",
                "started_at",
                "ended_at",
                "rejection_reason",
                "exported_at",
                "deleted_at",
            )
        }
    http = requests.Session()
    http.headers["Authorization"] = f"Bearer {token}"
    t0 = time.perf_counter()
    for i in range(0, N, 100):
        r = http.post(
            f"{base}/api/v1/sync/push",
            json={"device_id": device_id, "mutations": muts[i : i + 100]},
            timeout=60,
        )
        r.raise_for_status()
    return time.perf_counter() - t0


def _floor_pull(base: str, token: str) -> tuple[float, int]:
    http = requests.Session()
    http.headers["Authorization"] = f"Bearer {token}"
    t0 = time.perf_counter()
    cursor, n = 0, 0
    while True:
        body = http.get(
            f"{base}/api/v1/sync/changes", params={"since": cursor, "limit": 500}, timeout=60
        ).json()
        n += len(body["changes"])
        cursor = body["cursor"]
        if not body["has_more"]:
            return time.perf_counter() - t0, n


def test_sync_10000_entries(benchmark: Any, tmp_path: Path) -> None:
    from desktop.core.app import Punchclock
    from sync.client import account
    from sync.server.testing import run_server

    previous = keyring.get_keyring()
    keyring.set_keyring(_Ring())
    server = run_server(tmp_path / "server")
    try:
        server.add_team("Field")
        user_id = server.add_user("tom@msp.test", "Tom Tech", "technician", PASSWORD, team="Field")
        server.add_user("ref@msp.test", "Ref Tech", "technician", PASSWORD, team="Field")
        customer = server.add_customer("ACME")
        a = Punchclock.open(tmp_path / "a")
        b = Punchclock.open(tmp_path / "b")
        for app in (a, b):
            account.login(app.db, server.base_url, "tom@msp.test", PASSWORD, device_name="bench")
            assert account.sync_round(app.db, force=True).ok
        _offline_entries(a, user_id, customer, N)

        def measure() -> dict[str, float]:
            t0 = time.perf_counter()
            pushed = account.sync_round(a.db, force=True)
            push_s = time.perf_counter() - t0
            assert pushed.ok and pushed.pushed == N and pushed.waiting == 0, pushed
            t0 = time.perf_counter()
            pulled = account.sync_round(b.db, force=True)
            pull_s = time.perf_counter() - t0
            assert pulled.ok and pulled.pulled >= N, pulled
            return {"push_s": push_s, "pull_s": pull_s, "pulled": pulled.pulled}

        figures = benchmark.pedantic(measure, rounds=1, iterations=1)
        # The floor: a second technician (fresh rows, same server) with bare requests.
        from sync import protocol
        from sync.client.http import ApiClient

        api = ApiClient(server.base_url)
        login = api.login(
            protocol.LoginRequest(
                email="ref@msp.test",
                password=PASSWORD,
                device_name="floor",
                device_id=str(uuid.uuid4()),
            )
        )
        floor_push = _floor_push(
            server.base_url, login.token, login.device_id, customer, login.user.id
        )
        floor_pull, floor_n = _floor_pull(server.base_url, login.token)
        _write(figures, floor_push, floor_pull, floor_n)
        a.close()
        b.close()
    finally:
        server.stop()
        keyring.set_keyring(previous)


def _write(f: dict[str, float], floor_push: float, floor_pull: float, floor_n: int) -> None:
    push_rate = N / f["push_s"]
    pull_rate = f["pulled"] / f["pull_s"]
    fpush = N / floor_push
    fpull = floor_n / floor_pull
    lines = [
        START,
        f"## Sync (`tests/bench/test_sync_bench.py`, one run, {N:,} entries)",
        "",
        "Real server on 127.0.0.1 (uvicorn, SQLite), client batches of 100, pull pages of 500.",
        "",
        "| direction | client: entries/s | floor: entries/s | client time ÷ floor time |",
        "| --- | ---: | ---: | ---: |",
        f"| push (device A → server) | {push_rate:,.0f} | {fpush:,.0f} | "
        f"{f['push_s'] / floor_push:.2f} |",
        f"| pull (server → device B) | {pull_rate:,.0f} | {fpull:,.0f} | "
        f"{f['pull_s'] / (floor_pull * f['pulled'] / max(floor_n, 1)):.2f} |",
        "",
        f"{N:,} entries: push {f['push_s']:.1f} s, pull {f['pull_s']:.1f} s "
        f"({f['pulled']:,} changes pulled).",
        "",
        "Push is bound by the server, which applies every mutation in its own",
        "transaction (SQLite, durable commits) and stores its result for idempotency;",
        "the client adds reading the outbox, the pydantic request and one local",
        "transaction per batch. Pull applies each 500-change page and its cursor in",
        "one local transaction (rows looked up per page, not per change).",
        "",
        "Floor = the same wire work without the client: the same mutations POSTed with a",
        "bare `requests` session (no outbox reads, no result handling), and the same",
        "pages fetched and parsed (no local apply). Pull rows counted per change applied.",
        END,
    ]
    block = "\n".join(lines)
    text = BENCHMARKS.read_text() if BENCHMARKS.exists() else "# Benchmarks\n"
    if START in text and END in text:
        text = text[: text.index(START)] + block + text[text.index(END) + len(END) :]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    BENCHMARKS.write_text(text)
