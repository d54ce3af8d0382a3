"""Bench fixtures: reuse the real X server + tray host of tests/tray."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

_spec = importlib.util.spec_from_file_location(
    "tray_env", Path(__file__).resolve().parents[1] / "tray" / "conftest.py")
assert _spec is not None and _spec.loader is not None
tray_env = importlib.util.module_from_spec(_spec)
sys.modules["tray_env"] = tray_env  # dataclasses look their module up there
_spec.loader.exec_module(tray_env)

xserver = tray_env.xserver
tray = tray_env.tray
