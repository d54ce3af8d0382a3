"""Who reads what, by role and team, through every path (single records,
lists, changes, push results and errors): a technician set as a team's manager
reads nothing of the team; a manager reads the rates of their own team's
members only; the server's ``team add --manager`` takes managers and admins."""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ConfigDict
from server_world import World, entry_mutation

from desktop.core.errors import ValidationError
from desktop.core.timeutil import utcnow
from sync.server import admin
from sync.server.cli import main as server_cli
from sync.server.db.database import ServerDatabase
from sync.server.rows import RowWriter, get_row


def _reads(world: World, who: str, entity: str, key: str) -> dict[str, bool]:
    h = world.login(who)
    single = world.client.get(f"/api/v1/records/{entity}/{key}", headers=h)
    listed = world.client.get(f"/api/v1/records/{entity}", headers=h).json()["records"]
    changes = world.client.get("/api/v1/sync/changes", params={"since": 0}, headers=h).json()
    return {
        "by_id": single.status_code == 200,
        "by_list": any(r["entity_id"] == key for r in listed),
        "by_changes": any(c["entity_id"] == key and not c.get("gone") for c in changes["changes"]),
    }


def _everywhere(allowed: bool) -> dict[str, bool]:
    return dict.fromkeys(("by_id", "by_list", "by_changes"), allowed)


def _make_manager_of(world: World, team: str, user: str) -> None:
    """Set ``user`` as the team's manager behind the admin tools' back (as an
    older server, or a hand edit of the database, could have left it)."""
    with world.db.write() as conn:
        row = get_row(conn, "team", world.ids[team])
        assert row is not None
        RowWriter(conn, utcnow()).save("team", row, {"manager_id": world.ids[user]})


def test_a_technician_set_as_manager_reads_nothing_of_the_team(world: World) -> None:
    m = entry_mutation(world.ids["sue"], world.ids["acme"])
    assert world.push(world.login("sue"), "sue-laptop", m)[0]["status"] == "applied"
    _make_manager_of(world, "south", "tia")
    assert _reads(world, "tia", "time_entry", m["entity_id"]) == _everywhere(False)
    assert _reads(world, "tia", "rate", world.ids["rate_billing"]) == _everywhere(False)
    # nor does Tia decide Sue's week
    submit = {"id": str(uuid.uuid4()), "seq": 2, "entity": "timesheet", "op": "action",
              "entity_id": str(uuid.uuid4()), "base_version": 0,
              "data": {"action": "submit", "user_id": world.ids["sue"],
                       "week_start": "2026-11-23"}}  # fmt: skip
    assert world.push(world.login("sue"), "sue-laptop", submit)[0]["status"] == "applied"
    approve = {**submit, "id": str(uuid.uuid4()), "seq": 1,
               "data": {**submit["data"], "action": "approve"}}  # fmt: skip
    result = world.push(world.login("tia"), "tia-laptop", approve)[0]
    assert result["status"] == "rejected", result


@pytest.mark.parametrize(
    ("reader", "billing", "cost"),
    [
        ("tom", True, False),  # his own billing rate, never cost
        ("tia", False, False),  # a colleague's: nothing
        ("mia", True, True),  # manager of Tom's team
        ("sam", False, False),  # manager of another team: nothing, cost least of all
        ("admin", True, True),
    ],
)
def test_who_reads_toms_rates(world: World, reader: str, billing: bool, cost: bool) -> None:
    assert _reads(world, reader, "rate", world.ids["rate_billing"]) == _everywhere(billing)
    assert _reads(world, reader, "rate", world.ids["rate_cost"]) == _everywhere(cost)


def test_an_unreadable_rate_is_not_found_in_push_results_too(world: World) -> None:
    change = {"id": str(uuid.uuid4()), "seq": 1, "entity": "rate", "op": "update",
              "entity_id": world.ids["rate_cost"], "base_version": 1,
              "data": {"amount_minor": 1}, "fields": ["amount_minor"]}  # fmt: skip
    result = world.push(world.login("sam"), "sam-laptop", change)[0]
    assert (result["status"], result["code"]) == ("rejected", "not_found"), result
    assert result["server_copy"] is None
    result = world.push(world.login("mia"), "mia-laptop", {**change, "id": str(uuid.uuid4())})[0]
    assert (result["status"], result["code"]) == ("rejected", "forbidden"), result


def test_a_manager_reads_his_own_teams_rates_only(world: World) -> None:
    sue_cost = admin.add_row(
        world.db, "rate",
        {"user_id": world.ids["sue"], "kind": "cost", "amount_minor": 3900, "currency": "EUR",
         "effective_from": date(2026, 1, 1)},
    )  # fmt: skip
    assert _reads(world, "mia", "rate", sue_cost) == _everywhere(False)
    assert _reads(world, "sam", "rate", sue_cost) == _everywhere(True)


def test_the_server_refuses_a_technician_as_a_teams_manager(world: World) -> None:
    with pytest.raises(ValidationError, match="needs a manager"):
        admin.add_team(world.db, "East", manager="tom@x.test")
    push = {"id": str(uuid.uuid4()), "seq": 1, "entity": "team", "op": "create",
            "entity_id": str(uuid.uuid4()), "base_version": 0,
            "data": {"name": "East", "manager_id": world.ids["tom"]}}  # fmt: skip
    result = world.push(world.login("admin"), "admin-laptop", push)[0]
    assert (result["status"], result["code"]) == ("rejected", "validation"), result
    move = {"id": str(uuid.uuid4()), "seq": 2, "entity": "team", "op": "update",
            "entity_id": world.ids["north"], "base_version": 1,
            "data": {"manager_id": world.ids["tia"]}, "fields": ["manager_id"]}  # fmt: skip
    with world.db.read() as conn:
        north = get_row(conn, "team", world.ids["north"])
    assert north is not None
    move["base_version"] = north["version"]
    result = world.push(world.login("admin"), "admin-laptop", move)[0]
    assert (result["status"], result["code"]) == ("rejected", "validation"), result


def test_server_cli_team_add_refuses_a_technician(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 's.sqlite3'}"
    db = ServerDatabase(url)
    db.upgrade()
    admin.add_user(db, "tom@x.test", name="Tom", role="technician", password="s3cret-pass")
    db.dispose()
    with pytest.raises(SystemExit) as done:
        server_cli(["team", "add", "East", "--manager", "tom@x.test", "--database", url])
    assert done.value.code == 1
    err = capsys.readouterr().err
    assert "a team needs a manager" in err and len(err.strip().splitlines()) == 1


def _feed(world: World, who: str, since: int, *, gone: bool = True) -> dict[str, Any]:
    h = world.login(who)
    params: dict[str, Any] = {"since": since}
    if gone:
        params["gone"] = "true"
    return dict(world.client.get("/api/v1/sync/changes", params=params, headers=h).json())


class _V1Change(BaseModel):
    """A change as a protocol-1 client's model reads it (unknown keys forbidden)."""

    model_config = ConfigDict(extra="forbid")
    revision: int
    entity: str
    entity_id: str
    version: int
    deleted: bool
    data: dict[str, Any]


def test_a_protocol_1_client_gets_no_gone_key_and_no_withdrawals(world: World) -> None:
    m = entry_mutation(world.ids["tom"], world.ids["acme"])
    assert world.push(world.login("tom"), "tom-laptop", m)[0]["status"] == "applied"
    cursor = _feed(world, "mia", 0, gone=False)["cursor"]
    admin.set_user_team(world.db, "tom@x.test", "South")
    old = _feed(world, "mia", cursor, gone=False)
    new = _feed(world, "mia", cursor)
    assert old["cursor"] == new["cursor"] > cursor
    assert any(c["gone"] for c in new["changes"])
    assert not any(c["entity_id"] == m["entity_id"] for c in old["changes"])
    first = _feed(world, "mia", 0, gone=False)["changes"]
    assert first and all("gone" not in c for c in first + old["changes"])
    for c in first:
        _V1Change.model_validate(c)


def test_a_team_change_shows_and_withdraws_rows_in_the_feed(world: World) -> None:
    m = entry_mutation(world.ids["tom"], world.ids["acme"])
    assert world.push(world.login("tom"), "tom-laptop", m)[0]["status"] == "applied"
    toms = {m["entity_id"], world.ids["rate_billing"], world.ids["rate_cost"]}
    cursors = {who: _feed(world, who, 0)["cursor"] for who in ("mia", "sam", "tom")}
    admin.set_user_team(world.db, "tom@x.test", "South")
    sam = _feed(world, "sam", cursors["sam"])["changes"]
    shown = {c["entity_id"]: c for c in sam if c["entity_id"] in toms}
    assert set(shown) == toms
    assert not any(c.get("gone") for c in shown.values())
    assert shown[m["entity_id"]]["data"]["description"] == "Replaced the failing backup disk"
    mia = _feed(world, "mia", cursors["mia"])["changes"]
    gone = {c["entity_id"]: c for c in mia if c["entity_id"] in toms}
    assert set(gone) == toms
    assert all(c["gone"] and c["data"] == {} and not c["deleted"] for c in gone.values())
    # Tom himself reads his rows as before: nothing of his is withdrawn from him
    assert not any(c.get("gone") for c in _feed(world, "tom", cursors["tom"])["changes"])
    for who, sees in (("sam", True), ("mia", False)):
        assert _reads(world, who, "time_entry", m["entity_id"]) == _everywhere(sees)
