"""The SQLite store: pragmas, migrations, the one-running-timer index, outbox
atomicity and the purity of ``desktop.core``."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.exc import IntegrityError

from desktop.core.db import DB_FILENAME, open_database
from desktop.core.migrate import head_revision, upgrade
from desktop.core.model import Base, Outbox, TimeEntry

ROOT = Path(__file__).resolve().parents[2]


def test_connection_pragmas(tmp_path):
    db = open_database(tmp_path)
    with db.write() as s:
        assert s.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert s.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
        assert s.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert s.execute(text("PRAGMA busy_timeout")).scalar() >= 5000
    db.close()


def test_transactions_really_begin(tmp_path):
    """The pysqlite workaround: a read session sees one snapshot even while
    another connection commits."""
    db = open_database(tmp_path)
    with db.read() as s:
        assert s.execute(text("SELECT count(*) FROM preference")).scalar() == 0
        other = sqlite3.connect(tmp_path / DB_FILENAME)
        other.execute("INSERT INTO preference(key, value) VALUES ('x', '1')")
        other.commit()
        other.close()
        assert s.execute(text("SELECT count(*) FROM preference")).scalar() == 0
    with db.read() as s:
        assert s.execute(text("SELECT count(*) FROM preference")).scalar() == 1
    db.close()


def test_first_migration_filled_then_upgraded_to_head_keeps_every_row(tmp_path):
    path = tmp_path / DB_FILENAME
    engine = create_engine(f"sqlite:///{path}")
    upgrade(engine, "0001")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO user (id, name, email, role, work_schedule, utilization_target, "
                "timezone, first_weekday, active, version, updated_at) VALUES "
                "('u1', 'Ann', 'ann@example.com', 'technician', "
                "'[28800,28800,28800,28800,28800,0,0]',"
                " 75, 'UTC', 0, 1, 0, '2026-11-25 08:00:00')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO customer (id, name, is_internal, default_billable, "
                "round_increment_min, round_minimum_min, active, version, updated_at) VALUES "
                "('c1', 'ACME', 0, 1, 6, 0, 1, 0, '2026-11-25 08:00:00')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO time_entry (id, user_id, customer_id, work_date, duration_s, "
                "description, billable, source, created_at, version, updated_at) VALUES "
                "('e1', 'u1', 'c1', '2026-11-25', 5400, 'migrated DC01', 1, 'manual', "
                "'2026-11-25 08:00:00', 0, '2026-11-25 08:00:00')"
            )
        )
    engine.dispose()

    db = open_database(tmp_path)  # opening migrates to head
    with db.read() as s:
        assert s.execute(text("SELECT version_num FROM alembic_version")).scalar() == (
            head_revision()
        )
        row = s.get(TimeEntry, "e1")
        assert row is not None
        assert (row.duration_s, row.description, row.work_date) == (
            5400,
            "migrated DC01",
            date(2026, 11, 25),
        )
        assert s.execute(text("SELECT name FROM customer WHERE id='c1'")).scalar() == "ACME"
        assert s.execute(text("SELECT email FROM user WHERE id='u1'")).scalar() == (
            "ann@example.com"
        )
    db.close()


def test_migrations_match_the_models(tmp_path):
    """Head of the migrations creates exactly the tables the models declare."""
    db = open_database(tmp_path)
    with db.read() as s:
        tables = {
            r[0]
            for r in s.execute(
                text(
                    "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
                )
            )
        }
    db.close()
    assert tables - {"alembic_version"} == set(Base.metadata.tables)


def test_the_database_refuses_a_second_running_timer(app):
    me = app.directory.profile()
    app.tracking.start(me.id, customer="ACME")
    running = app.tracking.running(me.id)
    with pytest.raises(IntegrityError), app.db.write() as s:
        s.add(
            TimeEntry(
                user_id=me.id,
                customer_id=running.customer_id,
                work_date=running.work_date,
                started_at=datetime(2026, 11, 25, 7, tzinfo=UTC),
            )
        )
        s.flush()


def test_a_failure_between_row_and_outbox_leaves_neither(app, monkeypatch):
    from desktop.core import outbox

    def boom(*args, **kwargs):
        raise RuntimeError("crash between the entry and its outbox row")

    monkeypatch.setattr(outbox, "record", boom)
    with pytest.raises(RuntimeError):
        app.tracking.log(
            None,
            day=date(2026, 11, 25),
            customer="ACME",
            duration_s=600,
            description="never stored",
        )
    with app.db.read() as s:
        assert s.scalar(select(func.count()).select_from(TimeEntry)) == 0


@pytest.mark.slow
def test_kill_9_between_row_and_outbox_leaves_neither(app, tmp_path):
    """A real crash: the process dies (SIGKILL) after the entry row is flushed to
    SQLite and before its outbox row is written."""
    data = app.db.path.parent
    with app.db.read() as s:
        outbox_before = s.scalar(select(func.count()).select_from(Outbox))
    script = textwrap.dedent(f"""
        import os, signal
        from datetime import date
        from desktop.core import outbox
        from desktop.core.app import Punchclock
        real = outbox.record
        def record(session, row, op, **kw):
            session.flush()  # the entry row is now inside SQLite's transaction
            os.kill(os.getpid(), signal.SIGKILL)
        outbox.record = record
        from pathlib import Path
        app = Punchclock.open(Path({str(data)!r}))
        app.tracking.log(None, day=date(2026, 11, 24), customer="ACME", duration_s=600,
                         description="lost in the crash")
    """)
    proc = subprocess.run([sys.executable, "-c", script], cwd=ROOT, timeout=120)
    assert proc.returncode == -signal.SIGKILL
    db = open_database(data)
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(TimeEntry)) == 0
        assert s.scalar(select(func.count()).select_from(Outbox)) == outbox_before
    db.close()


FORBIDDEN = ("PySide6", "pyqtgraph", "numpy", "requests", "shiboken6")


def test_core_and_cli_import_path_load_no_gui_or_http():
    script = textwrap.dedent(f"""
        import contextlib, importlib, io, pkgutil, sys
        import desktop.cli, desktop.core
        for pkg in (desktop.core, desktop.cli):
            for info in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."):
                if ".migrations" not in info.name:
                    importlib.import_module(info.name)
        with contextlib.redirect_stdout(io.StringIO()):
            try:
                desktop.cli.main(["--help"])
            except SystemExit:
                pass
        print(",".join(sorted(m for m in sys.modules if m.split(".")[0] in {FORBIDDEN!r})))
    """)
    out = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env=os.environ | {"PYTHONPATH": str(ROOT)},
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == ""


def test_opening_the_core_does_not_load_the_postgresql_dialect():
    code = (
        "import sys, desktop.core.app\n"
        "print(sorted(m for m in sys.modules if m.startswith('sqlalchemy.dialects.postgresql')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "[]", out.stderr
