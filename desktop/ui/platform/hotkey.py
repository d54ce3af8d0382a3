"""The global shortcut: a system-wide key (default Ctrl+Alt+T, opt-in in
Settings) that opens the timer popup from any application.

``pynput`` listens (X11 through python-xlib, Windows through its keyboard
hook, macOS through Quartz event taps — the accessibility permission); its
listener runs on a thread of its own and hands each press to the GUI thread
through the ``activated`` Qt signal, never calling Qt itself. Where a desktop
can't grant an application a system-wide key — Wayland, a session without a
display, pynput missing — :func:`unavailable_reason` says why and Settings
shows it; a desktop's own keyboard settings can then run ``punchclock`` (a
second launch opens the running app's popup).
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from typing import Any

from PySide6.QtCore import QObject, Signal

from desktop.ui.qtcompat import emit

log = logging.getLogger(__name__)

WAYLAND = ("Wayland doesn't let an application take a system-wide key. Add one in your "
           "desktop's keyboard settings that runs `punchclock`: a second launch opens "
           "the timer popup.")
# Qt's names → pynput's (the rest of the keys are single characters or F1…F24)
_KEYS = {"ctrl": "<ctrl>", "alt": "<alt>", "shift": "<shift>", "meta": "<cmd>",
         "space": "<space>", "return": "<enter>", "enter": "<enter>", "tab": "<tab>",
         "esc": "<esc>", "escape": "<esc>", "backspace": "<backspace>",
         "insert": "<insert>", "delete": "<delete>", "home": "<home>", "end": "<end>",
         "pgup": "<page_up>", "pgdown": "<page_down>", "up": "<up>", "down": "<down>",
         "left": "<left>", "right": "<right>", "pause": "<pause>", "print": "<print_screen>"}


def unavailable_reason(env: dict[str, str] | None = None) -> str | None:
    """Why no global shortcut can work here, or None when one can."""
    env = dict(os.environ) if env is None else env
    if env.get("WAYLAND_DISPLAY") or env.get("XDG_SESSION_TYPE", "").lower() == "wayland":
        return WAYLAND
    if sys.platform.startswith("linux") and not env.get("DISPLAY"):
        return "No X display: a system-wide key needs an X11 session."
    try:
        import pynput.keyboard  # noqa: F401  (loads the platform's backend)
    except ImportError as exc:
        return f"The keyboard library can't load here ({exc})."
    return None


def pynput_keys(qt_keys: str) -> str:
    """ "Ctrl+Alt+T" (Qt's portable text) → "<ctrl>+<alt>+t" (pynput's)."""
    out = []
    for part in qt_keys.split("+"):
        name = part.strip().lower()
        if name in _KEYS:
            out.append(_KEYS[name])
        elif len(name) > 1 and name[0] == "f" and name[1:].isdigit():
            out.append(f"<{name}>")
        else:
            out.append(name)
    return "+".join(out)


READY_WAIT_S = 2.0


def _wait_ready(listener: Any) -> None:
    """Give the listener a moment to put its X record context (or hook) in
    place, so a press right after start counts — bounded: pynput's own
    ``wait()`` never returns when its backend fails."""
    waiter = threading.Thread(target=listener.wait, daemon=True)
    waiter.start()
    waiter.join(READY_WAIT_S)
    if waiter.is_alive():
        log.warning("the global shortcut's listener was not ready after %.0f s", READY_WAIT_S)


class GlobalShortcut(QObject):
    """Owns the listener thread; ``activated`` fires in the GUI thread."""

    activated = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._listener: Any = None
        self.keys: str | None = None
        self.error: str | None = None

    @property
    def active(self) -> bool:
        return self._listener is not None

    def start(self, qt_keys: str) -> bool:
        """Listen for ``qt_keys`` (stopping an earlier key); False, with
        :attr:`error` set, when this desktop can't give one."""
        self.stop()
        self.error = unavailable_reason()
        if self.error is not None:
            return False
        from pynput import keyboard

        try:
            listener = keyboard.GlobalHotKeys({pynput_keys(qt_keys): self._pressed})
            listener.start()
            _wait_ready(listener)
        except (ValueError, OSError) as exc:
            self.error = f"{qt_keys} can't be used as a system-wide key here ({exc})."
            return False
        self._listener, self.keys = listener, qt_keys
        log.info("global shortcut %s listening", qt_keys)
        return True

    def stop(self) -> None:
        if self._listener is not None:
            self._listener.stop()
            self._listener = None
            self.keys = None

    def _pressed(self) -> None:
        # the listener's thread: only the signal crosses to the GUI thread
        emit(self.activated)
