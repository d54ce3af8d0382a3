"""The popup hides when it loses focus (not while a dialog of its own is open,
not as the no-tray window), and the opt-in global shortcut: where it can't
work Settings says why; a press on the listener's thread reaches the GUI
thread as a signal and opens the popup."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication

from desktop.core.errors import ValidationError
from desktop.core.services.preferences import check_shortcut
from desktop.ui.platform import hotkey


@pytest.fixture
def tray(qtbot: Any, app: Any) -> Any:
    from desktop.ui.tray.controller import TrayApp

    t = TrayApp(app, tray_wait_s=3600, idle_source=None)
    t.state.refresh()
    yield t
    t._tray_poll.stop()
    t.shutdown()


def lose_focus(qtbot: Any, tray: Any) -> None:
    QApplication.sendEvent(tray.popup, QEvent(QEvent.Type.WindowDeactivate))
    qtbot.wait(20)


def test_the_popup_hides_when_it_loses_focus(qtbot: Any, tray: Any) -> None:
    tray.show_popup()
    assert tray.popup.isVisible()
    lose_focus(qtbot, tray)
    assert not tray.popup.isVisible()
    tray.toggle_popup()  # the tray click that took the focus does not reopen it
    assert not tray.popup.isVisible()


def test_it_stays_while_a_dialog_of_its_own_is_open(qtbot: Any, tray: Any) -> None:
    tray.show_popup()
    tray.popup.search.setText("nothing like this")
    dialog = tray.popup.offers.create_task()
    lose_focus(qtbot, tray)
    assert tray.popup.isVisible()
    dialog.reject()
    tray.open_log_time()
    lose_focus(qtbot, tray)
    assert tray.popup.isVisible()
    for d in list(tray.dialogs):
        d.close()
    lose_focus(qtbot, tray)
    assert not tray.popup.isVisible()


def test_the_no_tray_window_never_hides_on_focus_loss(qtbot: Any, tray: Any) -> None:
    tray.go_standalone()
    lose_focus(qtbot, tray)
    assert tray.popup.isVisible()


@pytest.mark.parametrize(("env", "said"), [
    ({"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0"}, "Wayland"),
    ({"XDG_SESSION_TYPE": "wayland"}, "Wayland"),
    ({}, "No X display"),
])
def test_where_no_global_key_can_work_it_says_why(env: dict[str, str], said: str) -> None:
    reason = hotkey.unavailable_reason(env)
    assert reason is not None and reason.startswith(said)


def test_keys_in_pynput_spelling() -> None:
    assert hotkey.pynput_keys("Ctrl+Alt+T") == "<ctrl>+<alt>+t"
    assert hotkey.pynput_keys("Meta+Shift+F5") == "<cmd>+<shift>+<f5>"
    assert hotkey.pynput_keys("Ctrl+Space") == "<ctrl>+<space>"


def test_shortcut_keys_are_validated() -> None:
    assert check_shortcut("ctrl + alt + t") == "Ctrl+Alt+T"
    for bad in ("T", "Ctrl+Alt", "Hyper+T"):
        with pytest.raises(ValidationError, match="not a shortcut"):
            check_shortcut(bad)


def test_a_press_on_the_listener_thread_opens_the_popup(qtbot: Any, tray: Any) -> None:
    with qtbot.waitSignal(tray.hotkey.activated, timeout=5000):
        thread = threading.Thread(target=tray.hotkey._pressed)
        thread.start()
        thread.join()
    assert tray.popup.isVisible()


def test_settings_says_when_the_desktop_cant_give_a_key(qtbot: Any, tray: Any,
                                                        monkeypatch: Any) -> None:
    monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-0")
    dialog = tray.open_settings()
    assert not dialog.global_shortcut.isEnabled()
    assert dialog.shortcut_note.text().startswith("Wayland doesn't let")
    dialog.close()


def test_settings_stores_the_shortcut_and_the_app_listens(qtbot: Any, tray: Any, app: Any,
                                                          monkeypatch: Any) -> None:
    started: list[str] = []
    monkeypatch.setattr(hotkey.GlobalShortcut, "start",
                        lambda self, keys: started.append(keys) or True)
    monkeypatch.setattr(hotkey, "unavailable_reason", lambda env=None: None)
    dialog = tray.open_settings()
    dialog.global_shortcut.setChecked(True)
    from PySide6.QtGui import QKeySequence

    dialog.shortcut_keys.setKeySequence(QKeySequence("Ctrl+Alt+P"))
    with qtbot.waitSignal(dialog.accepted, timeout=5000):
        dialog.save_button.click()
    assert app.preferences.settings().global_shortcut_keys == "Ctrl+Alt+P"
    assert started == ["Ctrl+Alt+P"]
