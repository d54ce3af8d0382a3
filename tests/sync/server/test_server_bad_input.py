"""Bad input gets a clean 4xx ErrorOut, never a 500, and stores nothing."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from server_world import PASSWORD, World, entry_mutation, make_world
from sqlalchemy import func, select

from sync.protocol import MAX_BODY_BYTES
from sync.server.auth import LoginLimits
from sync.server.db.models import ENTITY_TABLES, mutation_result


def _stored(world: World) -> tuple[int, int]:
    with world.db.read() as conn:
        entries = conn.scalar(select(func.count()).select_from(ENTITY_TABLES["time_entry"]))
        results = conn.scalar(select(func.count()).select_from(mutation_result))
    return int(entries or 0), int(results or 0)


def _bodies(world: World) -> list[tuple[str, Any, int]]:
    m = entry_mutation(world.ids["tom"], world.ids["acme"])
    many = [dict(m, id=str(uuid.uuid4()), seq=i + 1) for i in range(10_000)]
    tiny = [{"id": str(i), "seq": i + 1, "entity": "task", "op": "create", "entity_id": str(i),
             "base_version": 0, "data": {}} for i in range(600)]  # fmt: skip
    return [
        ("malformed json", b'{"device_id": "tom-laptop", "mutations": [', 422),
        ("not an object", b"[1, 2, 3]", 422),
        ("wrong type", {"device_id": "tom-laptop", "mutations": "lots"}, 422),
        ("wrong seq type", {"device_id": "tom-laptop", "mutations": [dict(m, seq="one")]}, 422),
        ("unknown field", {"device_id": "tom-laptop", "mutations": [], "sneaky": 1}, 422),
        ("unknown mutation field", {"device_id": "tom-laptop", "mutations": [dict(m, x=1)]}, 422),
        ("unknown entity", {"device_id": "tom-laptop",
                            "mutations": [dict(m, entity="invoice")]}, 422),
        ("huge body", b'{"device_id": "' + b"x" * (MAX_BODY_BYTES + 10) + b'"}', 413),
        ("10,000 mutations", {"device_id": "tom-laptop", "mutations": many}, 413),
        ("600 small mutations", {"device_id": "tom-laptop", "mutations": tiny}, 413),
        ("another device's id", {"device_id": "someone-else", "mutations": [m]}, 403),
    ]  # fmt: skip


def test_bad_push_bodies(world: World) -> None:
    h = world.login("tom")
    before = _stored(world)
    for name, body, status in _bodies(world):
        content = body if isinstance(body, bytes) else json.dumps(body).encode()
        r = world.client.post(
            "/api/v1/sync/push", content=content,
            headers={**h, "Content-Type": "application/json"},
        )  # fmt: skip
        assert r.status_code == status, (name, r.status_code, r.text[:200])
        assert set(r.json()) == {"code", "message"}, name
        assert "\n" not in r.json()["message"]
    assert _stored(world) == before


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        ({"duration_s": "an hour"}, "whole number"),
        ({"duration_s": -5}, "duration_s"),
        ({"work_date": "yesterday"}, "work_date"),
        ({"started_at": "2026-11-23T09:00:00"}, "timezone"),
        ({"billable": "yes"}, "true or false"),
        ({"colour": "red"}, "unknown field"),
        ({"description": "bad \u202e text"}, "text-direction"),
        ({"duration_s": 90_000}, "24 hours"),
    ],
)
def test_bad_mutation_data_is_rejected_not_stored(
    world: World, data: dict[str, Any], needle: str
) -> None:
    h = world.login("tom")
    m = entry_mutation(world.ids["tom"], world.ids["acme"])
    m["data"].update(data)
    result = world.push(h, "tom-laptop", m)[0]
    assert (result["status"], result["code"]) == ("rejected", "validation"), result
    assert needle in result["message"]
    assert _stored(world) == (0, 0)


def test_tokens_missing_revoked_expired(world: World) -> None:
    c = world.client
    assert c.get("/api/v1/me").json()["code"] == "unauthenticated"
    assert c.get("/api/v1/me", headers={"Authorization": "Bearer nope"}).status_code == 401
    h = world.login("tom")
    assert c.get("/api/v1/me", headers=h).json()["email"] == "tom@x.test"
    devices = c.get("/api/v1/auth/devices", headers=h).json()
    assert [d["current"] for d in devices] == [True]
    assert c.post("/api/v1/auth/logout", headers=h).status_code == 204
    r = c.get("/api/v1/me", headers=h)
    assert (r.status_code, r.json()["code"]) == (401, "token_revoked")
    other = world.login("tom", "tom-desktop")
    assert c.delete("/api/v1/auth/devices/tom-laptop", headers=other).status_code == 204
    assert c.delete("/api/v1/auth/devices/nope", headers=other).status_code == 404


def test_expired_token(database_url: str) -> None:
    clock = [datetime(2026, 11, 25, 12, tzinfo=UTC)]
    world = make_world(database_url, clock=lambda: clock[0], token_ttl=timedelta(days=1))
    try:
        h = world.login("tom")
        assert world.client.get("/api/v1/me", headers=h).status_code == 200
        clock[0] += timedelta(days=2)
        r = world.client.get("/api/v1/me", headers=h)
        assert (r.status_code, r.json()["code"]) == (401, "token_expired")
    finally:
        world.client.close()
        world.db.dispose()


def test_failed_logins_are_rate_limited(database_url: str) -> None:
    world = make_world(database_url, login_limits=LoginLimits(per_account=3, per_address=50))
    try:
        bad = {"email": "tom@x.test", "password": "wrong", "device_name": "x", "device_id": "x"}
        codes = [world.client.post("/api/v1/auth/login", json=bad).status_code for _ in range(4)]
        assert codes == [401, 401, 401, 429]
        good = dict(bad, password=PASSWORD)
        r = world.client.post("/api/v1/auth/login", json=good)
        assert (r.status_code, r.json()["code"]) == (429, "rate_limited")
        assert "Retry-After" in r.headers
        other = dict(good, email="tia@x.test")
        assert world.client.post("/api/v1/auth/login", json=other).status_code == 200
    finally:
        world.client.close()
        world.db.dispose()


def test_login_limits_per_address_and_account(database_url: str) -> None:
    """A few typos of one person don't lock out others behind the same address;
    one account guessed at from many addresses is still stopped."""
    limits = LoginLimits(per_address_account=2, per_account=4, per_address=6)
    world = make_world(database_url, login_limits=limits)
    clients: dict[str, TestClient] = {}

    def login(address: str, who: str, password: str = "wrong") -> int:
        if address not in clients:
            clients[address] = TestClient(world.client.app, client=(address, 5000))
        body = {"email": f"{who}@x.test", "password": password, "device_name": "d",
                "device_id": f"{who}-{address}"}  # fmt: skip
        return clients[address].post("/api/v1/auth/login", json=body).status_code

    try:
        office, home, cafe, bot = "10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4"
        assert [login(office, "tom") for _ in range(3)] == [401, 401, 429]
        assert login(office, "tia") == 401
        assert login(office, "tia", PASSWORD) == 200  # Tom's typos don't lock Tia out
        assert [login(home, "tom") for _ in range(3)] == [401, 401, 429]  # 4 for the account
        assert login(cafe, "tom", PASSWORD) == 429
        assert login(cafe, "sue", PASSWORD) == 200
        guesses = [login(bot, f"nobody{i}") for i in range(7)]
        assert guesses == [401] * 6 + [429]
        assert login(bot, "sue", PASSWORD) == 429
    finally:
        for c in clients.values():
            c.close()
        world.client.close()
        world.db.dispose()


def test_bad_query_parameters(world: World) -> None:
    h = world.login("tom")
    for query in ("since=-1", "since=abc", "limit=0", "limit=100000"):
        r = world.client.get(f"/api/v1/sync/changes?{query}", headers=h)
        assert r.status_code == 422 and r.json()["code"] == "invalid", query
    assert world.client.get("/api/v1/records/invoice", headers=h).status_code == 422


def _raw_push(world: World, headers: dict[str, str], *mutations: dict[str, Any]) -> Any:
    """POST the mutations as JSON text with escapes (so lone surrogates survive)."""
    body = json.dumps({"device_id": "tom-laptop", "mutations": list(mutations)}).encode()
    return world.client.post(
        "/api/v1/sync/push", content=body,
        headers={**headers, "Content-Type": "application/json"},
    )  # fmt: skip


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        ({"seq": 2**63}, "seq"),
        ({"seq": 2**64 + 1}, "seq"),
        ({"base_version": 2**63}, "base_version"),
        ({"data": {"description": "lone \ud800 surrogate"}}, "surrogate"),
        ({"data": {"description": "bell \x07 inside"}}, "U+0007"),
        ({"data": {"description": "escape \x1b[31m"}}, "U+001B"),
        ({"data": {"description": "delete \x7f"}}, "U+007F"),
        ({"data": {"description": "next line \x85"}}, "U+0085"),
        ({"data": {"external_ref": {"nested": ["ok", "x\udfff"]}}}, "external_ref.nested.1"),
        ({"data": {"bad\ud800key": 1}}, "surrogate"),
        ({"fields": ["description\x00"]}, "U+0000"),
        ({"entity_id": "id\x01"}, "U+0001"),
    ],
)
def test_out_of_range_and_unclean_text_are_422(
    world: World, change: dict[str, Any], needle: str
) -> None:
    h = world.login("tom")
    m = entry_mutation(world.ids["tom"], world.ids["acme"])
    m.update({k: v for k, v in change.items() if k != "data"})
    m["data"].update(change.get("data", {}))
    r = _raw_push(world, h, m)
    assert (r.status_code, r.json()["code"]) == (422, "invalid"), r.text[:300]
    assert needle in r.json()["message"], r.json()["message"]
    assert _stored(world) == (0, 0)


def test_largest_seq_and_allowed_whitespace_are_accepted(world: World) -> None:
    h = world.login("tom")
    m = entry_mutation(
        world.ids["tom"], world.ids["acme"], seq=2**63 - 1,
        description="Replaced the disk\n\tand checked the array",
    )  # fmt: skip
    r = _raw_push(world, h, m)
    assert r.status_code == 200, r.text[:300]
    assert [x["status"] for x in r.json()["results"]] == ["applied"]
    assert _stored(world) == (1, 1)


def test_unsupported_method_is_405_with_allow(world: World) -> None:
    h = world.login("tom")
    for method, path in (("TRACE", "/api/v1/me"), ("PUT", "/api/v1/sync/push"),
                         ("PATCH", "/api/v1/records/customer")):  # fmt: skip
        r = world.client.request(method, path, headers=h)
        assert (r.status_code, r.json()["code"]) == (405, "method_not_allowed"), (method, path)
        allowed = {m.strip() for m in r.headers["Allow"].split(",")}
        assert allowed and method not in allowed, (method, path, allowed)
    assert "GET" in world.client.request("TRACE", "/api/v1/me", headers=h).headers["Allow"]


def test_a_body_that_is_not_utf8_is_a_documented_422(world: World) -> None:
    h = world.login("tom")
    for path in ("/api/v1/sync/push", "/api/v1/auth/login"):
        r = world.client.post(
            path, content=b'{"device_id": "tom-\xff\xfe"}',
            headers={**h, "Content-Type": "application/json"},
        )  # fmt: skip
        assert (r.status_code, r.json()["code"]) == (422, "invalid"), (path, r.text)
        assert "UTF-8" in r.json()["message"]
        spec = world.client.get("/api/v1/openapi.json").json()
        assert "422" in spec["paths"][path]["post"]["responses"]


@pytest.mark.parametrize(
    "value", ["0", "1700000000", "20261123", "2026-W48-1", "2026-11-23T00:00:00", "2026-1-2",
              " 2026-11-23", "2026-02-30"],
)  # fmt: skip
def test_query_dates_are_iso_only(world: World, value: str) -> None:
    h = world.login("tom")
    for name in ("work_date_from", "work_date_to"):
        r = world.client.get(f"/api/v1/records/time_entry?{name}={value}", headers=h)
        assert (r.status_code, r.json()["code"]) == (422, "invalid"), (name, value, r.text)
        assert name in r.json()["message"]
    ok = world.client.get("/api/v1/records/time_entry?work_date_to=2026-11-23", headers=h)
    assert ok.status_code == 200


@pytest.mark.parametrize("value", ["20261123", "2026-W48-1", "2026-11-23T00:00:00"])
def test_pushed_dates_are_iso_only(world: World, value: str) -> None:
    h = world.login("tom")
    m = entry_mutation(world.ids["tom"], world.ids["acme"], work_date=value)
    result = world.push(h, "tom-laptop", m)[0]
    assert (result["status"], result["code"]) == ("rejected", "validation"), result
    assert "work_date" in result["message"]
    assert _stored(world) == (0, 0)


@pytest.mark.parametrize(
    "path",
    ["/api/v1/records/time_entry?user_id=a%00b", "/api/v1/records/customer/a%00b",
     "/api/v1/records/time_entry?user_id=%1B%5B31m", "/api/v1/records/customer/x%7F"],
)  # fmt: skip
def test_control_characters_in_query_and_path_are_422(world: World, path: str) -> None:
    h = world.login("tom")
    r = world.client.get(path, headers=h)
    assert (r.status_code, r.json()["code"]) == (422, "invalid"), r.text[:300]
    assert "control character" in r.json()["message"]
    r = world.client.delete("/api/v1/auth/devices/a%00b", headers=h)
    assert (r.status_code, r.json()["code"]) == (422, "invalid"), r.text[:300]
