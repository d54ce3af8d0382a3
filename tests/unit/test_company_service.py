"""CompanyService: policies, currency, holidays, time off, schedules."""

from __future__ import annotations

from datetime import date

import pytest

from desktop.core.app import Punchclock
from desktop.core.errors import Forbidden, ValidationError
from desktop.core.model import Outbox

WED = date(2026, 11, 25)


@pytest.fixture
def pc(msp: Punchclock) -> Punchclock:
    """``msp`` plus So Lo (solo@msp.test), in no team, and the customer ACME."""
    admin = uid(msp, "admin@msp.test")
    msp.directory.add_user(admin, "solo@msp.test", name="So Lo")
    msp.directory.add_customer(admin, "ACME")
    return msp


def uid(pc: Punchclock, email: str) -> str:
    return pc.directory.user(email).id


def outbox_entities(pc: Punchclock) -> list[str]:
    with pc.db.read() as s:
        return [r.entity for r in s.query(Outbox).order_by(Outbox.seq)]


def test_policy_defaults_and_admin_changes(pc: Punchclock) -> None:
    p = pc.company.policy()
    assert (p.min_description, p.currency) == (15, "EUR") and "client stuff" in p.vague
    admin = uid(pc, "admin@msp.test")
    p = pc.company.set_policy(
        admin, min_description=20, vague=["Stuff!", " todo ", ""], currency="usd"
    )
    assert (p.min_description, p.vague, p.currency) == (20, ("stuff", "todo"), "USD")
    assert pc.company.policy() == p
    assert outbox_entities(pc)[-2:] == ["company_setting", "company_setting"]
    with pytest.raises(Forbidden):
        pc.company.set_policy(uid(pc, "boss@msp.test"), min_description=3)
    with pytest.raises(ValidationError):
        pc.company.set_policy(admin, currency="euro")


def test_policy_drives_submit(pc: Punchclock) -> None:
    tech = uid(pc, "tech@msp.test")
    pc.tracking.log(tech, day=WED, customer="ACME", duration_s=3600, description="todo")
    pc.company.set_policy(uid(pc, "admin@msp.test"), min_description=3, vague=[])
    assert pc.timesheets.submit(tech, WED).status == "submitted"


def test_holiday_defaults_to_whole_day_and_replaces(pc: Punchclock) -> None:
    admin = uid(pc, "admin@msp.test")
    h = pc.company.add_holiday(admin, date(2026, 12, 25), name="Christmas")
    assert (h.hours_s, h.user_id, h.name) == (24 * 3600, None, "Christmas")
    h2 = pc.company.add_holiday(admin, date(2026, 12, 25), hours_s=4 * 3600, name="Christmas")
    assert h2.id == h.id and h2.hours_s == 4 * 3600
    assert len(pc.company.days_off(date(2026, 12, 1), date(2026, 12, 31))) == 1
    with pytest.raises(Forbidden):
        pc.company.add_holiday(uid(pc, "boss@msp.test"), date(2026, 12, 26))


def test_time_off_by_manager_or_admin_defaults_to_scheduled_hours(pc: Punchclock) -> None:
    boss = uid(pc, "boss@msp.test")
    off = pc.company.add_time_off(boss, "tech@msp.test", WED)
    assert (off.hours_s, off.user) == (8 * 3600, "tech@msp.test")
    with pytest.raises(Forbidden):
        pc.company.add_time_off(boss, "solo@msp.test", WED)  # not in the manager's team
    with pytest.raises(ValidationError, match="no hours scheduled"):
        pc.company.add_time_off(boss, "tech@msp.test", date(2026, 11, 28))  # Saturday
    admin = uid(pc, "admin@msp.test")
    assert pc.company.add_time_off(admin, "solo@msp.test", WED, hours_s=2 * 3600).hours_s == 7200
    mine = pc.company.days_off(WED, WED, user="tech@msp.test")
    assert [d.user for d in mine] == ["tech@msp.test"]


def test_schedule_and_target(pc: Punchclock) -> None:
    admin = uid(pc, "admin@msp.test")
    u = pc.company.update_user_schedule(
        admin, "tech@msp.test", schedule_s=[8 * 3600] * 4 + [6 * 3600, 0, 0], target=80
    )
    assert u.work_schedule_s[4] == 6 * 3600 and u.utilization_target == 80
    assert outbox_entities(pc)[-1] == "user"
    with pytest.raises(ValidationError):
        pc.company.update_user_schedule(admin, "tech@msp.test", schedule_s=[8 * 3600] * 6)
    with pytest.raises(ValidationError):
        pc.company.update_user_schedule(admin, "tech@msp.test", target=250)
    with pytest.raises(Forbidden):
        pc.company.update_user_schedule(uid(pc, "boss@msp.test"), "tech@msp.test", target=50)
