"""The tray's side of sync: the scheduler, the status line, login and logout.

One :class:`SyncLink` per tray process. While the data folder is logged in it
runs :class:`~sync.client.scheduler.SyncScheduler` (APScheduler, its own
thread) and feeds it the tray's triggers:

* ``local_change()`` after every write this process makes (``state.written``)
  and when the heartbeat sees another process (the CLI) queue a change;
* ``resumed()`` from the idle detector's sleep/resume check (the controller);
* ``network_changed()`` from ``QNetworkInformation`` (reachability), where a
  backend exists;
* ``sync_now()`` from the menu.

Round results come back from the scheduler thread through a queued Qt signal
(:func:`~desktop.ui.qtcompat.emit`); widgets are only touched on the GUI thread.
Login and logout talk to the server, so they run on a worker thread of their
own (never blocking the tray's local writes), and report a one-line message.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from desktop.core.errors import PunchclockError
from desktop.ui.jobs import JobRunner
from desktop.ui.qtcompat import emit
from desktop.ui.state import TrackerState
from sync.client.status import Status, last_change_seq, read_status, status_text

if TYPE_CHECKING:
    from sync.client import account
    from sync.client.engine import SyncReport
    from sync.client.scheduler import SyncScheduler

# The HTTP side of the client (requests, keyring, pydantic, APScheduler) is
# imported only when it is used: a tray that is not logged in never loads it,
# which keeps start-up and memory down.

log = logging.getLogger(__name__)

SYNCING = "Syncing…"
STATUS_EVERY_S = 15  # re-read the status line this often ("Synced 2 min ago")


def user_message(exc: BaseException, *, logging_in: bool = False) -> str:
    """One line for the user from a client exception — never a traceback."""
    from sync.client.http import AuthFailure

    if isinstance(exc, AuthFailure) and logging_in:
        inner = exc.message.partition("(")[2].rpartition(")")[0]
        return f"The server refused the login: {inner or 'wrong email or password'}."
    if isinstance(exc, AuthFailure):
        return "The server no longer accepts this device: log in again."
    if isinstance(exc, PunchclockError):
        text = exc.message.replace("`punchclock logout`", "Log out")
        return text[:1].upper() + text[1:]
    log.error("sync action failed", exc_info=exc)
    return f"Something went wrong ({type(exc).__name__}); the log has the details."


class SyncLink(QObject):
    changed = Signal()  # the status line, login state or attention count moved
    round_finished = Signal(object)  # a SyncReport, on the GUI thread
    _delivered = Signal(object)  # from the scheduler thread (queued)

    def __init__(self, state: TrackerState, *, scheduler_kw: dict[str, Any] | None = None,
                 watch_network: bool = True, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.db = state.app.db
        self.scheduler_kw = dict(scheduler_kw or {})
        self.watch_network = watch_network
        self.runner = JobRunner(self)
        self.scheduler: SyncScheduler | None = None
        self.status: Status = read_status(self.db)
        self._login_problem: str | None = None  # asked of the keyring at start and per round
        self.text = status_text(self.status, state.now())
        self.syncing = False
        self.last_report: SyncReport | None = None
        self._max_seq = self._outbox_seq()
        self._data_version: int | None = None
        self._beats = 0
        self._network: Any = None
        self._delivered.connect(self._round_done)
        state.heartbeat.connect(self._beat)
        state.written.connect(self._written)

    # ---------------------------------------------------------------- state

    @property
    def logged_in(self) -> bool:
        return self.status.logged_in

    @property
    def attention(self) -> int:
        return self.status.attention

    @property
    def token_missing(self) -> bool:
        """Logged in, but this session has no token (no keyring after a restart)."""
        st = self.status
        if not (st.server_url and st.device_id):
            return False
        from sync.client import credentials

        return credentials.load(st.server_url, st.device_id) is None

    @staticmethod
    def keyring_available() -> bool:
        from sync.client import credentials

        return credentials.available()

    def refresh(self, *, check_token: bool = False) -> None:
        """Re-read the status line; emits ``changed`` when anything shown moved.
        ``check_token`` also asks the keyring whether this session has the
        device's token (at start, after a round, a login or a logout — not on
        every heartbeat); in between the last answer stands."""
        before = (self.text, self.status.logged_in, self.status.attention,
                  self.status.server_url, self.status.device_id)
        try:
            status = read_status(self.db, check_token=check_token)
        except PunchclockError as exc:
            log.warning("sync status: %s", exc.message)
            return
        if check_token:
            self._login_problem = status.login_problem
        elif status.server_url:
            status = replace(status, login_problem=self._login_problem)
        self.status = status
        self.text = SYNCING if self.syncing else status_text(self.status, self.state.now())
        after = (self.text, self.status.logged_in, self.status.attention,
                 self.status.server_url, self.status.device_id)
        if after != before:
            emit(self.changed)

    def _outbox_seq(self) -> int:
        return last_change_seq(self.db)

    # ------------------------------------------------------------ lifecycle

    def start(self) -> None:
        self.refresh(check_token=True)
        if self.logged_in:
            self._start_scheduler()
        if self.watch_network:
            self._watch_network()

    def shutdown(self) -> None:
        self._stop_scheduler()
        self.runner.wait(10000)

    def _start_scheduler(self) -> None:
        if self.scheduler is not None:
            return
        from sync.client.scheduler import SyncScheduler

        self.scheduler = SyncScheduler.for_database(
            self.db, lambda report: emit(self._delivered, report), **self.scheduler_kw)
        self.scheduler.start()
        log.info("sync scheduler started for %s", self.status.server_url)

    def _stop_scheduler(self) -> None:
        scheduler, self.scheduler = self.scheduler, None
        if scheduler is not None:
            scheduler.shutdown(wait=True)
            log.info("sync scheduler stopped")

    def _watch_network(self) -> None:
        from PySide6.QtNetwork import QNetworkInformation

        feature = QNetworkInformation.Feature.Reachability
        if not QNetworkInformation.loadBackendByFeatures(feature):
            log.info("no network information backend: relying on the heartbeat probe")
            return
        self._network = QNetworkInformation.instance()
        self._network.reachabilityChanged.connect(self._reachability)

    def _reachability(self, reachability: Any) -> None:
        from PySide6.QtNetwork import QNetworkInformation

        online = reachability in (QNetworkInformation.Reachability.Online,
                                  QNetworkInformation.Reachability.Site)
        log.info("network reachability: %s", reachability)
        self.network_changed(online)

    # ------------------------------------------------------------- triggers

    def sync_now(self) -> None:
        if self.scheduler is None:
            return
        self.syncing = True
        self.refresh()
        self.scheduler.sync_now()  # only queues the job: the round runs on its thread

    def local_change(self) -> None:
        if self.scheduler is not None:
            self.scheduler.local_change()

    def resumed(self) -> None:
        if self.scheduler is not None:
            self.scheduler.resumed()

    def network_changed(self, online: bool) -> None:
        if self.scheduler is not None:
            self.scheduler.network_changed(online)

    def _written(self) -> None:
        self._max_seq = self._outbox_seq()
        self.local_change()
        self.refresh()

    def _beat(self) -> None:
        """Each heartbeat: cheap ``data_version`` check; the status line now and then."""
        self._beats += 1
        try:
            version = self.db.data_version()
        except PunchclockError:
            return
        if version != self._data_version:
            self._data_version = version
            seq = self._outbox_seq()
            if seq > self._max_seq:  # another process queued a change (not a round's own write)
                self._max_seq = seq
                self.local_change()
            self.refresh()
        elif self._beats % STATUS_EVERY_S == 0:
            self.refresh()

    def _round_done(self, report: object) -> None:
        from sync.client.engine import SyncReport

        assert isinstance(report, SyncReport)
        self.last_report = report
        self.syncing = False
        if report.error:
            log.info("sync round: %s", report.error)
        self.refresh(check_token=True)
        self.state.refresh()  # pulled changes may touch what the tray shows
        emit(self.round_finished, report)

    # ------------------------------------------------------- login / logout

    def login(self, url: str, email: str, password: str,
              on_done: Callable[[account.LoginResult], None],
              on_error: Callable[[str], None]) -> None:
        from sync.client import account

        db, device = self.db, socket.gethostname() or "Punchclock"

        def done(result: Any) -> None:
            assert isinstance(result, account.LoginResult)
            self._start_scheduler()
            self.refresh(check_token=True)
            on_done(result)

        self.runner.run(
            lambda: account.login(db, url, email, password, device_name=device),
            done, lambda exc: self._failed(exc, on_error, logging_in=True))

    def logout(self, on_done: Callable[[account.LogoutResult], None],
               on_error: Callable[[str], None]) -> None:
        from sync.client import account

        db, scheduler, self.scheduler = self.db, self.scheduler, None

        def job() -> account.LogoutResult:
            if scheduler is not None:  # let a running round finish, off the GUI thread
                scheduler.shutdown(wait=True)
            return account.logout(db)

        def done(result: Any) -> None:
            assert isinstance(result, account.LogoutResult)
            self.syncing = False
            self.refresh(check_token=True)
            on_done(result)

        self.runner.run(job, done,
                        lambda exc: self._failed(exc, on_error))

    def _failed(self, exc: BaseException, on_error: Callable[[str], None], *,
                logging_in: bool = False) -> None:
        self.refresh()
        if self.logged_in:
            self._start_scheduler()  # a failed logout keeps syncing
        on_error(user_message(exc, logging_in=logging_in))
