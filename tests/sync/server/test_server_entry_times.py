"""The server checks an entry's times as the desktop makes them: ``work_date``
is the local date at ``started_at`` in the owner's timezone, a timed entry's
``duration_s`` is ``ended_at - started_at``; and a later start stops the earlier
timer only where that stop is itself allowed (its week open, its day and its
run within 24 h) — otherwise the new start is refused and nothing changes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from server_world import PASSWORD, World, entry_mutation

from sync.server import admin
from sync.server.rows import get_row

TOKYO = "Asia/Tokyo"  # UTC+9, no DST


def _ken(world: World) -> tuple[str, dict[str, str]]:
    ken = admin.add_user(world.db, "ken@x.test", name="Ken", role="technician",
                         password=PASSWORD, team="North", timezone=TOKYO)  # fmt: skip
    return ken, world.login("ken")


def _timed(user: str, customer: str, start: str, end: str | None, **kw: Any) -> dict[str, Any]:
    started = datetime.fromisoformat(start)
    ended = datetime.fromisoformat(end) if end else None
    seconds = int((ended - started).total_seconds()) if ended else 0
    values: dict[str, Any] = {"work_date": started.date().isoformat(), "duration_s": seconds}
    values.update(kw)
    return entry_mutation(user, customer, started_at=start, ended_at=end, source="timer",
                          **values)  # fmt: skip


def _entry(world: World, entry_id: str) -> dict[str, Any]:
    with world.db.read() as conn:
        row = get_row(conn, "time_entry", entry_id)
    assert row is not None
    return row


def test_work_date_is_the_local_date_at_the_start(world: World) -> None:
    ken, h = _ken(world)
    # 20:00 UTC on the 23rd is 05:00 on the 24th in Tokyo
    wrong = _timed(ken, world.ids["acme"], "2026-11-23T20:00:00+00:00",
                   "2026-11-23T21:00:00+00:00", work_date="2026-11-23")  # fmt: skip
    result = world.push(h, "ken-laptop", wrong)[0]
    assert (result["status"], result["code"]) == ("rejected", "validation"), result
    assert "work_date" in result["message"] and "2026-11-24" in result["message"]
    assert TOKYO in result["message"]
    right = dict(wrong, id="m2", seq=2, data=dict(wrong["data"], work_date="2026-11-24"))
    assert world.push(h, "ken-laptop", right)[0]["status"] == "applied"


def test_a_timed_entry_lasts_from_start_to_end(world: World) -> None:
    h = world.login("tom")
    wrong = _timed(world.ids["tom"], world.ids["acme"], "2026-11-23T09:00:00+00:00",
                   "2026-11-23T10:00:00+00:00", duration_s=1800)  # fmt: skip
    result = world.push(h, "tom-laptop", wrong)[0]
    assert (result["status"], result["code"]) == ("rejected", "validation"), result
    assert "duration_s" in result["message"] and "3600" in result["message"]
    right = dict(wrong, id="m2", seq=2, data=dict(wrong["data"], duration_s=3600))
    assert world.push(h, "tom-laptop", right)[0]["status"] == "applied"


def test_an_old_entry_stays_editable_after_a_timezone_change(world: World) -> None:
    ken, h = _ken(world)
    m = _timed(ken, world.ids["acme"], "2026-11-23T01:00:00+00:00", "2026-11-23T02:00:00+00:00")
    assert world.push(h, "ken-laptop", m)[0]["status"] == "applied"
    with world.db.write() as conn:  # Ken moves to UTC: that entry's date is no longer 'local'
        from sync.server.rows import RowWriter

        RowWriter(conn, datetime.now(UTC)).save(
            "user", get_row(conn, "user", ken) or {}, {"timezone": "UTC"}
        )
    text = "Replaced the disk, checked the array"
    edit = dict(m, id="m2", seq=2, op="update", base_version=1, fields=["description"],
                data=dict(m["data"], description=text))  # fmt: skip
    assert world.push(h, "ken-laptop", edit)[0]["status"] == "applied"
    move = dict(m, id="m3", seq=3, op="update", base_version=2, fields=["work_date"],
                data=dict(m["data"], work_date="2026-11-22"))  # fmt: skip
    result = world.push(h, "ken-laptop", move)[0]
    assert (result["status"], result["code"]) == ("rejected", "validation"), result


def test_a_later_start_does_not_stop_a_timer_in_a_locked_week(world: World) -> None:
    h = world.login("tom")
    tom, acme = world.ids["tom"], world.ids["acme"]
    early = _timed(tom, acme, "2026-11-22T22:00:00+00:00", None)  # Sunday, week of the 16th
    assert world.push(h, "tom-laptop", early)[0]["status"] == "applied"
    admin.add_row(world.db, "timesheet", {"user_id": tom, "week_start": date(2026, 11, 16),
                                          "status": "approved"})  # fmt: skip
    late = _timed(tom, acme, "2026-11-23T09:00:00+00:00", None, seq=2)
    result = world.push(h, "tom-laptop", late)[0]
    assert (result["status"], result["code"]) == ("rejected", "locked"), result
    assert "running timer" in result["message"]
    assert _entry(world, early["entity_id"])["ended_at"] is None
    with world.db.read() as conn:
        assert get_row(conn, "time_entry", late["entity_id"]) is None


@pytest.mark.parametrize(
    ("early_start", "late_start", "manual_s", "needle"),
    [
        # the stop would put 1 h on a day that already holds 23.5 h
        ("2026-11-23T08:00:00+00:00", "2026-11-23T09:00:00+00:00", 23 * 3600 + 1800, "24 hours"),
        # the earlier timer has been running for three days
        ("2026-11-20T09:00:00+00:00", "2026-11-23T09:00:00+00:00", 0, "24 hours"),
    ],
)
def test_a_later_start_does_not_stop_a_timer_past_24_hours(
    world: World, early_start: str, late_start: str, manual_s: int, needle: str
) -> None:
    h = world.login("tom")
    tom, acme = world.ids["tom"], world.ids["acme"]
    early = _timed(tom, acme, early_start, None)
    assert world.push(h, "tom-laptop", early)[0]["status"] == "applied"
    if manual_s:
        filler = entry_mutation(tom, acme, seq=2, duration_s=manual_s, work_date="2026-11-23")
        assert world.push(h, "tom-laptop", filler)[0]["status"] == "applied"
    late = _timed(tom, acme, late_start, None, seq=3)
    result = world.push(h, "tom-laptop", late)[0]
    assert (result["status"], result["code"]) == ("rejected", "validation"), result
    assert needle in result["message"] and "running timer" in result["message"]
    assert _entry(world, early["entity_id"])["ended_at"] is None


def test_an_earlier_start_arriving_late_is_stopped_only_within_24_hours(world: World) -> None:
    h1, h2 = world.login("tom", "tom-laptop"), world.login("tom", "tom-desktop")
    tom, acme = world.ids["tom"], world.ids["acme"]
    late = _timed(tom, acme, "2026-11-23T10:30:00+00:00", None)
    assert world.push(h2, "tom-desktop", late)[0]["status"] == "applied"
    filler = entry_mutation(tom, acme, seq=2, duration_s=23 * 3600, work_date="2026-11-23")
    assert world.push(h2, "tom-desktop", filler)[0]["status"] == "applied"
    early = _timed(tom, acme, "2026-11-23T09:00:00+00:00", None)  # stopped at 10:30: 1.5 h
    result = world.push(h1, "tom-laptop", early)[0]
    assert (result["status"], result["code"]) == ("rejected", "validation"), result
    assert "24 hours" in result["message"]
    assert _entry(world, late["entity_id"])["ended_at"] is None
