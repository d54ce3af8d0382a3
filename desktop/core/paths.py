"""Where the store lives: the names every process agrees on, importable for
the price of ``os`` (the CLI's hand-off to the tray app and the lean status
read need them before anything else is loaded)."""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "Punchclock"
HOME_ENV = "PUNCHCLOCK_HOME"
DB_FILENAME = "punchclock.sqlite3"


def default_data_dir() -> Path:
    """``$PUNCHCLOCK_HOME``, else the platform's user data folder."""
    env = os.environ.get(HOME_ENV)
    if env:
        return Path(env).expanduser()
    import platformdirs

    return platformdirs.user_data_path(APP_NAME, appauthor=False)


def instance_socket(data_dir: Path) -> str:
    """The local socket the tray app running on ``data_dir`` listens on: a
    second launch and the command line (:mod:`desktop.cli.handoff`) find it
    here. POSIX: a path in ``$TMPDIR`` (else ``/tmp``), named after the user
    and the folder; Windows: a pipe name (Qt adds ``\\\\.\\pipe\\``)."""
    import hashlib

    key = hashlib.sha256(str(data_dir.resolve()).encode()).hexdigest()[:16]
    if os.name == "nt":
        return f"punchclock-{os.environ.get('USERNAME', 'user')}-{key}"
    folder = os.environ.get("TMPDIR") or "/tmp"
    return os.path.join(folder, f"punchclock-{os.getuid()}-{key}")
