"""Push semantics: idempotency, merges and conflicts, tombstones, locked weeks,
running timers and the workflow actions."""

from __future__ import annotations

import uuid
from typing import Any

from server_world import World, entry_mutation
from sqlalchemy import func, select

from sync.server.db.models import ENTITY_TABLES


def _update(entry_id: str, base: int, seq: int, **data: Any) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()), "seq": seq, "entity": "time_entry", "op": "update",
        "entity_id": entry_id, "base_version": base, "data": data, "fields": sorted(data),
    }  # fmt: skip


def _delete(entry_id: str, base: int, seq: int) -> dict[str, Any]:
    return {"id": str(uuid.uuid4()), "seq": seq, "entity": "time_entry", "op": "delete",
            "entity_id": entry_id, "base_version": base, "data": {}}  # fmt: skip


def _action(world: World, action: str, seq: int, **extra: Any) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()), "seq": seq, "entity": "timesheet", "op": "action",
        "entity_id": str(uuid.uuid4()), "base_version": 0,
        "data": {"action": action, "user_id": world.ids["tom"], "week_start": "2026-11-23",
                 **extra},
    }  # fmt: skip


def _count(world: World, entity: str) -> int:
    t = ENTITY_TABLES[entity]
    with world.db.read() as conn:
        return int(conn.scalar(select(func.count()).select_from(t)) or 0)


def test_same_mutation_twice_is_one_row_one_version(world: World) -> None:
    h = world.login("tom")
    m = entry_mutation(world.ids["tom"], world.ids["acme"])
    first = world.push(h, "tom-laptop", m)[0]
    second = world.push(h, "tom-laptop", m)[0]
    assert first["status"] == "applied" and second["status"] == "duplicate"
    assert first["version"] == second["version"] == 1
    assert _count(world, "time_entry") == 1
    upd = _update(m["entity_id"], 1, 2, description="Replaced the failing backup disk again")
    assert [r["status"] for r in world.push(h, "tom-laptop", upd, upd)] == [
        "applied",
        "duplicate",
    ]
    rec = world.client.get(f"/api/v1/records/time_entry/{m['entity_id']}", headers=h).json()
    assert rec["version"] == 2


def test_one_bad_item_never_blocks_the_rest(world: World) -> None:
    h = world.login("tom")
    good1 = entry_mutation(world.ids["tom"], world.ids["acme"], seq=1)
    bad = entry_mutation(world.ids["tom"], "no-such-customer", seq=2)
    good2 = entry_mutation(world.ids["tom"], world.ids["acme"], seq=3, work_date="2026-11-24")
    results = world.push(h, "tom-laptop", good1, bad, good2)
    assert [r["status"] for r in results] == ["applied", "rejected", "applied"]
    assert results[1]["code"] == "validation"


def test_disjoint_fields_merge_same_field_conflicts(world: World) -> None:
    h1, h2 = world.login("tom", "tom-laptop"), world.login("tom", "tom-desktop")
    m = entry_mutation(world.ids["tom"], world.ids["acme"])
    eid = m["entity_id"]
    world.push(h1, "tom-laptop", m)
    a = world.push(h1, "tom-laptop", _update(eid, 1, 2, description="Backup disk swapped, RAID ok"))
    assert a[0]["status"] == "applied" and a[0]["version"] == 2
    b = world.push(h2, "tom-desktop", _update(eid, 1, 1, duration_s=5400))
    assert b[0]["status"] == "applied" and b[0]["merged"] is True
    assert b[0]["server_copy"]["description"] == "Backup disk swapped, RAID ok"
    assert b[0]["server_copy"]["duration_s"] == 5400
    c = world.push(h2, "tom-desktop", _update(eid, 1, 2, description="Other text entirely here"))
    assert (c[0]["status"], c[0]["code"]) == ("conflict", "version_conflict")
    assert c[0]["server_copy"]["description"] == "Backup disk swapped, RAID ok"


def test_a_stale_edit_that_agrees_with_the_server_is_no_conflict(world: World) -> None:
    """Two timers started offline: the server stops the first when the second
    arrives; the laptop's own stop of the first, pushed next on the old base,
    says the same and is merged, not reported as a conflict."""
    h = world.login("tom")
    first, second = (
        entry_mutation(
            world.ids["tom"], world.ids["acme"], seq=seq, work_date="2026-11-25", duration_s=0,
            started_at=f"2026-11-25T09:0{minute}:00+00:00", source="timer",
        )
        for seq, minute in ((1, 6), (2, 7))
    )  # fmt: skip
    assert [r["version"] for r in world.push(h, "tom-laptop", first, second)] == [1, 1]
    stop = {
        "id": str(uuid.uuid4()), "seq": 3, "entity": "time_entry", "op": "update",
        "entity_id": first["entity_id"], "base_version": 1,
        "fields": ["duration_s", "ended_at", "updated_at"],
        "data": {**first["data"], "ended_at": "2026-11-25T09:07:00+00:00", "duration_s": 60,
                 "updated_at": "2026-11-25T09:07:00+00:00"},
    }  # fmt: skip
    [r] = world.push(h, "tom-laptop", stop)
    assert (r["status"], r["merged"]) == ("applied", True), r
    assert (r["server_copy"]["duration_s"], r["server_copy"]["ended_at"][:19]) == (
        60, "2026-11-25T09:07:00",
    )  # fmt: skip
    # A stale edit that wants another value for a field changed meanwhile still conflicts.
    later = {**stop["data"], "ended_at": "2026-11-25T09:08:00+00:00", "duration_s": 120}
    other = {**stop, "id": str(uuid.uuid4()), "seq": 4, "data": later}
    [c] = world.push(h, "tom-laptop", other)
    assert (c["status"], c["code"]) == ("conflict", "version_conflict"), c


def test_deleted_entry_never_resurrects(world: World) -> None:
    h1, h2 = world.login("tom", "tom-laptop"), world.login("tom", "tom-desktop")
    m = entry_mutation(world.ids["tom"], world.ids["acme"])
    eid = m["entity_id"]
    world.push(h1, "tom-laptop", m)
    assert world.push(h1, "tom-laptop", _delete(eid, 1, 2))[0]["status"] == "applied"
    edit = world.push(h2, "tom-desktop", _update(eid, 1, 1, duration_s=60))[0]
    assert edit["status"] == "conflict" and edit["server_copy"]["deleted_at"] is not None
    again = world.push(h2, "tom-desktop", _delete(eid, 2, 2))[0]
    assert again["status"] == "conflict"
    changes = world.client.get("/api/v1/sync/changes", headers=h2).json()["changes"]
    mine = [c for c in changes if c["entity_id"] == eid]
    assert mine and mine[-1]["deleted"] is True


def test_workflow_through_push_and_locked_edits(world: World) -> None:
    tom, mia = world.login("tom"), world.login("mia")
    m = entry_mutation(world.ids["tom"], world.ids["acme"])
    eid = m["entity_id"]
    world.push(tom, "tom-laptop", m)
    submitted = world.push(tom, "tom-laptop", _action(world, "submit", 2))[0]
    assert submitted["status"] == "applied", submitted
    locked = world.push(tom, "tom-laptop", _update(eid, 1, 3, duration_s=7200))[0]
    assert (locked["status"], locked["code"]) == ("rejected", "locked")
    assert locked["server_copy"]["duration_s"] == 3600
    rejected = world.push(
        mia, "mia-laptop",
        _action(world, "reject", 1, comment="Split it", entry_reasons={eid: "Which ticket?"}),
    )[0]  # fmt: skip
    assert rejected["status"] == "applied" and rejected["server_copy"]["status"] == "rejected"
    entry = world.client.get(f"/api/v1/records/time_entry/{eid}", headers=tom).json()
    assert entry["data"]["rejection_reason"] == "Which ticket?"
    # the same edit, pushed again now that the week is rejected, goes through
    retried = world.push(tom, "tom-laptop", _update(eid, 2, 3, duration_s=7200))[0]
    assert retried["status"] == "applied"
    entry = world.client.get(f"/api/v1/records/time_entry/{eid}", headers=tom).json()
    assert entry["data"]["rejection_reason"] is None and entry["data"]["duration_s"] == 7200
    with world.db.read() as conn:
        events = list(conn.execute(select(ENTITY_TABLES["timesheet_event"])).mappings())
    assert [e["action"] for e in sorted(events, key=lambda e: e["revision"])] == [
        "submit",
        "reject",
    ]
    assert all(len(e["content_hash"]) == 64 for e in events)


def test_submit_validates_with_the_servers_entries(world: World) -> None:
    tom = world.login("tom")
    world.push(
        tom, "tom-laptop", entry_mutation(world.ids["tom"], world.ids["acme"], description="stuff")
    )
    result = world.push(tom, "tom-laptop", _action(world, "submit", 2))[0]
    assert (result["status"], result["code"]) == ("rejected", "validation")
    assert "vague" in result["message"]


def test_recall_and_state_errors(world: World) -> None:
    tom = world.login("tom")
    world.push(tom, "tom-laptop", entry_mutation(world.ids["tom"], world.ids["acme"]))
    assert world.push(tom, "tom-laptop", _action(world, "recall", 2))[0]["code"] == "invalid_state"
    assert world.push(tom, "tom-laptop", _action(world, "submit", 3))[0]["status"] == "applied"
    assert world.push(tom, "tom-laptop", _action(world, "recall", 4))[0]["status"] == "applied"


def test_later_start_stops_the_earlier_timer(world: World) -> None:
    h1, h2 = world.login("tom", "tom-laptop"), world.login("tom", "tom-desktop")
    early = entry_mutation(world.ids["tom"], world.ids["acme"], duration_s=0, source="timer",
                           started_at="2026-11-23T09:00:00+00:00")  # fmt: skip
    late = entry_mutation(world.ids["tom"], world.ids["acme"], duration_s=0, source="timer",
                          started_at="2026-11-23T10:30:00+00:00")  # fmt: skip
    # the later start arrives first; the earlier start, pushed afterwards, is stopped by it
    assert world.push(h2, "tom-desktop", late)[0]["status"] == "applied"
    assert world.push(h1, "tom-laptop", early)[0]["status"] == "applied"
    rows = {
        r["entity_id"]: r["data"]
        for r in world.client.get("/api/v1/records/time_entry", headers=h1).json()["records"]
    }
    assert rows[early["entity_id"]]["ended_at"] == "2026-11-23T10:30:00+00:00"
    assert rows[early["entity_id"]]["duration_s"] == 5400
    assert rows[late["entity_id"]]["ended_at"] is None
