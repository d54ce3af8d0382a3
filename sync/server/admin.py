"""Administration outside the API (the CLI and test helpers): users with
passwords, teams, reference rows, the demo company. Every row goes through
:class:`sync.server.rows.RowWriter`, so it is versioned and pulled like any
pushed change.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from desktop.core.errors import NotFound, ValidationError
from desktop.core.permissions import ROLES, can_lead_team
from desktop.core.timeutil import utcnow, zone
from sync.server.auth import set_password
from sync.server.db.database import ServerDatabase
from sync.server.db.models import ENTITY_TABLES
from sync.server.rows import RowWriter, get_row

DEFAULT_SCHEDULE = [8 * 3600] * 5 + [0, 0]
_user = ENTITY_TABLES["user"]
_team = ENTITY_TABLES["team"]


def _find_user(conn: Any, email: str) -> dict[str, Any]:
    row = (
        conn.execute(select(_user).where(func.lower(_user.c.email) == email.strip().lower()))
        .mappings()
        .first()
    )
    if row is None:
        raise NotFound(f'no user "{email}"')
    return dict(row)


def _find_team(conn: Any, ref: str) -> dict[str, Any]:
    row = (
        conn.execute(select(_team).where((_team.c.id == ref) | (_team.c.name == ref)))
        .mappings()
        .first()
    )
    if row is None:
        raise NotFound(f'no team "{ref}"')
    return dict(row)


def add_user(
    db: ServerDatabase,
    email: str,
    *,
    name: str,
    role: str,
    password: str,
    team: str | None = None,
    timezone: str = "UTC",
    now: datetime | None = None,
) -> str:
    """Create a user with a password; returns its id."""
    email = email.strip().lower()
    if "@" not in email or len(email) > 320:
        raise ValidationError(f'"{email}" is not an email address')
    if role not in ROLES:
        raise ValidationError(f"role must be one of {', '.join(ROLES)}")
    if len(password) < 8:
        raise ValidationError("the password needs at least 8 characters")
    if not name.strip():
        raise ValidationError("a user needs a name")
    zone(timezone)
    now = now or utcnow()
    with db.write() as conn:
        if conn.scalar(select(_user.c.id).where(func.lower(_user.c.email) == email)):
            raise ValidationError(f'a user "{email}" already exists')
        team_id = _find_team(conn, team)["id"] if team else None
        user_id = str(uuid.uuid4())
        RowWriter(conn, now).create(
            "user",
            user_id,
            {
                "name": name.strip(),
                "email": email,
                "role": role,
                "team_id": team_id,
                "work_schedule": DEFAULT_SCHEDULE,
                "utilization_target": 75,
                "timezone": timezone,
                "first_weekday": 0,
                "active": True,
            },
        )
        set_password(conn, user_id, password, now)
    return user_id


def add_team(db: ServerDatabase, name: str, *, manager: str | None = None) -> str:
    """Create a team (its manager by email: a manager or an admin); returns its id."""
    if not name.strip():
        raise ValidationError("a team needs a name")
    with db.write() as conn:
        if conn.scalar(select(_team.c.id).where(_team.c.name == name.strip())):
            raise ValidationError(f'a team "{name}" already exists')
        boss = _find_user(conn, manager) if manager else None
        if boss is not None and not can_lead_team(boss["role"]):
            raise ValidationError(f"{boss['email']} is a {boss['role']}; a team needs a manager")
        manager_id = boss["id"] if boss is not None else None
        team_id = str(uuid.uuid4())
        RowWriter(conn, utcnow()).create(
            "team", team_id, {"name": name.strip(), "manager_id": manager_id}
        )
    return team_id


def set_user_team(db: ServerDatabase, email: str, team: str | None) -> None:
    with db.write() as conn:
        user = _find_user(conn, email)
        team_id = _find_team(conn, team)["id"] if team else None
        RowWriter(conn, utcnow()).save("user", user, {"team_id": team_id})


def add_row(db: ServerDatabase, entity: str, values: dict[str, Any], key: str | None = None) -> str:
    """Create any synced row (customers, projects, tasks, rates…) as the server."""
    key = key or str(uuid.uuid4())
    with db.write() as conn:
        RowWriter(conn, utcnow()).create(entity, key, values)
    return key


def set_password_for(db: ServerDatabase, email: str, password: str) -> None:
    with db.write() as conn:
        set_password(conn, _find_user(conn, email)["id"], password, utcnow())


def user_exists(db: ServerDatabase, user_id: str) -> bool:
    with db.read() as conn:
        return get_row(conn, "user", user_id) is not None


# ------------------------------------------------------------------ demo

_DEMO_ORDER = (
    "customer",
    "project",
    "task",
    "team",
    "user",
    "rate",
    "holiday",
    "company_setting",
    "time_entry",
    "timesheet",
    "timesheet_event",
)


def load_demo(db: ServerDatabase, password: str) -> dict[str, int]:
    """The desktop's demo company (:func:`desktop.core.demo.load_demo`, same
    generators and workflow history), built in a throwaway local store and copied
    row for row into an empty server; every user gets ``password``."""
    import tempfile
    from pathlib import Path

    from desktop.core.app import Punchclock
    from desktop.core.demo import load_demo as build_demo
    from desktop.core.model import SYNCED_ENTITIES, CompanySetting

    with db.read() as conn:
        if conn.scalar(select(func.count()).select_from(_user)):
            raise ValidationError("this server already has users; the demo goes into an empty one")
    sources = {**SYNCED_ENTITIES, "company_setting": CompanySetting}
    with tempfile.TemporaryDirectory(prefix="punchclock-demo-") as tmp:
        local = Punchclock.open(Path(tmp))
        try:
            counts = build_demo(local)
            with local.db.read() as s:
                rows = {
                    name: [dict(r) for r in s.execute(select(sources[name].__table__)).mappings()]  # type: ignore[attr-defined]
                    for name in _DEMO_ORDER
                }
        finally:
            local.close()
    now = utcnow()
    skip = {"id", "key", "version", "updated_at", "deleted_at"}
    with db.write() as conn:
        writer = RowWriter(conn, now)
        managers: dict[str, str | None] = {}
        for name in _DEMO_ORDER:
            for row in rows[name]:
                key = row["key"] if name == "company_setting" else row["id"]
                values = {k: v for k, v in row.items() if k not in skip}
                if name == "team":
                    managers[key] = values.pop("manager_id")
                writer.create(name, key, values)
            if name == "user":
                for team_id, manager_id in managers.items():
                    team = get_row(conn, "team", team_id)
                    assert team is not None
                    writer.save("team", team, {"manager_id": manager_id})
                for row in rows["user"]:
                    set_password(conn, row["id"], password, now)
    return counts
