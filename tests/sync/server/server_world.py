"""The server suite's shared world: a company to act in and mutation builders."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from fastapi.testclient import TestClient

from sync.server import admin
from sync.server.app import create_app
from sync.server.db.database import ServerDatabase

PASSWORD = "correct horse battery"


@dataclass
class World:
    """A server app with a small company: admin; team North (manager Mia, techs
    Tom and Tia); team South (manager Sam, tech Sue); customer ACME with a
    project; billing and cost rates for Tom."""

    client: TestClient
    db: ServerDatabase
    ids: dict[str, str] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)

    def login(self, who: str, device: str | None = None) -> dict[str, str]:
        device = device or f"{who}-laptop"
        r = self.client.post(
            "/api/v1/auth/login",
            json={"email": f"{who}@x.test", "password": PASSWORD, "device_name": device,
                  "device_id": device},
        )  # fmt: skip
        assert r.status_code == 200, r.text
        self.tokens[device] = r.json()["token"]
        return {"Authorization": f"Bearer {r.json()['token']}"}

    def push(self, headers: dict[str, str], device: str, *mutations: dict[str, Any]) -> Any:
        r = self.client.post(
            "/api/v1/sync/push", json={"device_id": device, "mutations": list(mutations)},
            headers=headers,
        )  # fmt: skip
        assert r.status_code == 200, r.text
        return r.json()["results"]


def entry_mutation(
    user_id: str,
    customer_id: str,
    *,
    entry_id: str | None = None,
    seq: int = 1,
    work_date: str = "2026-11-23",
    duration_s: int = 3600,
    description: str = "Replaced the failing backup disk",
    **extra: Any,
) -> dict[str, Any]:
    entry_id = entry_id or str(uuid.uuid4())
    return {
        "id": str(uuid.uuid4()), "seq": seq, "entity": "time_entry", "op": "create",
        "entity_id": entry_id, "base_version": 0,
        "data": {"id": entry_id, "user_id": user_id, "customer_id": customer_id,
                 "work_date": work_date, "duration_s": duration_s, "description": description,
                 "billable": True, "source": "manual", **extra},
    }  # fmt: skip


def make_world(url: str, **app_kwargs: Any) -> World:
    app = create_app(url, **app_kwargs)
    db: ServerDatabase = app.state.db
    ids: dict[str, str] = {}
    ids["admin"] = admin.add_user(db, "admin@x.test", name="Ada", role="admin", password=PASSWORD)
    ids["mia"] = admin.add_user(db, "mia@x.test", name="Mia", role="manager", password=PASSWORD)
    ids["sam"] = admin.add_user(db, "sam@x.test", name="Sam", role="manager", password=PASSWORD)
    ids["north"] = admin.add_team(db, "North", manager="mia@x.test")
    ids["south"] = admin.add_team(db, "South", manager="sam@x.test")
    for who, team in (("tom", "North"), ("tia", "North"), ("sue", "South")):
        ids[who] = admin.add_user(
            db, f"{who}@x.test", name=who.title(), role="technician", password=PASSWORD, team=team
        )
    ids["acme"] = admin.add_row(
        db, "customer",
        {"name": "ACME", "is_internal": False, "default_billable": True,
         "round_increment_min": 6, "round_minimum_min": 0, "active": True},
    )  # fmt: skip
    ids["acme_proj"] = admin.add_row(
        db, "project", {"customer_id": ids["acme"], "name": "Server migration", "active": True}
    )
    for kind, amount in (("billing", 12000), ("cost", 4500)):
        ids[f"rate_{kind}"] = admin.add_row(
            db, "rate",
            {"user_id": ids["tom"], "kind": kind, "amount_minor": amount, "currency": "EUR",
             "effective_from": date(2026, 1, 1)},
        )  # fmt: skip
    return World(TestClient(app), db, ids)
