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
