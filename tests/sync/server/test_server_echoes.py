"""Pull without echoes: a device that asks for it is not sent back the rows it
pushed itself — the push result carried the server's full copy — while every
other device is, and a later change by anyone else comes back to it."""

from __future__ import annotations

import uuid
from typing import Any

from server_world import World, entry_mutation


def _pull(world: World, headers: dict[str, str], since: int = 0, **params: Any) -> Any:
    r = world.client.get("/api/v1/sync/changes", params={"since": since, **params}, headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


def _ids(page: Any, entity: str = "time_entry") -> list[str]:
    return [c["entity_id"] for c in page["changes"] if c["entity"] == entity]


def test_push_result_carries_the_servers_copy(world: World) -> None:
    h = world.login("tom")
    m = entry_mutation(world.ids["tom"], world.ids["acme"], description="  Swapped the disk  ")
    [result] = world.push(h, "tom-laptop", m)
    copy = result["server_copy"]
    assert result["status"] == "applied" and copy is not None
    record = world.client.get(f"/api/v1/records/time_entry/{m['entity_id']}", headers=h).json()
    assert copy == record["data"]
    assert copy["description"] == "Swapped the disk"  # normalized by the server
    assert copy["version"] == 1 and copy["updated_at"] is not None
    [again] = world.push(h, "tom-laptop", m)
    assert again["status"] == "duplicate" and again["server_copy"] == copy


def test_own_pushes_are_left_out_when_asked(world: World) -> None:
    laptop, desktop = world.login("tom", "tom-laptop"), world.login("tom", "tom-desktop")
    start = _pull(world, laptop)["cursor"]
    mine = entry_mutation(world.ids["tom"], world.ids["acme"])
    world.push(laptop, "tom-laptop", mine)
    eid = mine["entity_id"]

    page = _pull(world, laptop, start, echoes="false")
    assert _ids(page) == [] and page["cursor"] > start  # the cursor still moves past it
    assert _ids(_pull(world, laptop, start)) == [eid]  # echoes by default
    assert _ids(_pull(world, desktop, start, echoes="false")) == [eid]

    edit = {
        "id": str(uuid.uuid4()), "seq": 1, "entity": "time_entry", "op": "update",
        "entity_id": eid, "base_version": 1, "data": {"duration_s": 5400},
        "fields": ["duration_s"],
    }  # fmt: skip
    assert world.push(desktop, "tom-desktop", edit)[0]["status"] == "applied"
    after = _pull(world, laptop, page["cursor"], echoes="false")
    assert [(c["entity_id"], c["version"]) for c in after["changes"]] == [(eid, 2)]
    assert _ids(_pull(world, desktop, page["cursor"], echoes="false")) == []


def test_rows_changed_on_the_side_are_pulled(world: World) -> None:
    """A running timer stopped by the later start on the server: that row is
    not in the push result, so the pushing device pulls it."""
    h = world.login("tom")
    start = _pull(world, h)["cursor"]
    first = entry_mutation(
        world.ids["tom"], world.ids["acme"], seq=1, work_date="2026-11-23", duration_s=0,
        started_at="2026-11-23T08:00:00+00:00",
    )  # fmt: skip
    second = entry_mutation(
        world.ids["tom"], world.ids["acme"], seq=2, work_date="2026-11-23", duration_s=0,
        started_at="2026-11-23T09:00:00+00:00",
    )  # fmt: skip
    results = world.push(h, "tom-laptop", first, second)
    assert [r["status"] for r in results] == ["applied", "applied"]
    changes = _pull(world, h, start, echoes="false")["changes"]
    assert [(c["entity_id"], c["version"]) for c in changes] == [(first["entity_id"], 2)]
    assert changes[0]["data"]["ended_at"] is not None
