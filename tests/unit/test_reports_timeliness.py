"""Timeliness (same-day share, manual delay, on-time weeks), the deadline
setting, overdue weeks, the daily timeline, project budgets."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select, update

from desktop.core.app import Punchclock
from desktop.core.db import open_database
from desktop.core.errors import Forbidden, ValidationError
from desktop.core.model import TimeEntry
from desktop.core.rounding import billed_seconds, billed_seconds_sql

H = 3600


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


@pytest.fixture
def world(tmp_path: Path) -> Iterator[tuple[Punchclock, Clock]]:
    clock = Clock(datetime(2026, 11, 9, 8, 0, tzinfo=UTC))
    pc = Punchclock(open_database(tmp_path), clock=clock)
    admin = pc.directory.init_profile(name="Ada Admin", email="admin@msp.test").id
    pc.directory.add_user(admin, "boss@msp.test", name="Bo Boss", role="manager")
    pc.directory.add_team(admin, "Field", manager="boss@msp.test")
    pc.directory.add_user(admin, "tech@msp.test", name="Tia Tech", team="Field")
    pc.directory.add_user(admin, "ned@msp.test", name="Ned Nerd", team="Field")
    pc.directory.add_customer(admin, "ACME")
    yield pc, clock
    pc.close()


def _id(pc: Punchclock, email: str) -> str:
    return pc.directory.user(email).id


def _created(pc: Punchclock, entry_id: str, at: datetime) -> None:
    with pc.db.write() as s:
        s.execute(update(TimeEntry).where(TimeEntry.id == entry_id).values(created_at=at))


def _log(pc: Punchclock, email: str, day: date, seconds: int, **kw: object) -> str:
    return pc.tracking.log(
        _id(pc, email),
        day=day,
        customer="ACME",
        duration_s=seconds if "start" not in kw else None,
        description="replaced the core switch",
        **kw,  # type: ignore[arg-type]
    ).entry.id


def test_timeliness_with_the_arithmetic(world: tuple[Punchclock, Clock]) -> None:
    pc, clock = world
    mon = date(2026, 11, 9)
    a = _log(pc, "tech@msp.test", mon, 2 * H)  # created Monday 18:00: same day, delay 0
    _created(pc, a, datetime(2026, 11, 9, 18, 0, tzinfo=UTC))
    b = _log(pc, "tech@msp.test", mon + timedelta(days=1), 3 * H)  # Tuesday's, made Thursday 10:00
    _created(pc, b, datetime(2026, 11, 12, 10, 0, tzinfo=UTC))
    c = _log(pc, "tech@msp.test", mon + timedelta(days=2), 0, start=time(9), end=time(10))
    _created(pc, c, datetime(2026, 11, 11, 10, 30, tzinfo=UTC))  # 30 min after its end
    clock.at = datetime(2026, 11, 16, 11, 59, tzinfo=UTC)  # before Monday noon: on time
    pc.timesheets.submit(_id(pc, "tech@msp.test"), mon)
    clock.at = datetime(2026, 11, 27, 17, 0, tzinfo=UTC)
    admin = _id(pc, "admin@msp.test")
    report = pc.reports.timeliness(mon, date(2026, 11, 22), actor_id=admin)
    tia = next(r for r in report.rows if r.email == "tech@msp.test")
    # same day: 2 h + 1 h of 6 h = 50 %
    assert (tia.logged_s, tia.same_day_s, tia.same_day_pct) == (6 * H, 3 * H, Decimal("50.00"))
    # delays: 0; Thursday 10:00 − Wednesday 00:00 = 34 h; 30 min → median 30 min
    assert (tia.manual_entries, tia.median_delay_s) == (3, 1800)
    # two weeks due (W46 by 16 Nov 12:00, W47 by 23 Nov 12:00); W46 on time
    assert (tia.weeks_due, tia.weeks_on_time, tia.on_time_pct) == (2, 1, Decimal("50.00"))
    assert (report.deadline_weekday, report.deadline_time) == (0, "12:00")
    field = next(t for t in report.teams if t.name == "Field")
    assert field.weeks_due == 4 and field.logged_s == 6 * H  # Ned owes his two weeks too


def test_deadline_setting_moves_due_weeks(world: tuple[Punchclock, Clock]) -> None:
    pc, clock = world
    admin = _id(pc, "admin@msp.test")
    with pytest.raises(Forbidden):
        pc.company.set_submission_deadline(_id(pc, "tech@msp.test"), weekday=1, at=time(9))
    with pytest.raises(ValidationError):
        pc.company.set_submission_deadline(admin, weekday=7, at=time(9))
    assert pc.company.set_submission_deadline(admin, weekday=2, at=time(9)) == (2, time(9))
    mon = date(2026, 11, 9)
    _log(pc, "tech@msp.test", mon, H)
    clock.at = datetime(2026, 11, 17, 17, 0, tzinfo=UTC)  # Tuesday after: not due yet
    assert pc.reports.overdue(admin) == []
    clock.at = datetime(2026, 11, 18, 9, 0, tzinfo=UTC)  # Wednesday 09:00: due
    weeks = pc.reports.overdue(admin)
    assert [(w.user_email, w.week_start, w.status) for w in weeks] == [
        ("tech@msp.test", mon, "draft")
    ]
    assert weeks[0].deadline == datetime(2026, 11, 18, 9, 0, tzinfo=UTC)
    assert weeks[0].overdue_s == 0 and weeks[0].logged_s == H and weeks[0].scheduled_s == 40 * H


def test_overdue_lists_draft_rejected_and_missing(world: tuple[Punchclock, Clock]) -> None:
    pc, clock = world
    mon = date(2026, 11, 9)
    _log(pc, "tech@msp.test", mon, 2 * H)
    _log(pc, "ned@msp.test", mon, 2 * H)
    clock.at = datetime(2026, 11, 13, 17, 0, tzinfo=UTC)
    pc.timesheets.submit(_id(pc, "ned@msp.test"), mon)
    pc.timesheets.reject(_id(pc, "boss@msp.test"), "ned@msp.test", mon, "which switch?")
    clock.at = datetime(2026, 11, 27, 17, 0, tzinfo=UTC)
    weeks = pc.reports.overdue(_id(pc, "boss@msp.test"), team="Field")
    got = [(w.user_email, w.week, w.status) for w in weeks]
    assert got == [
        ("ned@msp.test", "2026-W46", "rejected"),
        ("tech@msp.test", "2026-W46", "draft"),
        ("ned@msp.test", "2026-W47", "missing"),
        ("tech@msp.test", "2026-W47", "missing"),
    ]
    assert weeks[0].team_name == "Field"
    assert weeks[0].overdue_s == int(
        (clock.at - datetime(2026, 11, 16, 12, 0, tzinfo=UTC)).total_seconds()
    )
    with pytest.raises(Forbidden):
        pc.reports.overdue(_id(pc, "tech@msp.test"), team="Field")
    own = pc.reports.overdue(_id(pc, "tech@msp.test"))
    assert {w.user_email for w in own} == {"tech@msp.test"}


def test_technician_timeliness_is_their_own(world: tuple[Punchclock, Clock]) -> None:
    pc, _ = world
    tia = _id(pc, "tech@msp.test")
    with pytest.raises(Forbidden):
        pc.reports.timeliness(
            date(2026, 11, 2), date(2026, 11, 8), user_refs=["ned@msp.test"], actor_id=tia
        )
    with pytest.raises(Forbidden):
        pc.reports.timeliness(date(2026, 11, 2), date(2026, 11, 8), team="Field", actor_id=tia)
    mine = pc.reports.timeliness(date(2026, 11, 2), date(2026, 11, 8), actor_id=tia)
    assert [r.email for r in mine.rows] == ["tech@msp.test"]


def test_timeline_day(world: tuple[Punchclock, Clock]) -> None:
    pc, clock = world
    admin = _id(pc, "admin@msp.test")
    pc.directory.add_customer(admin, "Globex")
    fri = date(2026, 11, 27)
    clock.at = datetime(2026, 11, 27, 17, 0, tzinfo=UTC)
    tia = _id(pc, "tech@msp.test")
    _log(pc, "tech@msp.test", fri, 0, start=time(9), end=time(10, 30))
    pc.tracking.log(
        tia, day=fri, customer="Globex", start=time(11), end=time(12), description="printer"
    )
    _log(pc, "tech@msp.test", fri, H)  # untimed
    pc.tracking.start(
        tia, customer="ACME", at=datetime(2026, 11, 27, 15, 0, tzinfo=UTC), billable=False
    )
    days = pc.reports.timeline(fri, ["tech@msp.test"], actor_id=_id(pc, "boss@msp.test"))
    (day,) = days
    assert [
        (s.start.strftime("%H:%M"), s.end.strftime("%H:%M"), s.customer) for s in day.spans
    ] == [
        ("09:00", "10:30", "ACME"),
        ("11:00", "12:00", "Globex"),
        ("15:00", "17:00", "ACME"),
    ]
    assert day.spans[-1].running and not day.spans[-1].billable
    assert [u.duration_s for u in day.untimed] == [H]
    # gaps inside the default working window 09:00–17:30
    assert [(g.start.strftime("%H:%M"), g.end.strftime("%H:%M")) for g in day.gaps] == [
        ("10:30", "11:00"),
        ("12:00", "15:00"),
        ("17:00", "17:30"),
    ]
    assert (day.total_s, day.billable_s, day.scheduled_s) == (5 * H + 1800, 3 * H + 1800, 8 * H)
    team = pc.reports.timeline(fri, team="Field", actor_id=_id(pc, "boss@msp.test"))
    assert [d.user_email for d in team] == ["ned@msp.test", "tech@msp.test"]
    with pytest.raises(Forbidden):
        pc.reports.timeline(fri, ["ned@msp.test"], actor_id=tia)


def test_project_budget_burn_and_flags(world: tuple[Punchclock, Clock]) -> None:
    pc, clock = world
    admin = _id(pc, "admin@msp.test")
    p = pc.directory.add_project(admin, "ACME", "Migration", budget_s=10 * H)
    assert p.budget_s == 10 * H
    with pytest.raises(ValidationError):
        pc.directory.set_project_budget(admin, "Migration", budget_s=H, budget_minor=100)
    with pytest.raises(Forbidden):
        pc.directory.set_project_budget(_id(pc, "tech@msp.test"), "Migration", budget_s=H)
    mon = date(2026, 11, 9)
    pc.tracking.log(
        _id(pc, "tech@msp.test"),
        day=mon,
        project="Migration",
        duration_s=8 * H + 1800,
        description="moved the mailboxes",
    )
    clock.at = datetime(2026, 11, 13, 17, 0, tzinfo=UTC)
    pc.timesheets.submit(_id(pc, "tech@msp.test"), mon)
    pc.timesheets.approve(_id(pc, "boss@msp.test"), "tech@msp.test", mon)

    def row():  # type: ignore[no-untyped-def]
        report = pc.reports.profitability(
            mon, mon + timedelta(days=30), by="project", actor_id=admin
        )
        return next(r for r in report.rows if r.name == "Migration")

    first = row()
    assert (first.used_s, first.remaining_s, first.burn_pct, first.budget_flag) == (
        8 * H + 1800,
        H + 1800,
        Decimal("85.00"),
        "80",
    )
    # a draft week counts for the budget (all time logged) but not for profitability
    pc.tracking.log(
        _id(pc, "tech@msp.test"),
        day=mon + timedelta(days=7),
        project="Migration",
        duration_s=2 * H,
        description="moved the mailboxes",
    )
    second = row()
    assert (second.raw_s, second.used_s, second.budget_flag) == (8 * H + 1800, 10 * H + 1800, "100")
    pc.rates.set_rate(
        admin, "tech@msp.test", kind="billing", amount_minor=10000, effective_from=mon
    )
    money = pc.directory.set_project_budget(admin, "Migration", budget_minor=200000)
    assert (money.budget_s, money.budget_minor) == (None, 200000)
    third = row()
    assert (third.used_minor, third.remaining_minor, third.burn_pct) == (
        105000,
        95000,
        Decimal("52.50"),
    )
    # what the tray may ask when a timer starts on the project
    tech = pc.reports.project_budget(
        "Migration", actor_id=_id(pc, "tech@msp.test"), as_of=mon + timedelta(days=7)
    )
    assert tech is not None and (tech.burn_pct, tech.budget_flag, tech.used_minor) == (
        Decimal("52.50"), None, None,
    )  # fmt: skip
    boss = pc.reports.project_budget("Migration", actor_id=admin)  # today: the first week only
    assert boss is not None and (boss.used_minor, boss.burn_pct) == (85000, Decimal("42.50"))
    pc.directory.set_project_budget(admin, "Migration", clear=True)
    assert pc.reports.project_budget("Migration", actor_id=admin) is None


def test_profitability_is_for_managers(world: tuple[Punchclock, Clock]) -> None:
    pc, _ = world
    with pytest.raises(Forbidden) as info:
        pc.reports.profitability(
            date(2026, 11, 2), date(2026, 11, 8), actor_id=_id(pc, "tech@msp.test")
        )
    assert str(info.value) == "only managers and admins can see profitability"


@given(raw=st.integers(0, 86400), inc=st.integers(0, 120), minimum=st.integers(0, 240))
def test_sql_rounding_is_the_rounding_rule(raw: int, inc: int, minimum: int) -> None:
    from sqlalchemy import literal

    engine = _engine()
    with engine.connect() as conn:
        got = conn.scalar(select(billed_seconds_sql(literal(raw), literal(inc), literal(minimum))))
    assert got == billed_seconds(raw, inc, minimum)


_ENGINE: list[object] = []


def _engine():  # type: ignore[no-untyped-def]
    from sqlalchemy import create_engine

    if not _ENGINE:
        _ENGINE.append(create_engine("sqlite://"))
    return _ENGINE[0]
