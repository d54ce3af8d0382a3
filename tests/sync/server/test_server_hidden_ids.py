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
