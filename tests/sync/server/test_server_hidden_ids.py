"""An id the caller may not read is indistinguishable from an unknown one: a
create that reuses it, an update and a delete all get the same ``not_found``
answer as for an id nobody ever used, and nothing of the hidden row changes."""

from __future__ import annotations

import uuid
from typing import Any

from server_world import World, entry_mutation

from sync.server.rows import get_row


def _answer(result: dict[str, Any], entity_id: str) -> dict[str, Any]:
    """A result without what the caller chose (mutation id, seq, the id itself)."""
    out = {k: v for k, v in result.items() if k not in ("id", "seq", "entity_id")}
    out["message"] = (out.get("message") or "").replace(entity_id, "<id>")
    return out


def test_create_with_a_hidden_id_answers_like_an_unknown_id(world: World) -> None:
    sue, tom = world.login("sue"), world.login("tom")
    hidden = entry_mutation(world.ids["sue"], world.ids["acme"])
    assert world.push(sue, "sue-laptop", hidden)[0]["status"] == "applied"
    hidden_id = hidden["entity_id"]
    with world.db.read() as conn:
        before = get_row(conn, "time_entry", hidden_id)

    reuse = entry_mutation(world.ids["tom"], world.ids["acme"], entry_id=hidden_id, seq=1)
    unknown_id = str(uuid.uuid4())
    update_unknown = dict(
        entry_mutation(world.ids["tom"], world.ids["acme"], entry_id=unknown_id, seq=2),
        op="update", base_version=1, fields=["description"],
    )  # fmt: skip
    update_hidden = dict(update_unknown, id=str(uuid.uuid4()), seq=3, entity_id=hidden_id)
    update_hidden["data"] = dict(update_unknown["data"], id=hidden_id)
    results = world.push(tom, "tom-laptop", reuse, update_unknown, update_hidden)

    ids = [hidden_id, unknown_id, hidden_id]
    answers = [_answer(r, i) for r, i in zip(results, ids, strict=True)]
    assert answers[0] == answers[1] == answers[2], answers
    assert (answers[0]["status"], answers[0]["code"]) == ("rejected", "not_found")
    assert answers[0]["server_copy"] is None
    assert "taken" not in answers[0]["message"] and "exists" not in answers[0]["message"]
    with world.db.read() as conn:
        assert get_row(conn, "time_entry", hidden_id) == before


def test_create_with_a_readable_id_is_still_a_conflict(world: World) -> None:
    tom = world.login("tom")
    m = entry_mutation(world.ids["tom"], world.ids["acme"])
    assert world.push(tom, "tom-laptop", m)[0]["status"] == "applied"
    again = dict(m, id=str(uuid.uuid4()), seq=2)
    result = world.push(tom, "tom-laptop", again)[0]
    assert (result["status"], result["code"]) == ("conflict", "version_conflict")
    assert result["server_copy"]["id"] == m["entity_id"]


def test_can_read_of_a_loaded_row_agrees_with_visible(world: World) -> None:
    """policy.can_read answers from the row itself; for every row of every
    entity and every person it must say what policy.visible selects."""
    from sqlalchemy import select

    from sync.server import policy
    from sync.server.db.models import ENTITY_TABLES

    sue, tom = world.login("sue"), world.login("tom")
    assert world.push(sue, "sue-laptop", entry_mutation(world.ids["sue"], world.ids["acme"]))
    assert world.push(tom, "tom-laptop", entry_mutation(world.ids["tom"], world.ids["acme"]))
    people = ("admin", "mia", "sam", "tom", "tia", "sue")
    checked = {"withheld": 0, "read": 0}
    with world.db.read() as conn:
        for who in people:
            actor = policy.load_principal(conn, world.ids[who])
            assert actor is not None
            for entity, t in ENTITY_TABLES.items():
                key = t.c.key if entity == "company_setting" else t.c.id
                seen = set(conn.scalars(select(key).where(policy.visible(entity, actor))))
                for row in conn.execute(select(t)).mappings():
                    readable = policy.can_read(conn, actor, entity, dict(row))
                    assert readable == (row[key.name] in seen), (who, entity, dict(row))
                    checked["read" if readable else "withheld"] += 1
    assert checked["withheld"] > 0 and checked["read"] > 0, checked


def test_an_update_of_a_hidden_cost_rate_gets_no_copy(world: World) -> None:
    tom = world.login("tom")
    m = {
        "id": str(uuid.uuid4()), "seq": 1, "entity": "rate", "op": "update",
        "entity_id": world.ids["rate_cost"], "base_version": 1, "fields": ["amount_minor"],
        "data": {"amount_minor": 1},
    }  # fmt: skip
    result = world.push(tom, "tom-laptop", m)[0]
    assert (result["status"], result["code"]) == ("rejected", "not_found")
    assert result["server_copy"] is None
    readable = dict(m, id=str(uuid.uuid4()), entity_id=world.ids["rate_billing"])
    result = world.push(tom, "tom-laptop", readable)[0]
    assert result["status"] == "rejected" and result["code"] == "forbidden", result
