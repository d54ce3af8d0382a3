"""Utilization: flags exact at their edges, group figures as sums (Hypothesis),
a period equal to the sum of its weekly trend points, bad input."""

from __future__ import annotations

import tempfile
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reports_world import admin_id, uid

from desktop.core.app import Punchclock
from desktop.core.db import open_database
from desktop.core.errors import Forbidden, NotFound, ValidationError
from desktop.core.services.reports import (
    available_seconds,
    over_allocated,
    pct,
    period_buckets,
    under_utilized,
)

H = 3600
WEEK = date(2026, 11, 9), date(2026, 11, 15)  # Monday–Sunday, before the fixture's NOW


def _log_week(pc: Punchclock, email: str, billable_s: int, other_s: int = 0) -> None:
    """Spread billable (ACME) and non-billable (Internal) seconds over Mon–Fri."""
    who = uid(pc, email)
    for seconds, customer in ((billable_s, "ACME"), (other_s, "Internal")):
        per_day, rest = divmod(seconds, 5)
        for i in range(5):
            amount = per_day + (rest if i == 4 else 0)
            if amount:
                pc.tracking.log(
                    who,
                    day=WEEK[0] + timedelta(days=i),
                    customer=customer,
                    duration_s=amount,
                    description="rack and stack the new switches",
                )


@pytest.fixture
def pc(msp: Punchclock) -> Punchclock:
    admin = admin_id(msp)
    msp.directory.add_customer(admin, "ACME")
    msp.directory.add_customer(admin, "Internal", internal=True)
    return msp


def _row(pc: Punchclock, email: str = "tech@msp.test"):  # type: ignore[no-untyped-def]
    report = pc.reports.utilization(*WEEK, actor_id=admin_id(pc))
    return next(r for r in report.rows if r.email == email)


@pytest.mark.parametrize(
    ("logged_s", "flag"),
    [(46 * H, True), (44 * H, False), (44 * H + 1, True)],
    ids=["46 of 40", "exactly +10%", "one second past"],
)
def test_over_allocated_edge(pc: Punchclock, logged_s: int, flag: bool) -> None:
    _log_week(pc, "tech@msp.test", 30 * H, logged_s - 30 * H)
    row = _row(pc)
    assert row.available_s == 40 * H and row.logged_s == logged_s
    assert row.over_allocated is flag
    assert row.capacity_s == 40 * H - logged_s


@pytest.mark.parametrize(
    ("billable_s", "flag"),
    [(20 * H, True), (26 * H, False), (26 * H - 1, True)],
    ids=["50% vs 75%", "exactly 10 points", "one second more below"],
)
def test_under_utilized_edge(pc: Punchclock, billable_s: int, flag: bool) -> None:
    _log_week(pc, "tech@msp.test", billable_s)
    row = _row(pc)
    assert row.target_pct == 75
    assert row.under_utilized is flag
    if billable_s == 20 * H:
        assert row.utilization_pct == Decimal("50.0000") and row.gap_pts == Decimal("-25.0000")


def test_flag_functions_at_the_edges() -> None:
    assert not over_allocated(44, 40) and over_allocated(45, 40)
    assert over_allocated(1, 0) and not over_allocated(0, 0)
    # 65 % vs 75 %: exactly 10 points below → not flagged
    assert not under_utilized(65, 100, 75 * 100) and under_utilized(64, 100, 75 * 100)
    assert not under_utilized(0, 0, 0)


def test_available_seconds_counts_days_and_days_off() -> None:
    sched = (8 * H,) * 5 + (0, 0)
    assert available_seconds(sched, date(2026, 11, 2), date(2026, 11, 29), {}) == 160 * H
    # a 24 h holiday removes the scheduled day only; a Saturday one removes nothing
    off = {date(2026, 11, 4): 24 * H, date(2026, 11, 7): 24 * H, date(2026, 12, 1): 8 * H}
    assert available_seconds(sched, date(2026, 11, 2), date(2026, 11, 8), off) == 32 * H


def test_trend_points_and_period_change(pc: Punchclock) -> None:
    _log_week(pc, "tech@msp.test", 30 * H)
    admin = admin_id(pc)
    trend = pc.reports.utilization_trend(
        date(2026, 11, 2), WEEK[1], step="week", by="technician", actor_id=admin
    )
    assert [p.start for p in trend.points] == [date(2026, 11, 2), WEEK[0]]
    tia = [next(r for r in p.rows if r.email == "tech@msp.test") for p in trend.points]
    assert [r.billable_s for r in tia] == [0, 30 * H]
    # company: 30 h of 3 people × 40 h in the second week, nothing in the first
    assert trend.change_pts == Decimal("25.0000")
    report = pc.reports.utilization(*WEEK, by="company", actor_id=admin)
    assert (report.previous_pct, report.change_pts) == (Decimal("0.0000"), Decimal("25.0000"))
    months = pc.reports.utilization_trend(
        date(2026, 10, 15), date(2026, 11, 20), step="month", actor_id=admin
    )
    assert [(p.start, p.end) for p in months.points] == [
        (date(2026, 10, 15), date(2026, 10, 31)),
        (date(2026, 11, 1), date(2026, 11, 20)),
    ]


def test_running_timer_counts_up_to_now(pc: Punchclock) -> None:
    tia = uid(pc, "tech@msp.test")
    pc.tracking.start(
        tia, customer="ACME", at=datetime(2026, 11, 27, 15, 0, tzinfo=UTC), description="x" * 20
    )
    report = pc.reports.utilization(date(2026, 11, 27), date(2026, 11, 27), actor_id=admin_id(pc))
    assert next(r for r in report.rows if r.email == "tech@msp.test").billable_s == 2 * H


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (
            lambda pc, a: pc.reports.utilization(date(2026, 11, 9), date(2026, 11, 1), actor_id=a),
            ValidationError,
        ),
        (
            lambda pc, a: pc.reports.utilization(date(2020, 1, 1), date(2025, 1, 1), actor_id=a),
            ValidationError,
        ),
        (lambda pc, a: pc.reports.utilization(*WEEK, team="Nope", actor_id=a), NotFound),
        (lambda pc, a: pc.reports.utilization(*WEEK, by="planet", actor_id=a), ValidationError),
        (lambda pc, a: pc.reports.utilization(*WEEK, basis="vibes", actor_id=a), ValidationError),
    ],
    ids=["from after to", "over 5 years", "unknown team", "unknown by", "unknown basis"],
)
def test_bad_input_is_one_line(pc: Punchclock, call, error) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(error) as info:
        call(pc, admin_id(pc))
    assert "\n" not in str(info.value)


def test_a_technician_cannot_read_a_team(pc: Punchclock) -> None:
    with pytest.raises(Forbidden):
        pc.reports.utilization(*WEEK, team="Field", actor_id=uid(pc, "tech@msp.test"))
    own = pc.reports.utilization(*WEEK, actor_id=uid(pc, "tech@msp.test"))
    assert [r.email for r in own.rows] == ["tech@msp.test"]


# ------------------------------------------------------------------ Hypothesis

people = st.lists(
    st.tuples(
        st.integers(0, 2),  # team index (0 = no team)
        st.integers(0, 10),  # hours per day
        st.integers(0, 150),  # target
        st.lists(
            st.tuples(st.integers(0, 20), st.integers(1, 4 * 60), st.booleans()),
            max_size=5,
        ),  # (day offset, minutes, billable)
    ),
    min_size=1,
    max_size=5,
)


def _world(
    spec: list[tuple[int, int, int, list[tuple[int, int, bool]]]], folder: Path
) -> Punchclock:
    pc = Punchclock(open_database(folder), clock=lambda: datetime(2026, 12, 31, tzinfo=UTC))
    admin = pc.directory.init_profile(name="Ada", email="ada@x.test", hours_per_day_s=0).id
    pc.directory.add_customer(admin, "C")
    for t in (1, 2):
        pc.directory.add_team(admin, f"T{t}", manager="ada@x.test")
    start = date(2026, 11, 2)
    for i, (team, hours, target, logs) in enumerate(spec):
        email = f"u{i}@x.test"
        pc.directory.add_user(
            admin, email, name=f"U{i}", team=f"T{team}" if team else None, hours_per_day_s=hours * H
        )
        pc.company.update_user_schedule(admin, email, target=target)
        who = uid(pc, email)
        for offset, minutes, billable in logs:
            pc.tracking.log(
                who,
                day=start + timedelta(days=offset),
                customer="C",
                duration_s=minutes * 60,
                billable=billable,
                description="work on the thing",
            )
    pc.company.add_holiday(admin, date(2026, 11, 11))
    return pc


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=people)
def test_groups_are_sums_and_periods_sum_their_weeks(spec) -> None:  # type: ignore[no-untyped-def]
    with tempfile.TemporaryDirectory() as folder:
        pc = _world(spec, Path(folder))
        try:
            admin = admin_id_of(pc)
            start, end = date(2026, 11, 4), date(2026, 11, 22)
            by_person = pc.reports.utilization(start, end, actor_id=admin)
            people_rows = [r for r in by_person.rows if r.email != "ada@x.test"]
            by_team = pc.reports.utilization(start, end, by="team", actor_id=admin)
            for team in by_team.rows:
                members = [r for r in by_person.rows if (r.team or "(no team)") == team.name]
                b = sum(r.billable_s for r in members)
                a = sum(r.available_s for r in members)
                assert (team.billable_s, team.available_s) == (b, a)
                assert team.utilization_pct == pct(b, a)
            total = by_person.total
            assert total.billable_s == sum(r.billable_s for r in people_rows)
            assert total.available_s == sum(r.available_s for r in by_person.rows)
            assert total.utilization_pct == pct(total.billable_s, total.available_s)
            trend = pc.reports.utilization_trend(start, end, by="technician", actor_id=admin)
            assert len(trend.points) == len(period_buckets(start, end, "week")) == 3
            for row in by_person.rows:
                points = [next(r for r in p.rows if r.key == row.key) for p in trend.points]
                assert sum(p.available_s for p in points) == row.available_s
                assert sum(p.billable_s for p in points) == row.billable_s
                assert sum(p.logged_s for p in points) == row.logged_s
        finally:
            pc.close()


def admin_id_of(pc: Punchclock) -> str:
    return pc.directory.user("ada@x.test").id
