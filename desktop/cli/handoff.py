"""Commands handed to the running tray app, the way ``emacsclient`` talks to Emacs.

The tray app already has the core loaded, so a command it runs costs a
socket round trip instead of an interpreter loading SQLAlchemy. When the
app runs on the data folder a command names, :func:`hand_off` sends the
command line over the app's single-instance socket
(:func:`desktop.core.paths.instance_socket`): ``cli {"argv", "cwd",
"default_data_dir"}`` on one line. The app (:func:`desktop.cli.entry.serve`)
parses it with the
same parser, checks it is one of :data:`HANDED` and names the app's own
folder, runs the same command code in-process on its open core, and answers
``{"handled": true, "code", "out", "err"}`` — what the command would have
printed and returned here. Anything else (another folder, another command,
``--help``, no app listening, Windows) answers ``{"handled": false}`` or
never connects, and the command runs in this process as always. So the
output, the exit codes and the errors are the same either way.

This side imports only ``socket``, ``json`` and :mod:`desktop.core.paths`;
set ``PUNCHCLOCK_NO_APP=1`` to never hand off.
"""

from __future__ import annotations

import json
import os
import socket
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from desktop.core.paths import default_data_dir, instance_socket

HANDED = frozenset({"status", "start", "stop", "log", "entries", "edit", "delete"})
"""The commands the running app answers (the timer and entries)."""

NO_APP_ENV = "PUNCHCLOCK_NO_APP"
CONNECT_TIMEOUT_S = 1.0
REPLY_TIMEOUT_S = 120.0  # longer than the store's busy timeout
_LOCAL_ONLY = frozenset({"-h", "--help", "--version"})


def _named_data_dir(argv: Sequence[str]) -> str | None:
    """The folder ``--data-dir`` names (the last one, as argparse takes it), or
    None. Only picks the socket: the app checks the folder itself."""
    named: str | None = None
    for i, arg in enumerate(argv):
        if arg == "--data-dir" and i + 1 < len(argv):
            named = argv[i + 1]
        elif arg.startswith("--data-dir="):
            named = arg.partition("=")[2]
    return named or None


def hand_off(argv: Sequence[str]) -> int | None:
    """Run ``argv`` in the running app: its exit code once it answered and this
    process printed what it printed, or None to run here."""
    if os.name == "nt" or os.environ.get(NO_APP_ENV):
        return None
    if not HANDED.intersection(argv) or _LOCAL_ONLY.intersection(argv):
        return None
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.settimeout(CONNECT_TIMEOUT_S)
        named = _named_data_dir(argv)
        # the default folder is only read when no --data-dir is given (the app
        # uses it only then), which spares importing platformdirs
        default = "" if named else str(default_data_dir())
        try:
            sock.connect(instance_socket(Path(named).expanduser() if named else Path(default)))
        except OSError:
            return None  # no app here (or a crashed one's socket file)
        request = {"argv": list(argv), "cwd": os.getcwd(), "default_data_dir": default}
        sock.sendall(b"cli " + json.dumps(request).encode() + b"\n")
        sock.settimeout(REPLY_TIMEOUT_S)
        reply = _read_line(sock)
    finally:
        sock.close()
    if reply is None:
        print("punchclock: the Punchclock app stopped answering; check with "
              "`punchclock status` and run the command again", file=sys.stderr)  # fmt: skip
        return 1
    if not reply.get("handled"):
        return None
    sys.stdout.write(str(reply.get("out", "")))
    sys.stdout.flush()
    sys.stderr.write(str(reply.get("err", "")))
    return int(reply.get("code", 1))


def _read_line(sock: socket.socket) -> dict[str, Any] | None:
    data = b""
    try:
        while not data.endswith(b"\n"):
            chunk = sock.recv(65536)
            if not chunk:
                return None
            data += chunk
        reply = json.loads(data)
    except (OSError, ValueError):
        return None
    return reply if isinstance(reply, dict) else None
