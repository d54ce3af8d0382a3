"""Where this device stands with the server, and the one-line status the tray
and ``punchclock sync status`` show.

==============================  ===============================================
"Local only"                    not logged in: everything stays on this device
"Offline — 12 changes waiting"  the last round could not reach the server
"3 need attention"              the server refused or conflicted with changes
"Synced 2 min ago"              the last round succeeded (and N waiting, if any)
"Log in again — 3 changes …"    the server no longer accepts this device's token, or
                                this process has none (``login_problem`` says why:
                                no keyring, so the login lasted one process)
"Syncing…"                      a round is running (set by the scheduler)
==============================  ===============================================
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from desktop.core.db import Database
from desktop.core.model import Outbox, SyncState


@dataclass(frozen=True)
class Status:
    logged_in: bool
    server_url: str | None
    device_id: str | None
    waiting: int
    attention: int
    last_success_at: datetime | None
    last_error_at: datetime | None
    last_error: str | None
    pull_cursor: int
    login_problem: str | None = None  # logged in, but no token here (and why)

    @property
    def offline(self) -> bool:
        """The last round failed (and no round succeeded after it)."""
        if self.last_error_at is None:
            return False
        return self.last_success_at is None or self.last_error_at > self.last_success_at


def last_change_seq(db: Database) -> int:
    """The newest outbox sequence number: it moves whenever any process on this
    device queues a change (the tray watches it to notice the CLI's writes)."""
    with db.read() as s:
        return int(s.scalar(select(func.max(Outbox.seq))) or 0)


def read_status(
    db: Database, *, logged_in: bool | None = None, check_token: bool = False
) -> Status:
    """Where the device stands; ``check_token`` also asks the keyring whether
    this process has the device's token (``login_problem``)."""
    with db.read() as s:
        state = s.get(SyncState, 1)
        counts = dict(s.execute(select(Outbox.state, func.count()).group_by(Outbox.state)).all())
        url = state.server_url if state else None
        problem = None
        if check_token and url and state is not None:
            from sync.client import credentials  # keyring costs ~0.1 s to import: only here

            problem = credentials.problem(url, state.device_id)
        return Status(
            logged_in=bool(url) if logged_in is None else logged_in,
            server_url=url,
            device_id=state.device_id if state else None,
            waiting=int(counts.get("pending", 0)),
            attention=int(counts.get("attention", 0)),
            last_success_at=state.last_success_at if state else None,
            last_error_at=state.last_error_at if state else None,
            last_error=state.last_error if state else None,
            pull_cursor=state.pull_cursor if state else 0,
            login_problem=problem,
        )


def ago(then: datetime, now: datetime) -> str:
    seconds = max(0, int((now - then).total_seconds()))
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{seconds // 60} min ago"
    if seconds < 86400:
        return f"{seconds // 3600} h ago"
    return f"{seconds // 86400} d ago"


def _changes(n: int) -> str:
    return f"{n} change{'s' if n != 1 else ''}"


def status_text(st: Status, now: datetime) -> str:
    if not st.logged_in:
        return "Local only"
    if st.login_problem:  # nothing syncs until then: it comes first
        return f"Log in again — {_changes(st.waiting)} waiting" if st.waiting else "Log in again"
    if st.attention:
        head = f"{st.attention} need{'s' if st.attention == 1 else ''} attention"
        if st.offline:
            return f"Offline — {head}"
        return head
    if st.offline and "punchclock login" in (st.last_error or ""):
        return f"Log in again — {_changes(st.waiting)} waiting"
    if st.offline:
        return f"Offline — {_changes(st.waiting)} waiting"
    if st.last_success_at is None:
        return (
            f"Not synced yet — {_changes(st.waiting)} waiting" if st.waiting else "Not synced yet"
        )
    text = f"Synced {ago(st.last_success_at, now)}"
    return f"{text} — {_changes(st.waiting)} waiting" if st.waiting else text
