"""``punchclock-server``: serve the sync API and administer its database.

    punchclock-server serve [--host 127.0.0.1] [--port 8765] [--workers N] [--database URL]
    punchclock-server user add EMAIL --name N --role R [--team T] --password-stdin
    punchclock-server team add NAME --manager EMAIL
    punchclock-server demo
    punchclock-server check

``--database`` (before or after any command; also ``$PUNCHCLOCK_SERVER_DATABASE``) defaults
to a SQLite file in the platform's user data folder ("Punchclock Server");
PostgreSQL is ``postgresql+psycopg://user:pass@host/db``. The schema is
migrated by every command except ``check``, which only reports. Errors are one
line on stderr with a non-zero exit, never a traceback.

``serve --workers N`` migrates once, then runs N server processes on the one
port (uvicorn's workers); on PostgreSQL they push in parallel (see
:mod:`sync.server.db.database`), on SQLite they take turns on the database lock.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
from collections.abc import Sequence
from pathlib import Path

from desktop.core.errors import PunchclockError

APP_NAME = "Punchclock Server"
DB_ENV = "PUNCHCLOCK_SERVER_DATABASE"


def default_database_url() -> str:
    env = os.environ.get(DB_ENV)
    if env:
        return env
    import platformdirs

    return f"sqlite:///{platformdirs.user_data_path(APP_NAME, appauthor=False) / 'server.sqlite3'}"


class CliError(Exception):
    pass


def _parser() -> argparse.ArgumentParser:
    # --database before or after the command: the root holds the default, and a
    # command's copy (suppressed default) only sets it when given there.
    db_help = "SQLAlchemy URL (default: SQLite file)"
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--database", metavar="URL", default=argparse.SUPPRESS, help=db_help)
    parser = argparse.ArgumentParser(prog="punchclock-server", description=__doc__.split("\n")[0])
    parser.add_argument("--database", metavar="URL", default=None, help=db_help)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", parents=[common], help="run the HTTP API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8765)
    serve.add_argument("--workers", type=int, default=1)
    user = sub.add_parser("user", help="users").add_subparsers(dest="action", required=True)
    add = user.add_parser("add", parents=[common], help="add a user")
    add.add_argument("email")
    add.add_argument("--name", required=True)
    add.add_argument("--role", required=True, choices=["technician", "manager", "admin"])
    add.add_argument("--team")
    add.add_argument("--timezone", default="UTC")
    add.add_argument("--password-stdin", action="store_true", required=True)
    team = sub.add_parser("team", help="teams").add_subparsers(dest="action", required=True)
    tadd = team.add_parser("add", parents=[common], help="add a team")
    tadd.add_argument("name")
    tadd.add_argument("--manager", metavar="EMAIL")
    sub.add_parser("demo", parents=[common], help="load the demo company into an empty server")
    sub.add_parser("check", parents=[common], help="database reachable and migrations current")
    return parser


def _open(url: str, *, migrate: bool = True):  # type: ignore[no-untyped-def]
    from sync.server.db.database import ServerDatabase

    db = ServerDatabase(url)
    if migrate:
        db.upgrade()
    return db


def _check(url: str) -> str:
    from sqlalchemy.engine import make_url

    from sync.server.db.database import head_revision

    parsed = make_url(url)
    is_file = parsed.get_backend_name() == "sqlite" and parsed.database
    if is_file and not Path(str(parsed.database)).exists():
        raise CliError(f"no database at {parsed.database}; run `punchclock-server serve` first")
    db = _open(url, migrate=False)
    try:
        current, head = db.current_revision(), head_revision()
    finally:
        db.dispose()
    if current != head:
        raise CliError(f"migrations not current: database at {current or 'none'}, code at {head}")
    return f"ok: database reachable, schema at {head}"


def run(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    url = args.database or default_database_url()
    if args.command == "check":
        print(_check(url))
        return 0
    if args.command == "serve":
        import uvicorn

        from sync.server.app import WORKER_DATABASE_ENV, create_app

        if not 1 <= args.workers <= 64:
            raise CliError("--workers must be between 1 and 64")
        where = f"http://{args.host}:{args.port} ({url.split('://')[0]}"
        if args.workers == 1:
            app = create_app(url)
            print(f"Punchclock server on {where})")
            uvicorn.run(app, host=args.host, port=args.port, log_level="info")
            return 0
        _open(url).dispose()  # migrate once, before the workers start
        os.environ[WORKER_DATABASE_ENV] = url
        print(f"Punchclock server on {where}, {args.workers} workers)", flush=True)
        uvicorn.run(
            "sync.server.app:app_from_environment",
            factory=True,
            host=args.host,
            port=args.port,
            workers=args.workers,
            log_level="info",
        )
        return 0
    from sync.server import admin

    db = _open(url)
    try:
        if args.command == "user":
            password = sys.stdin.readline().rstrip("\r\n")
            user_id = admin.add_user(
                db,
                args.email,
                name=args.name,
                role=args.role,
                password=password,
                team=args.team,
                timezone=args.timezone,
            )
            print(f"added {args.role} {args.email} ({user_id})")
        elif args.command == "team":
            team_id = admin.add_team(db, args.name, manager=args.manager)
            print(f"added team {args.name} ({team_id})")
        elif args.command == "demo":
            password = secrets.token_urlsafe(9)
            counts = admin.load_demo(db, password)
            listed = ", ".join(f"{v} {k}" for k, v in counts.items())
            print(f"demo company loaded: {listed}")
            print(f"every demo user's password (shown once): {password}")
    finally:
        db.dispose()
    return 0


def main(argv: Sequence[str] | None = None) -> None:
    from sqlalchemy.exc import SQLAlchemyError

    from sync.server.db.database import DatabaseError

    try:
        code = run(argv)
    except (CliError, PunchclockError, DatabaseError) as exc:
        print(f"punchclock-server: {exc}", file=sys.stderr)
        code = 1
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        print(f"punchclock-server: database error: {reason}", file=sys.stderr)
        code = 1
    except OSError as exc:
        print(f"punchclock-server: {exc.strerror or exc}", file=sys.stderr)
        code = 1
    except KeyboardInterrupt:
        code = 130
    sys.exit(code)


if __name__ == "__main__":
    main()
