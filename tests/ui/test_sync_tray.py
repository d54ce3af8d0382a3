"""Sync in the tray, against the real server on 127.0.0.1 in-process:
the Settings tab's login, the menu's status line and Sync now, and the Needs
attention window (Retry, Edit, Discard). Screenshots go to test-output/."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import keyring
import pytest
from keyring.backends import fail
from PySide6.QtWidgets import QMessageBox, QWidget

SYNC_TESTS = Path(__file__).resolve().parents[1] / "sync"
if str(SYNC_TESTS) not in sys.path:  # the sync suite's world: server, people, devices
    sys.path.insert(0, str(SYNC_TESTS))

from client_world import (  # noqa: E402
    ADMIN,
    LAST_WEEK,
    MANAGER,
    PASSWORD,
    TOM,
    Device,
    Msp,
    fill_week,
    memory_keyring,
    msp,
)

from desktop.ui.dialogs.settings import SettingsDialog  # noqa: E402
from desktop.ui.dialogs.sync_settings import KEYRING_NONE, KEYRING_OK  # noqa: E402
from desktop.ui.state import TrackerState  # noqa: E402
from desktop.ui.sync_link import SyncLink, user_message  # noqa: E402
from desktop.ui.tray.controller import TrayApp  # noqa: E402
from desktop.ui.windows.attention import AttentionWindow  # noqa: E402
from sync.client.http import SyncError  # noqa: E402
from sync.client.status import read_status  # noqa: E402
from sync.server.testing import free_port  # noqa: E402

__all__ = ["memory_keyring", "msp"]  # fixtures from the sync suite

OUTPUT = Path(__file__).resolve().parents[2] / "test-output"
ROUND_MS = 30000


def shot(widget: QWidget, name: str, *, adjust: bool = True) -> Path:
    OUTPUT.mkdir(exist_ok=True)
    if adjust:
        widget.adjustSize()
    path = OUTPUT / name
    assert widget.grab().save(str(path))
    return path


@dataclass
class Tray:
    device: Device
    state: TrackerState
    link: SyncLink
    app: TrayApp


@pytest.fixture
def tray(qtbot: Any, msp: Msp) -> Iterator[Tray]:
    device = msp.device("laptop")
    # A long debounce: the tests decide when a round runs (Sync now).
    options = {"watch_network": False, "scheduler_kw": {"debounce_s": 600}}
    tray_app = TrayApp(device.app, tray_wait_s=3600, idle_source=None, sync_options=options)
    tray_app.state.refresh()
    yield Tray(device, tray_app.state, tray_app.sync, tray_app)
    tray_app._tray_poll.stop()
    tray_app.shutdown()


def menu_texts(t: Tray) -> list[str]:
    return [a.text() for a in t.app.tray.menu.actions() if a.text()]


def sync_now(qtbot: Any, t: Tray) -> Any:
    with qtbot.waitSignal(t.link.round_finished, timeout=ROUND_MS) as blocker:
        t.link.sync_now()
    return blocker.args[0]


def started(qtbot: Any, t: Tray) -> None:
    """The tray starts logged in: the scheduler's first round."""
    with qtbot.waitSignal(t.link.round_finished, timeout=ROUND_MS):
        t.app.sync.start()
    t.app._sync_changed()
    t.state.refresh()


def server_entries(m: Msp) -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in m.server_rows("time_entry")}


# ------------------------------------------------------------------ login


def test_login_through_the_settings_tab(qtbot: Any, msp: Msp, tray: Tray,
                                        memory_keyring: Any) -> None:
    dialog = SettingsDialog(tray.state, None, sync=tray.link)
    qtbot.addWidget(dialog)
    tab = dialog.sync_tab
    assert tab is not None
    dialog.tabs.setCurrentWidget(tab)
    assert tab.keyring.text() == KEYRING_OK
    assert tab.logout_button.isEnabled() is False

    def attempt(url: str, password: str) -> None:
        tab.server.setText(url)
        tab.email.setText(TOM)
        tab.password.setText(password)
        tab.error.clear_message()
        tab.login_button.click()
        qtbot.waitUntil(lambda: tab.error.isVisibleTo(dialog), timeout=ROUND_MS)

    attempt(msp.url, "not the password")
    assert tab.error.text() == "The server refused the login: wrong email or password."
    attempt("ftp://example.com", PASSWORD)
    assert "is not a server address" in tab.error.text()
    attempt(f"http://127.0.0.1:{free_port()}", PASSWORD)
    assert tab.error.text().startswith("Can't reach http://127.0.0.1:")
    assert "Traceback" not in tab.error.text()
    # Nothing stored by a refused login.
    assert memory_keyring.entries == {}
    assert read_status(tray.device.app.db).server_url is None
    assert tray.link.scheduler is None and not tray.link.logged_in

    tab.server.setText(msp.url)
    tab.password.setText(PASSWORD)
    with qtbot.waitSignal(tray.link.round_finished, timeout=ROUND_MS) as blocker:
        tab.login_button.click()
    assert blocker.args[0].ok, blocker.args[0]
    assert not tab.error.isVisibleTo(dialog)
    assert tab.password.text() == ""
    assert len(memory_keyring.entries) == 1
    assert tray.link.text == "Synced just now"
    assert tab.status.text() == "Status: Synced just now"
    assert "Tom Tech" in tab.account.text() and msp.url in tab.account.text()
    assert tab.logout_button.isEnabled() and not tab.login_button.isEnabled()
    dialog.show()
    shot(dialog, "settings-sync-signed-in.png")

    with qtbot.waitSignal(tray.link.changed, timeout=ROUND_MS):
        tab.logout_button.click()
    qtbot.waitUntil(lambda: tab.login_button.isEnabled(), timeout=ROUND_MS)
    assert memory_keyring.entries == {}
    assert not tray.link.logged_in and tray.link.scheduler is None
    assert "Logged out of" in tab.notice.text()


def test_without_a_keyring_the_login_lasts_this_session(qtbot: Any, msp: Msp,
                                                        tray: Tray) -> None:
    keyring.set_keyring(fail.Keyring())  # restored by the memory_keyring fixture
    dialog = SettingsDialog(tray.state, None, sync=tray.link)
    qtbot.addWidget(dialog)
    tab = dialog.sync_tab
    assert tab is not None
    assert tab.keyring.text() == KEYRING_NONE
    tab.server.setText(msp.url)
    tab.email.setText(TOM)
    tab.password.setText(PASSWORD)
    with qtbot.waitSignal(tray.link.round_finished, timeout=ROUND_MS) as blocker:
        tab.log_in()
    assert blocker.args[0].ok
    assert "session only" in tab.notice.text()
    assert tray.link.logged_in and not tray.link.token_missing


def test_restarted_without_a_keyring_the_tray_says_log_in_again(
        qtbot: Any, msp: Msp, tray: Tray) -> None:
    tray.device.login(TOM)
    started(qtbot, tray)
    assert tray.link.text == "Synced just now"
    keyring.set_keyring(fail.Keyring())  # restored by the memory_keyring fixture
    # As after a restart: the tray asks the keyring when it starts and finds no token.
    tray.link.start()
    assert tray.link.text == "Log in again"
    assert "no keyring" in (tray.link.status.login_problem or "")
    tray.link.refresh()  # a heartbeat's refresh keeps the answer without asking again
    assert tray.link.text == "Log in again"
    tray.app._sync_changed()
    assert any(t.startswith("Log in again") for t in menu_texts(tray))


def test_client_errors_read_as_one_line() -> None:
    tls = SyncError("the server's certificate can't be trusted: self-signed certificate")
    assert user_message(tls, logging_in=True) == (
        "The server's certificate can't be trusted: self-signed certificate")
    assert user_message(RuntimeError("boom")).startswith("Something went wrong (RuntimeError)")


# ------------------------------------------------------ menu and status


def test_menu_sync_now_pushes_and_status_lines(qtbot: Any, msp: Msp, tray: Tray) -> None:
    assert "Local only — no sync server" in menu_texts(tray)
    assert "Sync &now" not in menu_texts(tray)
    tray.device.login(TOM)
    started(qtbot, tray)
    assert tray.link.text == "Synced just now"
    assert "Synced just now" in menu_texts(tray) and "Sync &now" in menu_texts(tray)

    tray.state.run(lambda a: a.tracking.log(None, day=LAST_WEEK, customer="ACME",
                                            duration_s=5400, description="tray entry"))
    qtbot.waitUntil(lambda: not tray.state.runner.busy)
    assert tray.link.text == "Synced just now — 1 change waiting"
    assert tray.app.tray.sync_action is not None
    assert tray.app.tray.sync_action.text() == "Synced just now — 1 change waiting"
    action = next(a for a in tray.app.tray.menu.actions() if a.text() == "Sync &now")
    with qtbot.waitSignal(tray.link.round_finished, timeout=ROUND_MS):
        action.trigger()
    assert [r["description"] for r in server_entries(msp).values()] == ["tray entry"]
    assert tray.link.text == "Synced just now"

    msp.server.stop()
    tray.state.run(lambda a: a.tracking.log(None, day=LAST_WEEK, customer="ACME",
                                            duration_s=600, description="while offline"))
    qtbot.waitUntil(lambda: not tray.state.runner.busy)
    report = sync_now(qtbot, tray)
    assert report.offline
    assert tray.link.text == "Offline — 1 change waiting"
    assert "Offline — 1 change waiting" in menu_texts(tray)


# -------------------------------------------------------- needs attention


def test_attention_window_lists_retries_edits_and_discards(
        qtbot: Any, qtmodeltester: Any, msp: Msp, tray: Tray,
        monkeypatch: pytest.MonkeyPatch) -> None:
    desk = msp.laptop("tom-desk", TOM)
    ids = fill_week(desk, LAST_WEEK, days=3)
    assert desk.sync().ok
    tray.device.login(TOM)
    started(qtbot, tray)
    me = tray.device.me
    # The desk submits and the manager approves; the laptop hasn't heard yet.
    desk.app.timesheets.submit(desk.me, LAST_WEEK)
    assert desk.sync().ok
    mia = msp.laptop("mia", MANAGER)
    mia.app.timesheets.approve(mia.me, TOM, LAST_WEEK)
    assert mia.sync().ok
    for n, entry_id in enumerate(ids, 1):
        tray.device.app.tracking.edit(me, entry_id, description=f"offline edit {n}")
    report = sync_now(qtbot, tray)
    assert report.attention == 3, report
    assert tray.link.text == "3 need attention"
    assert "Needs &attention (3)…" in menu_texts(tray)
    shot(tray.app.tray.menu, "tray-menu-attention.png")

    window = tray.app.open_attention()
    assert isinstance(window, AttentionWindow)
    qtmodeltester.check(window.model)
    model = window.model
    assert model.rowCount() == 3
    row = [model.index(0, c).data() for c in range(4)]
    assert row[0] == "Time entry"
    assert row[1] == f"Edit {LAST_WEEK.isoformat()}, 2:00 h: offline edit 1 (changed: description)"
    year, week, _ = LAST_WEEK.isocalendar()
    assert row[2] == f"Locked: week {year}-W{week:02d} is approved; its entries can't be changed"
    assert row[2].startswith("Locked")
    window.show()
    window.resize(window.sizeHint())
    window.reload()
    shot(window, "attention-window-locked.png", adjust=False)

    # Discard asks first; Cancel keeps the item.
    answers = [QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Discard]
    asked: list[str] = []

    def question(*args: Any, **_kw: Any) -> QMessageBox.StandardButton:
        asked.append(args[2])
        return answers.pop(0)

    monkeypatch.setattr(QMessageBox, "question", question)
    window.table.selectRow(0)
    window.discard()
    assert model.rowCount() == 3 and len(asked) == 1 and "offline edit 1" in asked[0]
    window.discard()
    qtbot.waitUntil(lambda: model.rowCount() == 2, timeout=ROUND_MS)
    assert len(asked) == 2
    assert tray.link.text == "2 need attention"
    assert "Needs &attention (2)…" in menu_texts(tray)

    # Edit while the week is still approved: refused inline, nothing changes.
    window.table.selectRow(1)
    dialog = window.edit()
    assert dialog is not None
    assert dialog.description.text() == "offline edit 3"
    dialog.description.setText("fixed and retried")
    dialog.save_button.click()
    qtbot.waitUntil(lambda: dialog.error.isVisibleTo(dialog), timeout=ROUND_MS)
    assert "approved" in dialog.error.text().lower()
    dialog.reject()

    # An admin reopens the week; the laptop hears of it.
    ada = msp.laptop("ada", ADMIN)
    ada.app.timesheets.reopen(ada.me, TOM, LAST_WEEK, "fix the descriptions")
    assert ada.sync().ok
    assert sync_now(qtbot, tray).ok

    window.table.selectRow(0)
    assert window.selected() is not None
    assert "offline edit 2" in window.selected().summary  # type: ignore[union-attr]
    with qtbot.waitSignal(tray.link.round_finished, timeout=ROUND_MS):
        window.retry()
    qtbot.waitUntil(lambda: model.rowCount() == 1, timeout=ROUND_MS)

    window.table.selectRow(0)
    dialog = window.edit()
    assert dialog is not None
    dialog.description.setText("fixed and retried")
    with qtbot.waitSignal(tray.link.round_finished, timeout=ROUND_MS):
        dialog.save_button.click()
    qtbot.waitUntil(lambda: model.rowCount() == 0, timeout=ROUND_MS)
    server = server_entries(msp)
    assert server[ids[0]]["description"] != "offline edit 1"  # discarded
    assert server[ids[1]]["description"] == "offline edit 2"  # retried
    assert server[ids[2]]["description"] == "fixed and retried"  # edited
    assert tray.link.text == "Synced just now"
    assert not any(t.startswith("Needs &attention") for t in menu_texts(tray))
    assert window.intro.text().startswith("Nothing needs attention")



# ------------------------------------------------------------- triggers


class FakeScheduler:
    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []

    def local_change(self) -> None:
        self.calls.append(("local_change", None))

    def resumed(self) -> None:
        self.calls.append(("resumed", None))

    def network_changed(self, online: bool) -> None:
        self.calls.append(("network_changed", online))

    def sync_now(self) -> None:
        self.calls.append(("sync_now", None))

    def shutdown(self, wait: bool = True) -> None:
        self.calls.append(("shutdown", wait))


def test_triggers_reach_the_scheduler(qtbot: Any, tray: Tray) -> None:
    from PySide6.QtNetwork import QNetworkInformation

    from desktop.ui.platform.idle import IdleSpan

    fake = FakeScheduler()
    tray.link.scheduler = fake  # type: ignore[assignment]
    tray.app.state.refresh()
    tray.link._beat()  # the first look at data_version
    fake.calls.clear()
    # A write the tray makes itself.
    tray.state.run(lambda a: a.directory.init_profile(name="Tom", email="t@x.test",
                                                      timezone="UTC"))
    qtbot.waitUntil(lambda: not tray.state.runner.busy)
    assert fake.calls == [("local_change", None)]
    # Another process (the CLI) queues a change: the heartbeat notices.
    me = tray.device.app.directory.profile()
    assert me is not None
    other = type(tray.device.app).open(tray.device.app.db.path.parent)
    try:
        other.directory.add_customer(me.id, "Initech")
    finally:
        other.close()
    tray.link._beat()
    tray.link._beat()  # nothing new: no second round
    assert fake.calls == [("local_change", None)] * 2

    class Woke:
        woke = True

        def poll(self) -> IdleSpan | None:
            return None

    tray.app.detector = Woke()  # type: ignore[assignment]
    tray.app.poll_idle()
    tray.link._reachability(QNetworkInformation.Reachability.Online)
    tray.link._reachability(QNetworkInformation.Reachability.Disconnected)
    assert fake.calls[2:] == [("resumed", None), ("network_changed", True),
                              ("network_changed", False)]
    tray.link.scheduler = None
