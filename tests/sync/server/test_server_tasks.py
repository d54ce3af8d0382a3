"""Tasks nobody can take from others: a technician opens tasks and changes
only the ones they opened while nobody else logged time on them; managers and
admins rename and archive any; a task in use is never deleted; an entry whose
task was archived (or, in older data, deleted) stays editable by its owner."""

from __future__ import annotations

import uuid
from typing import Any

from server_world import World, entry_mutation

from desktop.core.timeutil import utcnow
from sync.server.rows import RowWriter, get_row


def _task_create(world: World, seq: int = 1, **extra: Any) -> dict[str, Any]:
    task_id = str(uuid.uuid4())
    data = {"customer_id": world.ids["acme"], "title": "Ticket 4521", "status": "open", **extra}
    return {"id": str(uuid.uuid4()), "seq": seq, "entity": "task", "op": "create",
            "entity_id": task_id, "base_version": 0, "data": data}  # fmt: skip


def _task_change(
    task_id: str, seq: int, base: int, op: str = "update", **data: Any
) -> dict[str, Any]:
    m: dict[str, Any] = {"id": str(uuid.uuid4()), "seq": seq, "entity": "task", "op": op,
                         "entity_id": task_id, "base_version": base, "data": data}  # fmt: skip
    if op == "update":
        m["fields"] = sorted(data)
    return m


def _push(world: World, who: str, *mutations: dict[str, Any]) -> list[dict[str, Any]]:
    return list(world.push(world.login(who), f"{who}-laptop", *mutations))


def _version(world: World, entity: str, key: str) -> int:
    with world.db.read() as conn:
        row = get_row(conn, entity, key)
    assert row is not None
    return int(row["version"])


def _toms_task(world: World) -> str:
    m = _task_create(world)
    assert _push(world, "tom", m)[0]["status"] == "applied"
    return str(m["entity_id"])


def _tia_logs_on(world: World, task_id: str, seq: int = 1) -> str:
    m = entry_mutation(world.ids["tia"], world.ids["acme"], seq=seq, task_id=task_id)
    result = _push(world, "tia", m)[0]
    assert result["status"] == "applied", result
    return str(m["entity_id"])


def test_the_server_records_who_opened_a_task(world: World) -> None:
    task_id = _toms_task(world)
    with world.db.read() as conn:
        row = get_row(conn, "task", task_id)
    assert row is not None and row["created_by"] == world.ids["tom"]
    forged = _task_create(world, seq=2, created_by=world.ids["tia"])
    result = _push(world, "tom", forged)[0]
    assert (result["status"], result["code"]) == ("rejected", "forbidden")
    change = _task_change(task_id, 3, 1, created_by=world.ids["tia"])
    result = _push(world, "admin", change)[0]
    assert (result["status"], result["code"]) == ("rejected", "forbidden")


def test_a_technician_edits_only_the_unused_tasks_he_opened(world: World) -> None:
    task_id = _toms_task(world)
    result = _push(world, "tia", _task_change(task_id, 1, 1, title="Not yours"))[0]
    assert (result["status"], result["code"]) == ("rejected", "forbidden")
    assert _push(world, "tom", _task_change(task_id, 2, 1, title="Ticket 4521 (disk)"))[0][
        "status"
    ] == "applied"
    _tia_logs_on(world, task_id, seq=2)
    for data in ({"title": "Renamed"}, {"status": "archived"}):
        result = _push(world, "tom", _task_change(task_id, 3, 2, **data))[0]
        assert (result["status"], result["code"]) == ("rejected", "forbidden"), data
    result = _push(world, "mia", _task_change(task_id, 1, 2, title="Ticket 4521: backup disk"))[0]
    assert result["status"] == "applied", result
    result = _push(world, "admin", _task_change(task_id, 1, 3, status="archived"))[0]
    assert result["status"] == "applied", result


def test_a_task_in_use_is_never_deleted(world: World) -> None:
    task_id = _toms_task(world)
    _tia_logs_on(world, task_id)
    for n, who in enumerate(("tom", "mia", "admin"), start=5):
        result = _push(world, who, _task_change(task_id, n, 1, op="delete"))[0]
        assert result["status"] == "rejected", (who, result)
        assert "archive it instead" in result["message"]
    with world.db.read() as conn:
        row = get_row(conn, "task", task_id)
    assert row is not None and row["deleted_at"] is None


def test_an_unused_task_is_deleted_by_its_opener(world: World) -> None:
    task_id = _toms_task(world)
    result = _push(world, "tia", _task_change(task_id, 1, 1, op="delete"))[0]
    assert (result["status"], result["code"]) == ("rejected", "forbidden")
    assert _push(world, "tom", _task_change(task_id, 2, 1, op="delete"))[0]["status"] == "applied"


def test_a_technician_can_not_take_a_colleagues_entries_hostage(world: World) -> None:
    """The finding: Tom deletes (or archives) a task Tia's entries use; Tia then
    edits her entry's description. The delete is refused, and once a manager has
    archived the task Tia's edit is still accepted."""
    task_id = _toms_task(world)
    entry_id = _tia_logs_on(world, task_id)
    for n, change in enumerate(
        (_task_change(task_id, 0, 1, op="delete"), _task_change(task_id, 0, 1, status="archived")),
        start=2,
    ):
        change["seq"] = n
        result = _push(world, "tom", change)[0]
        assert result["status"] == "rejected", result
    assert _push(world, "mia", _task_change(task_id, 1, 1, status="archived"))[0][
        "status"
    ] == "applied"
    edit = {"id": str(uuid.uuid4()), "seq": 9, "entity": "time_entry", "op": "update",
            "entity_id": entry_id, "base_version": 1,
            "data": {"description": "Replaced the backup disk and verified the restore"},
            "fields": ["description"]}  # fmt: skip
    result = _push(world, "tia", edit)[0]
    assert result["status"] == "applied", result


def test_an_entry_whose_task_was_deleted_stays_editable(world: World) -> None:
    """Tasks deleted before the rule existed (or by the server's own tools) do not
    lock the entries that refer to them."""
    task_id = _toms_task(world)
    entry_id = _tia_logs_on(world, task_id)
    with world.db.write() as conn:
        task = get_row(conn, "task", task_id)
        assert task is not None
        RowWriter(conn, utcnow()).save("task", task, {"deleted_at": utcnow()})
    edit = {"id": str(uuid.uuid4()), "seq": 4, "entity": "time_entry", "op": "update",
            "entity_id": entry_id, "base_version": _version(world, "time_entry", entry_id),
            "data": {"description": "Replaced the backup disk and verified the restore"},
            "fields": ["description"]}  # fmt: skip
    result = _push(world, "tia", edit)[0]
    assert result["status"] == "applied", result
    # A new reference to the deleted task is still refused.
    fresh = entry_mutation(world.ids["tia"], world.ids["acme"], seq=5, task_id=task_id)
    result = _push(world, "tia", fresh)[0]
    assert (result["status"], result["code"]) == ("rejected", "validation"), result


def test_a_task_belongs_to_a_customer_and_its_project(world: World) -> None:
    other = str(uuid.uuid4())
    m = _task_create(world, customer_id=other)
    assert _push(world, "tom", m)[0]["status"] == "rejected"
    proj = _task_create(world, seq=2, project_id=world.ids["acme_proj"])
    assert _push(world, "tom", proj)[0]["status"] == "applied"


def _change(entity: str, row_id: str, seq: int, base: int, op: str = "delete") -> dict[str, Any]:
    return {"id": str(uuid.uuid4()), "seq": seq, "entity": entity, "op": op,
            "entity_id": row_id, "base_version": base, "data": {}}  # fmt: skip


def test_a_customer_in_use_is_never_deleted_but_an_unused_project_is(world: World) -> None:
    _tia_logs_on(world, _toms_task(world))  # on ACME, no project
    acme = world.ids["acme"]
    result = _push(world, "mia", _change("customer", acme, 1, _version(world, "customer", acme)))
    assert result[0]["status"] == "rejected", result
    assert "has time logged on it; archive it instead" in result[0]["message"]
    project = world.ids["acme_proj"]
    m = _change("project", project, 2, _version(world, "project", project))
    assert _push(world, "mia", m)[0]["status"] == "applied"
    with world.db.read() as conn:
        row = get_row(conn, "customer", acme)
    assert row is not None and row["deleted_at"] is None
