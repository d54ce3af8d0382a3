"""The authorization matrix: one policy for single records, lists, changes and pushes."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from server_world import World, entry_mutation


def _tom_entry(world: World) -> str:
    h = world.login("tom")
    m = entry_mutation(world.ids["tom"], world.ids["acme"])
    assert world.push(h, "tom-laptop", m)[0]["status"] == "applied"
    return str(m["entity_id"])


def _sees(world: World, who: str, entry_id: str) -> dict[str, bool]:
    h = world.login(who)
    single = world.client.get(f"/api/v1/records/time_entry/{entry_id}", headers=h)
    listed = world.client.get(
        "/api/v1/records/time_entry", params={"user_id": world.ids["tom"]}, headers=h
    ).json()["records"]
    changes = world.client.get("/api/v1/sync/changes", params={"since": 0}, headers=h).json()
    return {
        "by_id": single.status_code == 200,
        "by_list": any(r["entity_id"] == entry_id for r in listed),
        "by_changes": any(c["entity_id"] == entry_id for c in changes["changes"]),
    }


@pytest.mark.parametrize(
    ("reader", "allowed"),
    [
        ("tom", True),  # owner
        ("tia", False),  # technician, same team
        ("sue", False),  # technician, other team
        ("mia", True),  # manager of Tom's team
        ("sam", False),  # manager of another team
        ("admin", True),
    ],
)
def test_who_reads_toms_entry(world: World, reader: str, allowed: bool) -> None:
    entry_id = _tom_entry(world)
    expected = dict.fromkeys(("by_id", "by_list", "by_changes"), allowed)
    assert _sees(world, reader, entry_id) == expected


def test_denied_single_record_is_a_clean_404(world: World) -> None:
    entry_id = _tom_entry(world)
    r = world.client.get(f"/api/v1/records/time_entry/{entry_id}", headers=world.login("sue"))
    assert r.status_code == 404
    assert r.json()["code"] == "not_found"


def _action(user_id: str, action: str, seq: int = 1, **extra: Any) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()), "seq": seq, "entity": "timesheet", "op": "action",
        "entity_id": str(uuid.uuid4()), "base_version": 0,
        "data": {"action": action, "user_id": user_id, "week_start": "2026-11-23", **extra},
    }  # fmt: skip


@pytest.mark.parametrize(
    ("actor", "action", "expected"),
    [
        ("tom", "approve", "forbidden"),  # own week
        ("sam", "approve", "forbidden"),  # manager of another team
        ("tia", "approve", "forbidden"),  # a technician
        ("sue", "reject", "forbidden"),
        ("mia", "submit", "forbidden"),  # nobody submits for someone else
        ("mia", "approve", None),  # the team's manager
    ],
)
def test_workflow_matrix(world: World, actor: str, action: str, expected: str | None) -> None:
    _tom_entry(world)
    tom = world.login("tom")
    assert world.push(tom, "tom-laptop", _action(world.ids["tom"], "submit", 2))[0]["status"] == (
        "applied"
    )
    results = world.push(world.login(actor), f"{actor}-laptop", _action(world.ids["tom"], action))
    if expected is None:
        assert results[0]["status"] == "applied"
        assert results[0]["server_copy"]["status"] == "approved"
    else:
        assert (results[0]["status"], results[0]["code"]) == ("rejected", expected)


@pytest.mark.parametrize("who", ["tom", "tia", "sue"])
def test_technicians_never_see_cost_rates(world: World, who: str) -> None:
    h = world.login(who)
    cost = world.ids["rate_cost"]
    changes = world.client.get("/api/v1/sync/changes", headers=h).json()["changes"]
    assert all(c["data"].get("kind") != "cost" for c in changes if c["entity"] == "rate")
    listed = world.client.get("/api/v1/records/rate", headers=h).json()["records"]
    assert all(r["data"]["kind"] != "cost" for r in listed)
    assert world.client.get(f"/api/v1/records/rate/{cost}", headers=h).status_code == 404
    # not through an error's server copy either
    update = {
        "id": str(uuid.uuid4()), "seq": 1, "entity": "rate", "op": "update", "entity_id": cost,
        "base_version": 1, "data": {"amount_minor": 1}, "fields": ["amount_minor"],
    }  # fmt: skip
    result = world.push(h, f"{who}-laptop", update)[0]
    assert result["status"] == "rejected" and result["server_copy"] is None
    assert "4500" not in str(result)


@pytest.mark.parametrize("who", ["mia", "admin"])
def test_managers_and_admins_see_cost_rates(world: World, who: str) -> None:
    h = world.login(who)
    changes = world.client.get("/api/v1/sync/changes", headers=h).json()["changes"]
    assert any(c["entity_id"] == world.ids["rate_cost"] for c in changes)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("rejection_reason", "I approve of myself"),
        ("exported_at", "2026-11-25T10:00:00+00:00"),
    ],
)
def test_push_cannot_set_server_owned_entry_fields(world: World, field: str, value: str) -> None:
    h = world.login("tom")
    result = world.push(
        h, "tom-laptop", entry_mutation(world.ids["tom"], world.ids["acme"], **{field: value})
    )[0]
    assert (result["status"], result["code"]) == ("rejected", "forbidden")


def test_push_cannot_log_time_for_someone_else(world: World) -> None:
    h = world.login("tom")
    result = world.push(h, "tom-laptop", entry_mutation(world.ids["tia"], world.ids["acme"]))[0]
    assert (result["status"], result["code"]) == ("rejected", "forbidden")


def test_push_cannot_set_a_timesheet_status(world: World) -> None:
    h = world.login("tom")
    sheet = {
        "id": str(uuid.uuid4()), "seq": 1, "entity": "timesheet", "op": "create",
        "entity_id": str(uuid.uuid4()), "base_version": 0,
        "data": {"user_id": world.ids["tom"], "week_start": "2026-11-23", "status": "approved"},
    }  # fmt: skip
    result = world.push(h, "tom-laptop", sheet)[0]
    assert (result["status"], result["code"]) == ("rejected", "forbidden")


def test_push_cannot_move_an_entry_to_someone_else_or_set_version(world: World) -> None:
    entry_id = _tom_entry(world)
    h = world.login("tom")
    for n, (fields, data) in enumerate(
        [(["user_id"], {"user_id": world.ids["tia"]}), (["version"], {"version": 7})], start=2
    ):
        m = {
            "id": str(uuid.uuid4()), "seq": n, "entity": "time_entry", "op": "update",
            "entity_id": entry_id, "base_version": 1, "data": data, "fields": fields,
        }  # fmt: skip
        result = world.push(h, "tom-laptop", m)[0]
        assert (result["status"], result["code"]) == ("rejected", "forbidden"), result


@pytest.mark.parametrize(
    ("who", "entity", "allowed"),
    [
        ("tom", "customer", False),
        ("mia", "customer", True),
        ("tom", "task", True),
        ("mia", "team", False),
        ("admin", "team", True),
        ("mia", "company_setting", False),
        ("admin", "company_setting", True),
    ],
)
def test_reference_data_by_role(world: World, who: str, entity: str, allowed: bool) -> None:
    data: dict[str, Any] = {
        "customer": {"name": "Globex", "is_internal": False, "default_billable": True,
                     "round_increment_min": 0, "round_minimum_min": 0, "active": True},
        "task": {"customer_id": world.ids["acme"], "title": "Ticket 4521", "status": "open"},
        "team": {"name": "East"},
        "company_setting": {"key": "description_policy", "value": {"min_length": 5}},
    }[entity]  # fmt: skip
    key = "description_policy" if entity == "company_setting" else str(uuid.uuid4())
    m = {"id": str(uuid.uuid4()), "seq": 1, "entity": entity, "op": "create", "entity_id": key,
         "base_version": 0, "data": data}  # fmt: skip
    result = world.push(world.login(who), f"{who}-laptop", m)[0]
    assert result["status"] == ("applied" if allowed else "rejected"), result
    if not allowed:
        assert result["code"] == "forbidden"
