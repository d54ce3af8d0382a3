"""The approvals list from aggregate queries: the same figures as turning every
entry into facts one by one, a fixed number of queries, the reviewer's warnings,
the filters, and a sheet's detail read on selection."""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, select

from desktop.core.app import Punchclock
from desktop.core.model import Customer, TimeEntry
from desktop.core.rules import EntryFacts, policy_from_setting, week_problems
from desktop.core.timeutil import week_start
from tests.unit.conftest import NOW

MON = date(2026, 11, 23)
TEXTS = ["stuff", "Client stuff, 4 h", "", "short", "migrated the mailboxes of ACME", "WORK!!"]


def uid(pc: Punchclock, email: str) -> str:
    return pc.directory.user(email).id


@contextmanager
def counted(pc: Punchclock) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(_c: Any, _cur: Any, statement: str, *_a: Any) -> None:
        seen.append(statement)

    event.listen(pc.db.read_engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(pc.db.read_engine, "before_cursor_execute", count)


def raw_entries(pc: Punchclock, user_id: str, rng: random.Random, weeks: int,
                running: bool = True) -> None:
    """Entries written straight into the store: overlaps, long days, a running
    timer, vague and short descriptions — what the rules would refuse at submit."""
    with pc.db.write() as s:
        customer = s.scalars(select(Customer)).first()
        assert customer is not None
        for w in range(weeks):
            for d in range(7):
                day = MON - timedelta(weeks=w) + timedelta(days=d)
                at = datetime(day.year, day.month, day.day, 6, tzinfo=UTC)
                for _ in range(rng.randint(0, 5)):
                    timed = rng.random() < 0.7
                    length = rng.choice([1800, 3600, 4 * 3600, 9 * 3600])
                    start = at + timedelta(minutes=rng.choice([-90, -30, 0, 15]))
                    s.add(
                        TimeEntry(
                            user_id=user_id,
                            customer_id=customer.id,
                            work_date=day,
                            started_at=start if timed else None,
                            ended_at=start + timedelta(seconds=length) if timed else None,
                            duration_s=length,
                            description=rng.choice(TEXTS),
                            billable=rng.random() < 0.7,
                        )
                    )
                    at = start + timedelta(seconds=length)
        if not running:
            return
        s.add(
            TimeEntry(
                user_id=user_id,
                customer_id=customer.id,
                work_date=NOW.date(),
                started_at=NOW - timedelta(hours=2),
                description="running",
            )
        )


def expected(pc: Punchclock, user_id: str) -> dict[date, tuple[int, int, int]]:
    """Per week start: (total, billable, problems) the slow way."""
    from desktop.core.model import CompanySetting

    out: dict[date, list[EntryFacts]] = {}
    totals: dict[date, list[int]] = {}
    with pc.db.read() as s:
        setting = s.get(CompanySetting, "description_policy")
        policy = policy_from_setting(setting.value if setting else None)
        for r in s.scalars(select(TimeEntry).where(TimeEntry.user_id == user_id)):
            running = r.started_at is not None and r.ended_at is None
            facts = EntryFacts(r.id, r.work_date, r.started_at, r.ended_at, r.duration_s,
                               r.billable, r.description, running)
            start = week_start(r.work_date)
            out.setdefault(start, []).append(facts)
            t = totals.setdefault(start, [0, 0])
            seconds = int((NOW - r.started_at).total_seconds()) if running else r.duration_s
            t[0] += seconds
            t[1] += seconds if r.billable else 0
    return {k: (totals[k][0], totals[k][1], len(week_problems(v, policy, NOW)))
            for k, v in out.items()}


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5, 6, 7, 8])
def test_aggregates_match_the_rules_entry_by_entry(msp: Punchclock, seed: int) -> None:
    admin, tech = uid(msp, "admin@msp.test"), uid(msp, "tech@msp.test")
    msp.directory.add_customer(admin, "ACME")
    raw_entries(msp, tech, random.Random(seed), weeks=4)
    got = {r.sheet.week_start: (r.total_s, r.billable_s, r.warnings)
           for r in msp.timesheets.approvals(admin, status="all")}
    assert got == expected(msp, tech)
    assert any(w for _, _, w in got.values())


def test_a_fixed_number_of_queries(msp: Punchclock) -> None:
    admin, tech, boss = (uid(msp, e) for e in ("admin@msp.test", "tech@msp.test",
                                                "boss@msp.test"))
    msp.directory.add_customer(admin, "ACME")
    raw_entries(msp, tech, random.Random(1), weeks=1)
    with counted(msp) as few:
        msp.timesheets.approvals(admin, status="all")
    raw_entries(msp, boss, random.Random(2), weeks=8)
    raw_entries(msp, tech, random.Random(3), weeks=8, running=False)
    with counted(msp) as many:
        rows = msp.timesheets.approvals(admin, status="all")
    assert len(rows) > 10
    assert len(many) == len(few) <= 15


def test_flags_schedule_utilization_and_actions(msp: Punchclock) -> None:
    admin, tech, boss = (uid(msp, e) for e in ("admin@msp.test", "tech@msp.test",
                                                "boss@msp.test"))
    msp.directory.add_customer(admin, "ACME")
    msp.company.add_holiday(admin, MON, name="Founders' day")
    for day, hours, text in ((1, 11, "rebuilt the RAID array on FS01"), (2, 2, "stuff"),
                             (3, 4, "fixed")):
        msp.tracking.log(tech, day=MON + timedelta(days=day), customer="ACME",
                         duration_s=hours * 3600, description=text)
    msp.tracking.log(tech, day=MON + timedelta(days=3), customer="ACME", duration_s=3600,
                     description="", billable=False)
    [row] = msp.timesheets.approvals(boss, day=MON, status="draft")
    assert row.scheduled_s == 4 * 8 * 3600  # Monday is a holiday
    assert row.total_s == 18 * 3600 and row.non_billable_s == 3600
    assert row.utilization_pct == round(100 * 17 / 32)
    assert row.warnings == 2
    assert row.flags == ("1 vague description", "1 missing or short description",
                         "over 10 h on Tue", "short: 18:00 of 32:00")
    assert row.actions == ()  # a draft: only its owner may submit it


def test_filters_by_team_user_and_range(msp: Punchclock) -> None:
    admin, tech = uid(msp, "admin@msp.test"), uid(msp, "tech@msp.test")
    msp.directory.add_customer(admin, "ACME")
    msp.directory.add_user(admin, "sam@msp.test", name="Sam Solo")
    for who in (tech, uid(msp, "sam@msp.test")):
        for w in range(3):
            msp.tracking.log(who, day=MON - timedelta(weeks=w), customer="ACME",
                             duration_s=3600, description="patched the file servers")
    every = msp.timesheets.approvals(admin, status="draft")
    assert len(every) == 6
    field = msp.timesheets.approvals(admin, status="draft", team="Field")
    assert {r.sheet.user for r in field} == {"tech@msp.test"}
    sam = msp.timesheets.approvals(admin, status="draft", user="sam@msp.test")
    assert [r.sheet.week_start for r in sam] == [MON - timedelta(weeks=w) for w in (2, 1, 0)]
    two = msp.timesheets.approvals(admin, status="draft", day=MON - timedelta(weeks=1),
                                   until=MON + timedelta(days=2))
    assert len(two) == 4


def test_sheet_detail_on_selection(msp: Punchclock) -> None:
    admin, tech, boss = (uid(msp, e) for e in ("admin@msp.test", "tech@msp.test",
                                                "boss@msp.test"))
    msp.directory.add_customer(admin, "ACME")
    msp.tracking.log(tech, day=MON, customer="ACME", duration_s=3600,
                     description="patched the file servers")
    msp.timesheets.submit(tech, MON)
    detail = msp.timesheets.sheet(boss, "tech@msp.test", MON)
    assert detail.summary.sheet.status == "submitted"
    assert detail.summary.actions == ("approve", "reject", "return")
    assert [e.description for e in detail.entries] == ["patched the file servers"]
    assert [(e.action, e.actor) for e in detail.history] == [("submit", "tech@msp.test")]
    assert detail.problems == ()
    assert "submitted early" in detail.summary.flags  # on Friday, before the week ended


def test_week_view_calendar_problems_actions_and_lock(msp: Punchclock) -> None:
    admin, tech, boss = (uid(msp, e) for e in ("admin@msp.test", "tech@msp.test",
                                                "boss@msp.test"))
    msp.directory.add_customer(admin, "ACME")
    msp.company.add_holiday(admin, MON + timedelta(days=2), hours_s=4 * 3600, name="Half day")
    msp.company.add_time_off(admin, "tech@msp.test", MON + timedelta(days=1))
    e = msp.tracking.log(tech, day=MON, customer="ACME", duration_s=3600, description="stuff")
    view = msp.grid.week_view(tech, MON)
    assert [d.scheduled_s // 3600 for d in view.days] == [8, 0, 4, 8, 8, 0, 0]
    assert (view.days[1].off_name, view.days[2].off_name) == ("time off", "Half day")
    assert [d.workday for d in view.days] == [True] * 5 + [False] * 2
    assert view.scheduled_s == 28 * 3600 and view.today == NOW.date()
    assert [p.code for p in view.problems_of(e.entry.id)] == ["vague_description"]
    assert view.actions == ("submit",) and view.locked is None
    assert (view.ended, view.future) == (False, False)
    other = msp.grid.week_view(boss, MON, user="tech@msp.test")
    assert other.actions == ()
    assert other.locked == "only Tia Tech can change the entries of their week"
    msp.tracking.edit(tech, e.entry.id, description="patched the file servers")
    msp.timesheets.submit(tech, MON)
    view = msp.grid.week_view(tech, MON)
    assert view.actions == ("recall",)
    assert view.locked == "week 2026-W48 is submitted; its entries can't be changed"
    assert msp.grid.week_view(boss, MON, user="tech@msp.test").actions == (
        "approve", "reject", "return")
    nxt = msp.grid.week_view(tech, MON + timedelta(days=7))
    assert nxt.future and not nxt.entries
    assert [r.path for r in msp.grid.previous_rows(tech, MON + timedelta(days=7))] == ["ACME"]
    assert msp.grid.previous_rows(tech, MON) == []


def test_description_warning_while_typing(msp: Punchclock) -> None:
    assert "too vague" in (msp.grid.description_warning("client stuff", True, MON) or "")
    assert "at least 15" in (msp.grid.description_warning("short", True, MON) or "")
    assert msp.grid.description_warning("short", False, MON) is None
    assert msp.grid.description_warning("patched the file servers", True, MON) is None


def test_early_or_short_submit_asks_and_a_future_week_is_refused(msp: Punchclock) -> None:
    from desktop.core.errors import ValidationError

    admin, tech = uid(msp, "admin@msp.test"), uid(msp, "tech@msp.test")
    msp.directory.add_customer(admin, "ACME")
    msp.tracking.log(tech, day=MON, customer="ACME", duration_s=37860,
                     description="patched the file servers")
    view = msp.grid.week_view(tech, MON)
    assert view.confirm_submit == (
        "Submit 10:31 of 40:00? (Week 2026-W48 has not ended yet and fewer hours are "
        "logged than scheduled.)")
    last = msp.grid.week_view(tech, MON - timedelta(days=7))
    assert last.ended and last.confirm_submit == (
        "Submit 0:00 of 40:00? (Fewer hours are logged than scheduled.)")
    with pytest.raises(ValidationError, match="has not started yet"):
        msp.timesheets.submit(tech, MON + timedelta(days=7))
