"""Idle detection: how long since the last keyboard/mouse input, and sleeps.

Sources (first that answers wins, see :func:`detect_source`):

* X11 — the XScreenSaver extension through ctypes (libX11 + libXss);
* Windows — ``GetLastInputInfo`` / ``GetTickCount``;
* macOS — Quartz ``CGEventSourceSecondsSinceLastEventType``;
* GNOME Mutter ``IdleMonitor`` or freedesktop ``ScreenSaver`` over the session
  D-Bus (Wayland sessions, where X11 can't see input).

The detector also notices sleep/suspend: the wall clock jumps ahead while the
monotonic clock (which stops during suspend) does not. A span counts only when
it lasts at least the threshold; the user has "returned" when input is seen
again (or, after a sleep with no idle source, at the first tick after waking).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from desktop.core.timeutil import utcnow

log = logging.getLogger(__name__)


class IdleSource(Protocol):
    name: str

    def idle_seconds(self) -> float | None:
        """Seconds since the last user input, or None when it can't be read now."""


class _XScreenSaverInfo(ctypes.Structure):
    _fields_ = [
        ("window", ctypes.c_ulong),
        ("state", ctypes.c_int),
        ("kind", ctypes.c_int),
        ("til_or_since", ctypes.c_ulong),
        ("idle", ctypes.c_ulong),
        ("eventMask", ctypes.c_ulong),
    ]


class X11IdleSource:
    name = "X11 screensaver extension"

    def __init__(self, display: str | None = None) -> None:
        x11_path = ctypes.util.find_library("X11")
        xss_path = ctypes.util.find_library("Xss")
        if not x11_path or not xss_path:
            raise OSError("libX11 or libXss is not installed")
        self._x11 = ctypes.cdll.LoadLibrary(x11_path)
        self._xss = ctypes.cdll.LoadLibrary(xss_path)
        self._x11.XOpenDisplay.restype = ctypes.c_void_p
        self._x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
        self._x11.XDefaultRootWindow.restype = ctypes.c_ulong
        self._x11.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
        self._x11.XCloseDisplay.argtypes = [ctypes.c_void_p]
        self._xss.XScreenSaverAllocInfo.restype = ctypes.POINTER(_XScreenSaverInfo)
        self._xss.XScreenSaverQueryInfo.argtypes = [
            ctypes.c_void_p, ctypes.c_ulong, ctypes.POINTER(_XScreenSaverInfo)]
        self._xss.XScreenSaverQueryExtension.argtypes = [
            ctypes.c_void_p, ctypes.POINTER(ctypes.c_int), ctypes.POINTER(ctypes.c_int)]
        name = (display or os.environ.get("DISPLAY") or "").encode() or None
        if name is None:
            raise OSError("no X display")
        self._display = self._x11.XOpenDisplay(name)
        if not self._display:
            raise OSError(f"can't open X display {name.decode()}")
        event_base, error_base = ctypes.c_int(), ctypes.c_int()
        if not self._xss.XScreenSaverQueryExtension(self._display, ctypes.byref(event_base),
                                                     ctypes.byref(error_base)):
            self.close()
            raise OSError("the X server has no screensaver extension")
        self._root = self._x11.XDefaultRootWindow(self._display)
        self._info = self._xss.XScreenSaverAllocInfo()

    def idle_seconds(self) -> float | None:
        if not self._display:
            return None
        if not self._xss.XScreenSaverQueryInfo(self._display, self._root, self._info):
            return None
        return float(self._info.contents.idle) / 1000.0

    def close(self) -> None:
        if self._display:
            self._x11.XCloseDisplay(self._display)
            self._display = None


class WindowsIdleSource:
    name = "Windows GetLastInputInfo"

    class _LastInputInfo(ctypes.Structure):
        _fields_ = [("cbSize", ctypes.c_uint), ("dwTime", ctypes.c_uint)]

    def __init__(self) -> None:
        windll: Any = getattr(ctypes, "windll", None)
        if windll is None:
            raise OSError("not Windows")
        self._user32 = windll.user32
        self._kernel32 = windll.kernel32

    def idle_seconds(self) -> float | None:
        info = self._LastInputInfo()
        info.cbSize = ctypes.sizeof(info)
        if not self._user32.GetLastInputInfo(ctypes.byref(info)):
            return None
        ticks = self._kernel32.GetTickCount() & 0xFFFFFFFF
        return float((ticks - info.dwTime) & 0xFFFFFFFF) / 1000.0


class MacIdleSource:
    name = "macOS Quartz event source"

    def __init__(self) -> None:
        path = ctypes.util.find_library("ApplicationServices")
        if sys.platform != "darwin" or not path:
            raise OSError("not macOS")
        self._cg: Any = ctypes.cdll.LoadLibrary(path)
        self._cg.CGEventSourceSecondsSinceLastEventType.restype = ctypes.c_double
        self._cg.CGEventSourceSecondsSinceLastEventType.argtypes = [ctypes.c_int, ctypes.c_uint32]

    def idle_seconds(self) -> float | None:
        combined_session_state, any_input_event = 0, 0xFFFFFFFF
        value = float(self._cg.CGEventSourceSecondsSinceLastEventType(
            combined_session_state, any_input_event))
        return value if value >= 0 else None


class DBusIdleSource:
    """GNOME Mutter's IdleMonitor, else the freedesktop ScreenSaver interface."""

    CANDIDATES = (
        ("org.gnome.Mutter.IdleMonitor", "/org/gnome/Mutter/IdleMonitor/Core",
         "org.gnome.Mutter.IdleMonitor", "GetIdletime"),
        ("org.freedesktop.ScreenSaver", "/org/freedesktop/ScreenSaver",
         "org.freedesktop.ScreenSaver", "GetSessionIdleTime"),
    )

    def __init__(self) -> None:
        from PySide6.QtDBus import QDBusConnection, QDBusInterface

        bus = QDBusConnection.sessionBus()
        if not bus.isConnected():
            raise OSError("no D-Bus session bus")
        for service, path, interface, method in self.CANDIDATES:
            iface = QDBusInterface(service, path, interface, bus)
            if iface.isValid():
                self._iface, self._method = iface, method
                self.name = f"D-Bus {service}"
                if self.idle_seconds() is not None:
                    return
        raise OSError("no idle monitor on the session bus")

    def idle_seconds(self) -> float | None:
        reply = self._iface.call(self._method)
        args = reply.arguments()
        if not args:
            return None
        try:
            return float(args[0]) / 1000.0
        except (TypeError, ValueError):
            return None


def detect_source() -> IdleSource | None:
    """The first idle source that works on this machine, or None (Settings says so)."""
    if sys.platform == "win32":
        factories: list[Callable[[], IdleSource]] = [WindowsIdleSource]
    elif sys.platform == "darwin":
        factories = [MacIdleSource]
    elif os.environ.get("WAYLAND_DISPLAY"):
        factories = [DBusIdleSource, X11IdleSource]
    else:
        factories = [X11IdleSource, DBusIdleSource]
    for factory in factories:
        try:
            source: IdleSource = factory()
            if source.idle_seconds() is not None:
                log.info("idle source: %s", source.name)
                return source
        except Exception as exc:  # any failure just means "try the next one"
            log.info("idle source %s unavailable: %s", factory.__name__, exc)
    log.warning("no idle source works here; idle detection is off")
    return None


@dataclass(frozen=True)
class IdleSpan:
    """The user was away from ``start`` to ``end`` (aware UTC)."""

    start: datetime
    end: datetime
    reason: str  # "idle" or "sleep"

    @property
    def seconds(self) -> int:
        return int((self.end - self.start).total_seconds())


class IdleDetector:
    """Polled once a second by the tray's heartbeat; returns a span when the
    user comes back after being away at least ``threshold_s``."""

    def __init__(self, source: IdleSource | None, threshold_s: int, *,
                 wall: Callable[[], datetime] = utcnow,
                 mono: Callable[[], float] = time.monotonic, sleep_jump_s: int = 30) -> None:
        self.source = source
        self.threshold_s = threshold_s
        self._wall, self._mono = wall, mono
        self.sleep_jump_s = sleep_jump_s
        self._last: tuple[datetime, float] | None = None
        self._away_since: datetime | None = None
        self._reason = "idle"
        self.woke = False  # the last poll noticed a sleep/suspend (sync listens)

    def reset(self) -> None:
        self._away_since = None

    @property
    def away_since(self) -> datetime | None:
        return self._away_since

    def poll(self) -> IdleSpan | None:
        wall, mono = self._wall(), self._mono()
        slept = False
        if self._last is not None:
            last_wall, last_mono = self._last
            jump = (wall - last_wall).total_seconds() - (mono - last_mono)
            if jump >= self.sleep_jump_s:
                slept = True
                if self._away_since is None or last_wall < self._away_since:
                    self._away_since, self._reason = last_wall, "sleep"
        self._last = (wall, mono)
        self.woke = slept
        idle = self.source.idle_seconds() if self.source is not None else None
        if idle is not None and idle >= self.threshold_s:
            since = wall - timedelta(seconds=idle)
            if self._away_since is None or since < self._away_since:
                self._away_since, self._reason = since, "idle"
            return None
        if self._away_since is None:
            return None
        if idle is None and not slept and self.source is not None:
            return None  # the source hiccuped; decide on the next tick
        back = wall - timedelta(seconds=idle or 0)
        span = IdleSpan(self._away_since, max(back, self._away_since), self._reason)
        self._away_since = None
        return span if span.seconds >= self.threshold_s else None
