"""Rows whose create the server refused are held back (desktop.core.outbox):
weeks, totals, money and available hours leave them out until an edit is
queued or the server has a copy; the rule lives in one predicate."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select, update

from desktop.core.app import Punchclock
from desktop.core.model import Holiday, Outbox
from desktop.core.outbox import counted

MONDAY = date(2026, 11, 23)
H = 3600


def _refuse(pc: Punchclock, row_id: str) -> None:
    """What the sync client does when the server refuses the row's create."""
    with pc.db.write() as s:
        s.execute(
            update(Outbox)
            .where(Outbox.entity_id == row_id, Outbox.op == "create")
            .values(state="attention", last_error="locked: week 2026-W48 is approved")
        )


def _figures(pc: Punchclock, admin: str, tech: str) -> tuple[int, int | None, int, int]:
    """Tech's week total, the billing rate of the first entry, Tech's available
    hours in the week and the company holidays listed."""
    week = pc.grid.week(tech, MONDAY)
    entries = pc.tracking.entries(tech, start=MONDAY, end=date(2026, 11, 29))
    money = pc.rates.money(admin, entries)
    util = pc.reports.utilization(MONDAY, date(2026, 11, 29), actor_id=admin)
    (row,) = [r for r in util.rows if r.email == "tech@msp.test"]
    holidays = pc.company.days_off(MONDAY, date(2026, 11, 29))
    return week.total_s, money[0].rate_minor, row.available_s, len(holidays)


def test_held_back_rows_count_nowhere_until_edited_or_known_to_the_server(
    msp: Punchclock,
) -> None:
    admin = msp.directory.user("admin@msp.test").id
    tech = msp.directory.user("tech@msp.test").id
    msp.directory.add_customer(admin, "ACME")
    msp.rates.set_rate(admin, "tech@msp.test", kind="billing", amount_minor=100_00,
                       effective_from=date(2026, 11, 1))  # fmt: skip
    msp.tracking.log(tech, day=MONDAY, customer="ACME", duration_s=8 * H,
                     description="migrated the file shares")  # fmt: skip
    extra = msp.tracking.log(tech, day=MONDAY, customer="ACME", duration_s=2 * H,
                             description="patched the hypervisors").entry  # fmt: skip
    raise_ = msp.rates.set_rate(admin, "tech@msp.test", kind="billing", amount_minor=200_00,
                                effective_from=date(2026, 11, 20))  # fmt: skip
    holiday = msp.company.add_holiday(admin, date(2026, 11, 26), name="Thanksgiving")
    assert _figures(msp, admin, tech) == (10 * H, 200_00, 32 * H, 1)

    for row_id in (extra.id, raise_.id, holiday.id):
        _refuse(msp, row_id)
    assert _figures(msp, admin, tech) == (8 * H, 100_00, 40 * H, 0)
    assert {r.amount_minor for r in msp.rates.list_rates(admin)} == {100_00}

    # An edit queued on top re-sends the create: the entry counts again.
    msp.tracking.edit(tech, extra.id, description="patched both hypervisors")
    assert msp.grid.week(tech, MONDAY).total_s == 10 * H
    # A row the server has a copy of (a version) is never held back.
    with msp.db.write() as s:
        s.execute(update(Holiday).where(Holiday.id == holiday.id).values(version=3))
        assert s.scalar(select(Holiday.id).where(counted(Holiday))) == holiday.id
    assert _figures(msp, admin, tech)[2:] == (32 * H, 1)
