"""`punchclock status` on a current store loads neither Alembic nor the ORM —
nor the parser, the command groups and the dataclasses of desktop.core.dto; on
a store one migration behind it migrates first (real processes)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from alembic import command

from desktop.core.app import Punchclock
from desktop.core.db import open_database
from desktop.core.migrate import alembic_config
from desktop.core.paths import DB_FILENAME
from desktop.core.schema import SCHEMA_HEAD, database_revision

PROBE = """
import json, sys
from desktop.cli import main
code = main(sys.argv[1:])
heavy = [m for m in ("alembic", "sqlalchemy", "sqlalchemy.orm", "desktop.core.model",
                   "argparse", "desktop.cli.entry", "desktop.core.dto") if m in sys.modules]
print(json.dumps({"code": code, "heavy": heavy}), file=sys.stderr)
"""


def _status(data: Path, *args: str) -> tuple[str, dict[str, object]]:
    env = {k: v for k, v in os.environ.items() if k != "PUNCHCLOCK_HOME"}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, "--data-dir", str(data), "status", *args],
        capture_output=True, text=True, timeout=120, env=env,
    )  # fmt: skip
    probe = json.loads(done.stderr.strip().splitlines()[-1])
    return done.stdout, probe


def _profile(data: Path) -> None:
    app = Punchclock.open(data)
    app.directory.init_profile(name="Ada", email="ada@msp.test")
    app.directory.add_customer(None, "ACME")
    app.tracking.start(None, customer="ACME", description="on call")
    app.close()


def test_status_on_a_current_store_imports_no_orm_and_no_alembic(tmp_path: Path) -> None:
    _profile(tmp_path)
    for args in ((), ("--json",), ("--format", "{customer} {elapsed}")):
        out, probe = _status(tmp_path, *args)
        assert probe == {"code": 0, "heavy": []}, args
        assert "ACME" in out


def test_status_one_migration_behind_migrates_first(tmp_path: Path) -> None:
    _profile(tmp_path)
    db = open_database(tmp_path, migrate=False)
    cfg = alembic_config()
    with db.write_engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "-1")
    db.close()
    behind = database_revision(tmp_path / DB_FILENAME)
    assert behind is not None and behind < SCHEMA_HEAD
    out, probe = _status(tmp_path)
    assert probe["code"] == 0 and "alembic" in probe["heavy"]  # it migrated …
    assert database_revision(tmp_path / DB_FILENAME) == SCHEMA_HEAD  # … to the head
    assert "running: ACME" in out and "on call" in out
