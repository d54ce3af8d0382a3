"""Network faults for the sync tests: a small TCP proxy between the client and
the real server.

``Proxy(upstream_port)`` listens on 127.0.0.1 and forwards bytes both ways.
``drop_replies(n, marker)`` makes the next ``n`` requests whose bytes contain
``marker`` lose their reply: the request reaches the server (which processes
and commits it), then, as soon as the server's reply starts, the client's
connection is closed without a byte of it — "connection dropped after the
server committed, before the reply". ``hold_replies(marker)`` keeps such
replies back until ``release()`` (a client that dies while waiting).
``down()`` refuses new connections (offline) until ``up()``.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from dataclasses import dataclass, field


@dataclass
class _Rules:
    drop: int = 0
    hold: bool = False
    marker: bytes = b"POST /api/v1/sync/push"
    dropped: int = 0
    held: int = 0
    requests: list[bytes] = field(default_factory=list)


class Proxy:
    def __init__(self, upstream_port: int) -> None:
        self.upstream = ("127.0.0.1", upstream_port)
        self.rules = _Rules()
        self._lock = threading.Lock()
        self._released = threading.Event()
        self._offline = False
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._sockets: list[socket.socket] = []
        self._stop = False
        threading.Thread(target=self._accept, daemon=True).start()

    # ------------------------------------------------------------ control

    def drop_replies(self, n: int = 1, marker: bytes = b"POST /api/v1/sync/push") -> None:
        with self._lock:
            self.rules.drop, self.rules.marker = n, marker

    def hold_replies(self, marker: bytes = b"POST /api/v1/sync/push") -> None:
        with self._lock:
            self.rules.hold, self.rules.marker = True, marker
            self._released.clear()

    def release(self) -> None:
        with self._lock:
            self.rules.hold = False
        self._released.set()

    def down(self) -> None:
        self._offline = True
        for s in list(self._sockets):
            _kill(s)

    def up(self) -> None:
        self._offline = False

    def close(self) -> None:
        self._stop = True
        self._released.set()
        with contextlib.suppress(OSError):
            self._server.close()
        for s in list(self._sockets):
            _kill(s)

    # ----------------------------------------------------------- plumbing

    def _accept(self) -> None:
        while not self._stop:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            if self._offline:
                client.close()
                continue
            try:
                upstream = socket.create_connection(self.upstream)
            except OSError:
                client.close()
                continue
            self._sockets += [client, upstream]
            state = {"armed": None}
            threading.Thread(
                target=self._pump_up, args=(client, upstream, state), daemon=True
            ).start()
            threading.Thread(
                target=self._pump_down, args=(upstream, client, state), daemon=True
            ).start()

    def _pump_up(self, client: socket.socket, upstream: socket.socket, state: dict) -> None:
        try:
            while data := client.recv(65536):
                with self._lock:
                    self.rules.requests.append(data[:200])
                    if self.rules.marker in data:
                        if self.rules.drop > 0:
                            self.rules.drop -= 1
                            state["armed"] = "drop"
                        elif self.rules.hold:
                            state["armed"] = "hold"
                upstream.sendall(data)
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                upstream.shutdown(socket.SHUT_WR)

    def _pump_down(self, upstream: socket.socket, client: socket.socket, state: dict) -> None:
        try:
            while data := upstream.recv(65536):
                armed = state.get("armed")
                if armed == "drop":
                    with self._lock:
                        self.rules.dropped += 1
                    break
                if armed == "hold":
                    with self._lock:
                        self.rules.held += 1
                    self._released.wait()
                    state["armed"] = None
                client.sendall(data)
        except OSError:
            pass
        finally:
            for s in (client, upstream):
                _kill(s)


def _kill(s: socket.socket) -> None:
    """Close for real: shutdown wakes a thread blocked in recv() on it."""
    with contextlib.suppress(OSError):
        s.shutdown(socket.SHUT_RDWR)
    with contextlib.suppress(OSError):
        s.close()
