"""The tray's first paint: the icon is up, in its right state, before the core
(SQLAlchemy, the mapped models, Alembic) is even imported; the rest loads
once the event loop runs (real X server + tray host)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.tray, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import json, sys
from pathlib import Path
from PySide6.QtWidgets import QApplication
from desktop.ui.main import early_icon
# what run() imports before the first paint
from desktop.ui.platform import crash, single_instance
from desktop.ui.tray.icon import tray_icon
app = QApplication(["punchclock"])
shown = early_icon(Path(sys.argv[1]))
heavy = [m for m in ("sqlalchemy", "sqlalchemy.orm", "alembic", "desktop.core.model")
         if m in sys.modules]
state = None
if shown is not None:
    key = shown.icon().cacheKey()
    state = {tray_icon(True).cacheKey(): "running", tray_icon(False).cacheKey(): "idle"}.get(key)
print(json.dumps({"shown": shown is not None and shown.isVisible(), "state": state,
                  "heavy": heavy}))
"""


def _first_paint(tray: Any) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(tray.data)],
        env=tray.env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def test_the_icon_shows_its_state_before_the_core_loads(tray: Any) -> None:
    assert _first_paint(tray) == {"shown": True, "state": "idle", "heavy": []}
    tray.cli("start", "--customer", "ACME", "-d", "first paint check")
    assert _first_paint(tray) == {"shown": True, "state": "running", "heavy": []}


def test_the_app_keeps_the_early_icon_and_loads_the_rest(tray: Any) -> None:
    tray.cli("start", "--customer", "ACME", "-d", "first paint check")
    tray.start()
    tray.icon_geometry()
    tray.wait_log("Punchclock started")
    log = tray.log_text()
    assert log.index("early tray icon up (running)") < log.index("Punchclock started")
    tree = tray.x.run("xwininfo", "-root", "-tree")
    assert tree.count('("punchclock" "Punchclock")') == 1  # one icon, not two
    assert json.loads(tray.cli("--json", "status"))["running"] is True
