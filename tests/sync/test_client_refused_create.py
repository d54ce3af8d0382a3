"""A create the server refused stays out of the laptop's weeks, totals and
reports — kept only as its "needs attention" item — until it is retried,
edited into a week that takes it, or discarded. Two laptops of one technician,
a manager and an admin against the real server on 127.0.0.1."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from client_world import (
    ADMIN,
    LAST_WEEK,
    TOM,
    TWO_WEEKS_AGO,
    Device,
    Msp,
    day,
    submit_and_approve,
)

from desktop.core.errors import Locked
from desktop.core.model import TimeEntry
from sync.client import attention

H = 3600


@dataclass
class Stale:
    """The desk approved week of 40 h, and the laptop's refused 2 h entry in it."""

    desk: Device
    laptop: Device
    refused: str


def _server_week_s(msp: Msp) -> int:
    """Tom's last week as the server has it."""
    return sum(
        r["duration_s"]
        for r in msp.server_rows("time_entry")
        if r["user_id"] == msp.ids[TOM]
        and r["deleted_at"] is None
        and LAST_WEEK <= r["work_date"] <= day(6)
    )


@pytest.fixture
def stale(msp: Msp) -> Stale:
    desk, laptop = msp.laptop("tom-desk", TOM), msp.laptop("tom-laptop", TOM)
    for i in range(5):
        desk.app.tracking.log(
            desk.me,
            day=day(i),
            customer="ACME",
            duration_s=8 * H,
            description=f"rebuilt the file server, part {i + 1}",
        )
    assert desk.sync().ok and laptop.sync().ok
    submit_and_approve(msp, desk)
    # The laptop has not heard of the submit or the approval: its week is a draft.
    refused = laptop.app.tracking.log(
        laptop.me,
        day=day(5),
        customer="ACME",
        duration_s=2 * H,
        description="Saturday patching of the firewall",
    ).entry.id
    report = laptop.sync()
    assert report.attention == 1 and report.new_attention == 1, report
    return Stale(desk, laptop, refused)


def _item(d: Device) -> attention.Item:
    (item,) = attention.items(d.app.db)
    return item


def _week_s(d: Device) -> int:
    return d.app.grid.week(d.me, LAST_WEEK).total_s


def test_the_refused_entry_leaves_weeks_totals_and_reports(msp: Msp, stale: Stale) -> None:
    laptop = stale.laptop
    assert _server_week_s(msp) == 40 * H
    grid = laptop.app.grid.week(laptop.me, LAST_WEEK)
    assert grid.sheet.status == "approved"
    assert (grid.total_s, grid.day_totals_s[5]) == (40 * H, 0)
    view = laptop.app.grid.week_view(laptop.me, LAST_WEEK)
    assert stale.refused not in {e.id for e in view.entries}
    listed = laptop.app.tracking.entries(laptop.me, start=LAST_WEEK, end=day(6))
    assert len(listed) == 5 and stale.refused not in {e.id for e in listed}
    assert laptop.app.tracking.day_total_s(laptop.me, day(5)) == 0
    mine = laptop.app.reports.utilization(LAST_WEEK, day(6), actor_id=laptop.me)
    assert mine.total.logged_s == 40 * H
    # It is still there as what needs attention, with the local value kept.
    items = attention.items(laptop.app.db)
    assert [i.entity_id for i in items] == [stale.refused]
    assert items[0].message.startswith("locked")
    assert items[0].data["description"] == "Saturday patching of the firewall"
    # The desk, which never had it, agrees.
    assert _week_s(stale.desk) == 40 * H


def test_discarding_removes_it_for_good(msp: Msp, stale: Stale) -> None:
    laptop = stale.laptop
    attention.discard(laptop.app.db, _item(laptop).id[:8])
    assert attention.items(laptop.app.db) == []
    assert laptop.sync().ok and laptop.sync().attention == 0
    assert _week_s(laptop) == 40 * H
    with laptop.app.db.read() as s:
        row = s.get(TimeEntry, stale.refused)
        assert row is not None and row.deleted_at is not None
    assert stale.refused not in {r["id"] for r in msp.server_rows("time_entry")}


def test_a_retry_after_the_week_is_reopened_is_taken(msp: Msp, stale: Stale) -> None:
    laptop = stale.laptop
    ada = msp.laptop("ada", ADMIN)
    ada.app.timesheets.reopen(ada.me, TOM, LAST_WEEK, "Saturday patching was missing")
    assert ada.sync().ok
    assert laptop.sync().ok
    assert laptop.app.grid.week(laptop.me, LAST_WEEK).sheet.status == "returned"
    assert _week_s(laptop) == 40 * H  # still held back: nobody retried it yet
    attention.retry(laptop.app.db, _item(laptop).id[:8])
    assert _week_s(laptop) == 42 * H  # queued again: it counts
    report = laptop.sync()
    assert report.ok and report.pushed == 1 and report.attention == 0, report
    assert _server_week_s(msp) == 42 * H
    assert stale.desk.sync().ok and _week_s(stale.desk) == 42 * H
    assert _week_s(laptop) == 42 * H


def test_moving_it_into_an_open_week_sends_it_there(msp: Msp, stale: Stale) -> None:
    laptop = stale.laptop
    target = day(5, TWO_WEEKS_AGO)
    laptop.app.tracking.edit(laptop.me, stale.refused, day=target)
    assert laptop.app.grid.week(laptop.me, TWO_WEEKS_AGO).total_s == 2 * H
    report = laptop.sync()
    assert report.ok and report.pushed == 1 and report.attention == 0, report
    server = {r["id"]: r for r in msp.server_rows("time_entry")}
    assert server[stale.refused]["work_date"] == target
    assert _week_s(laptop) == 40 * H
    # A row of the approved week itself stays locked.
    kept = laptop.app.tracking.entries(laptop.me, start=LAST_WEEK, end=day(6))[0]
    with pytest.raises(Locked):
        laptop.app.tracking.edit(laptop.me, kept.id, day=target)
