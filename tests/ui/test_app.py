"""The application as a whole: single instance, no-tray fallback, idle and
reminder wiring, change detection, and the excepthook."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from desktop.core.errors import ValidationError
from desktop.core.services.reminders import CONTINUE_LAST, Reminder
from desktop.ui.dialogs.idle import IdleDialog
from desktop.ui.platform.crash import ExceptHook
from desktop.ui.platform.idle import IdleSpan
from desktop.ui.platform.single_instance import SingleInstance
from desktop.ui.tray.controller import TrayApp

ROOT = Path(__file__).resolve().parents[2]


def test_single_instance_hands_over_in_process(qtbot: Any, tmp_path: Path) -> None:
    first = SingleInstance(tmp_path / "d")
    assert first.acquire()
    second = SingleInstance(tmp_path / "d")
    assert not second.acquire()
    with qtbot.waitSignal(first.activated, timeout=3000):
        assert second.hand_over()
    other_folder = SingleInstance(tmp_path / "elsewhere")
    assert other_folder.acquire()  # one instance per data folder
    other_folder.release()
    first.release()
    assert second.acquire()  # released: the next one may run
    second.release()


def _launch(data: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "desktop", "--data-dir", str(data)],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


@pytest.mark.slow
def test_second_launch_hands_over_and_exits_0(tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PUNCHCLOCK_TRAY_WAIT_S": "0.3",
           "XDG_STATE_HOME": str(tmp_path / "state")}
    data = tmp_path / "data"
    log = tmp_path / "state" / "Punchclock" / "log" / "punchclock.log"
    first = _launch(data, env)
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not (
                log.exists() and "Punchclock started" in log.read_text()):
            time.sleep(0.1)
        assert "Punchclock started" in log.read_text()
        second = _launch(data, env)
        _out, err = second.communicate(timeout=20)
        assert second.returncode == 0
        assert "already running" in err
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and "asked to show" not in log.read_text():
            time.sleep(0.1)
        assert "another launch asked to show the popup" in log.read_text()
        assert first.poll() is None  # the first one keeps running
    finally:
        first.terminate()
        first.wait(10)


@pytest.fixture
def tray_app(qtbot: Any, app: Any) -> Any:
    ta = TrayApp(app, tray_wait_s=0.2, idle_source=False)
    yield ta
    ta.shutdown()


def test_no_tray_waits_then_shows_the_popup_as_a_window(qtbot: Any, tray_app: Any) -> None:
    tray_app.start()
    assert not tray_app.popup.isVisible()  # still waiting for a tray
    qtbot.waitUntil(lambda: tray_app.popup.isVisible(), timeout=3000)
    assert tray_app.standalone
    assert not tray_app.tray.icon.isVisible()


def test_cli_change_shows_within_the_heartbeat(qtbot: Any, tray_app: Any, app: Any) -> None:
    tray_app.start()
    assert tray_app.state.snapshot.running is None
    app.tracking.start(None, customer="Globex")  # as if another process wrote it
    qtbot.waitUntil(lambda: tray_app.state.snapshot.running is not None, timeout=2000)
    assert tray_app.tray.icon.toolTip().startswith("Globex — 0:00")


def test_returning_from_idle_opens_the_dialog_once(qtbot: Any, tray_app: Any, app: Any,
                                                   clock: Any) -> None:
    app.tracking.start(None, task="4521", at=clock.now - timedelta(hours=1))
    tray_app.state.refresh()

    class Away:
        woke = False

        def poll(self) -> IdleSpan | None:
            return IdleSpan(clock.now - timedelta(minutes=30), clock.now, "idle")

    tray_app.detector = Away()
    tray_app.poll_idle()
    tray_app.poll_idle()
    dialogs = [d for d in tray_app.dialogs if isinstance(d, IdleDialog)]
    assert len(dialogs) == 1
    assert "0:30" in dialogs[0].message.text()


def test_idle_without_a_running_timer_asks_nothing(qtbot: Any, tray_app: Any,
                                                   clock: Any) -> None:
    class Away:
        woke = False

        def poll(self) -> IdleSpan | None:
            return IdleSpan(clock.now - timedelta(minutes=30), clock.now, "sleep")

    tray_app.detector = Away()
    tray_app.poll_idle()
    assert tray_app.dialogs == []


def test_clicking_a_continue_reminder_continues(qtbot: Any, tray_app: Any, app: Any,
                                                clock: Any) -> None:
    app.tracking.start(None, customer="Globex", at=clock.now - timedelta(hours=1))
    app.tracking.stop(None)
    tray_app.state.refresh()
    tray_app.show_reminder(Reminder("not_tracking", "k", "No timer running", "…",
                                    CONTINUE_LAST))
    assert "No timer running" in tray_app.popup.notice.text()  # no tray here
    tray_app.reminder_action(Reminder("not_tracking", "k", "t", "m", CONTINUE_LAST))
    qtbot.waitUntil(lambda: tray_app.state.snapshot.running is not None, timeout=3000)
    assert tray_app.state.snapshot.running.customer == "Globex"


def test_first_run_opens_the_welcome(qtbot: Any, tmp_path: Path, clock: Any) -> None:
    from desktop.core.app import Punchclock
    from desktop.core.db import open_database
    from desktop.ui.dialogs.welcome import WelcomeDialog

    pc = Punchclock(open_database(tmp_path / "new"), clock=clock)
    ta = TrayApp(pc, tray_wait_s=0.2, idle_source=False)
    try:
        ta.start()
        assert any(isinstance(d, WelcomeDialog) for d in ta.dialogs)
        ta.open_log_time()  # no profile: still the (one) welcome
        assert len(ta.dialogs) == 1
    finally:
        ta.shutdown()
        pc.close()


def test_excepthook_shows_known_errors_as_their_message(tmp_path: Path) -> None:
    from desktop.core.db import StorageError

    hook = ExceptHook(tmp_path / "punchclock.log")
    assert hook.message_for(StorageError("the disk is full; free some space and try again")) \
        == ("the disk is full; free some space and try again", True)
    assert hook.message_for(ValidationError("nope")) == ("nope", True)
    text, known = hook.message_for(ZeroDivisionError("division by zero"))
    assert not known
    assert text.startswith("Something went wrong: ZeroDivisionError: division by zero")
    assert str(tmp_path / "punchclock.log") in text


def test_qt_warnings_go_to_logging(caplog: Any) -> None:
    from PySide6.QtCore import QMessageLogContext, QtMsgType

    from desktop.ui.platform.crash import qt_message_handler

    qt_message_handler(QtMsgType.QtWarningMsg, QMessageLogContext(), "careful")
    assert ("qt", 30, "careful") in [(r.name, r.levelno, r.getMessage()) for r in caplog.records]


def test_emitting_signals_does_not_leak_the_refcount_of_true(qtbot: Any) -> None:
    from desktop.ui.qtcompat import _Probe, emit

    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(500):
        emit(probe.ping)
    assert sys.getrefcount(True) - before >= -5


def test_the_tray_does_not_import_pyqtgraph_or_numpy() -> None:
    code = ("import sys\nimport desktop.ui.main, desktop.ui.tray.controller\n"
            "print(sorted(m for m in ('pyqtgraph', 'numpy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60, cwd=ROOT)
    assert out.stdout.strip() == "[]", out.stderr


def test_the_binding_import_hook_keeps_no_module_source(tmp_path: Path) -> None:
    """Importing the app's modules leaves their sources out of linecache, and the
    hook's question — does the module mention PySide6? — gets the same answers."""
    code = (
        "import linecache, sys, types\n"
        "from desktop.ui.qtcompat import READS_SOURCES_LIGHTLY, _mentions_pyside\n"
        "import desktop.core.app, desktop.ui.tray.controller\n"
        "kept = [f for f in linecache.cache if f.endswith(('model.py', 'controller.py',\n"
        "                                                  'orm/session.py'))]\n"
        "print(READS_SOURCES_LIGHTLY, kept)\n"
        "for name in ('uses', 'plain'):\n"
        f"    m = types.ModuleType(name); m.__file__ = r'{tmp_path}/' + name + '.py'\n"
        "    print(name, _mentions_pyside(m))\n"
        "print('none', _mentions_pyside(types.ModuleType('x')))\n"
    )
    (tmp_path / "uses.py").write_text("from PySide6.QtCore import QObject\n")
    (tmp_path / "plain.py").write_text("import json\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60, cwd=ROOT)
    assert out.stdout.split("\n")[:4] == ["True []", "uses True", "plain False", "none False"], (
        out.stderr
    )
