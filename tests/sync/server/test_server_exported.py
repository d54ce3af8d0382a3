"""The accounting stamp on the server: ``exported_at`` is accepted from admins
only (on anyone's entry, in a locked week too), and an exported entry is
locked for everyone else."""

from __future__ import annotations

import uuid
from typing import Any

from server_world import World, entry_mutation

STAMP = "2026-11-30T09:00:00+00:00"


def _update(entry_id: str, base: int, seq: int, **data: Any) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()), "seq": seq, "entity": "time_entry", "op": "update",
        "entity_id": entry_id, "base_version": base, "data": data, "fields": sorted(data),
    }  # fmt: skip


def _submit(world: World, seq: int) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()), "seq": seq, "entity": "timesheet", "op": "action",
        "entity_id": str(uuid.uuid4()), "base_version": 0,
        "data": {"action": "submit", "user_id": world.ids["tom"], "week_start": "2026-11-23"},
    }  # fmt: skip


def test_only_admins_stamp_and_exported_entries_are_locked(world: World) -> None:
    tom, mia, ada = world.login("tom"), world.login("mia"), world.login("admin")
    m = entry_mutation(world.ids["tom"], world.ids["acme"])
    eid = m["entity_id"]
    assert world.push(tom, "tom-laptop", m)[0]["status"] == "applied"
    own = world.push(tom, "tom-laptop", _update(eid, 1, 2, exported_at=STAMP))[0]
    assert (own["status"], own["code"]) == ("rejected", "forbidden")
    boss = world.push(mia, "mia-laptop", _update(eid, 1, 1, exported_at=STAMP))[0]
    assert (boss["status"], boss["code"]) == ("rejected", "forbidden")
    assert world.push(tom, "tom-laptop", _submit(world, 3))[0]["status"] == "applied"
    stamped = world.push(ada, "admin-laptop", _update(eid, 1, 1, exported_at=STAMP))[0]
    assert stamped["status"] == "applied", stamped  # anyone's entry, in a submitted week
    record = world.client.get(f"/api/v1/records/time_entry/{eid}", headers=tom).json()
    assert record["data"]["exported_at"].startswith("2026-11-30T09:00:00")
    # an admin's stamp can't carry other changes past the owner rule
    mixed = world.push(ada, "admin-laptop", _update(eid, 2, 2, exported_at=None, duration_s=60))[0]
    assert (mixed["status"], mixed["code"]) == ("rejected", "forbidden")
    # the owner can't unlock it, nor (once the week is open again) edit it
    unlock = world.push(tom, "tom-laptop", _update(eid, 2, 4, exported_at=None))[0]
    assert (unlock["status"], unlock["code"]) == ("rejected", "forbidden")
    recall = _submit(world, 5)
    recall["data"]["action"] = "recall"
    assert world.push(tom, "tom-laptop", recall)[0]["status"] == "applied"
    edit = world.push(tom, "tom-laptop", _update(eid, 2, 6, duration_s=7200))[0]
    assert (edit["status"], edit["code"]) == ("rejected", "locked")
    cleared = world.push(ada, "admin-laptop", _update(eid, 2, 3, exported_at=None))[0]
    assert cleared["status"] == "applied"
    again = world.push(tom, "tom-laptop", _update(eid, 3, 7, duration_s=7200))[0]
    assert again["status"] == "applied"
