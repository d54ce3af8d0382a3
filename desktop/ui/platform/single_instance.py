"""One tray per user session and data folder (a lock file and a local socket).

A ``QLockFile`` in the data folder says who runs; Qt clears it when the owner's
process is gone (a kill -9 leaves no stale lock behind). The owner listens on a
``QLocalServer`` whose name is derived from the user and the data folder
(:func:`desktop.core.paths.instance_socket`); a second launch connects, says
"show", and exits 0 — the running one opens its timer popup. ``punchclock
timesheet`` / ``approvals --window`` say "open WINDOW [ARG]" instead, and the
running one opens that window (``opened``).

The command line hands commands to the running app the same way
(:mod:`desktop.cli.handoff`): ``cli {json}`` on one line, answered with one
JSON line by :attr:`SingleInstance.cli_handler`. The socket is the user's
only (Qt's ``UserAccessOption``), and on Linux the peer's uid is checked too
(``SO_PEERCRED``): a request from another user is dropped unanswered.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import struct
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QLockFile, QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from desktop.core.paths import instance_socket
from desktop.ui.qtcompat import emit

log = logging.getLogger(__name__)

LOCK_NAME = "tray.lock"
SHOW = b"show\n"
OPEN = "open "
CLI = "cli "

CliHandler = Callable[[dict[str, Any]], dict[str, Any]]


def server_name(data_dir: Path) -> str:
    return instance_socket(data_dir)


def open_message(window: str) -> bytes:
    """What a second launch says to open ``window`` ("timesheet 2026-11-23")."""
    return f"{OPEN}{window}\n".encode()


class SingleInstance(QObject):
    activated = Signal()
    opened = Signal(str)  # "timesheet 2026-11-23", "approvals"

    def __init__(self, data_dir: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        data_dir.mkdir(parents=True, exist_ok=True)
        self.name = server_name(data_dir)
        self.lock = QLockFile(str(data_dir / LOCK_NAME))
        self.lock.setStaleLockTime(0)  # only a dead owner makes it stale, never age
        self.server: QLocalServer | None = None
        self._clients: list[QLocalSocket] = []
        self._pending: dict[int, bytes] = {}  # a socket's bytes up to its next newline
        self.cli_handler: CliHandler | None = None

    def acquire(self) -> bool:
        """True when this process is the one instance (and now listens)."""
        if not self.lock.tryLock(200):
            return False
        QLocalServer.removeServer(self.name)  # a crashed owner's socket file
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not server.listen(self.name):
            log.warning("can't listen on %s: %s", self.name, server.errorString())
        server.newConnection.connect(self._on_connection)
        self.server = server
        return True

    def _on_connection(self) -> None:
        assert self.server is not None
        while (sock := self.server.nextPendingConnection()) is not None:
            sock.setParent(self)
            self._clients.append(sock)
            sock.readyRead.connect(self._read_ready)
            sock.disconnected.connect(self._dropped)
        self._read_ready()

    def _read_ready(self) -> None:
        for sock in list(self._clients):
            if not sock.bytesAvailable():
                continue
            data = self._pending.pop(id(sock), b"") + bytes(sock.readAll().data())
            *lines, rest = data.split(b"\n")
            if rest:
                self._pending[id(sock)] = rest
            for raw in lines:
                self._line(sock, raw.decode(errors="replace"))

    def _line(self, sock: QLocalSocket, line: str) -> None:
        if line.strip() == SHOW.decode().strip():
            log.info("another launch asked to show the popup")
            emit(self.activated)
        elif line.startswith(OPEN):
            log.info("another launch asked to open %s", line[len(OPEN):])
            emit(self.opened, line[len(OPEN):].strip())
        elif line.startswith(CLI):
            self._cli(sock, line[len(CLI):])

    def _cli(self, sock: QLocalSocket, text: str) -> None:
        """Run a handed-over command and answer with one JSON line."""
        if not peer_is_this_user(sock):
            log.warning("dropped a command from another user")
            sock.abort()
            return
        reply: dict[str, Any] = {"handled": False}
        if self.cli_handler is not None:
            try:
                request = json.loads(text)
                if isinstance(request, dict):
                    reply = self.cli_handler(request)
            except Exception:  # the command line then runs it itself
                log.exception("a handed-over command failed")
                reply = {"handled": False}
        sock.write((json.dumps(reply) + "\n").encode())
        sock.flush()

    def _dropped(self) -> None:
        self._read_ready()
        for sock in list(self._clients):
            if sock.state() == QLocalSocket.LocalSocketState.UnconnectedState:
                self._clients.remove(sock)
                self._pending.pop(id(sock), None)
                sock.deleteLater()

    def hand_over(self, timeout_ms: int = 3000, message: bytes = SHOW) -> bool:
        """Ask the running instance to show itself (or open a window, see
        :func:`open_message`); True when it got the message."""
        sock = QLocalSocket()
        sock.connectToServer(self.name)
        if not sock.waitForConnected(timeout_ms):
            return False
        sock.write(message)
        ok = sock.waitForBytesWritten(timeout_ms)
        sock.disconnectFromServer()
        return ok

    def release(self) -> None:
        for sock in self._clients:
            sock.readyRead.disconnect(self._read_ready)
            sock.disconnected.disconnect(self._dropped)
            sock.abort()
        self._clients.clear()
        if self.server is not None:
            self.server.close()
            self.server = None
        self.lock.unlock()


def peer_is_this_user(sock: QLocalSocket) -> bool:
    """Whether the process at the other end runs as this user. Linux asks the
    kernel (``SO_PEERCRED``); elsewhere the socket's owner-only permissions are
    the check."""
    if not sys.platform.startswith("linux"):
        return True
    fd = int(sock.socketDescriptor())
    if fd < 0:
        return False
    peer = socket.fromfd(fd, socket.AF_UNIX, socket.SOCK_STREAM)  # a dup: closing it is safe
    try:
        creds = peer.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    except OSError:
        return False
    finally:
        peer.close()
    _pid, uid, _gid = struct.unpack("3i", creds)
    return bool(uid == os.getuid())
