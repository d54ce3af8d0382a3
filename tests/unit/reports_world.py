"""The hand-computed reports fixture, shared by the reports and
exports tests.

Week 2026-W45, Monday 2 – Sunday 8 November 2026; everyone works 8 h Monday to
Friday (target 75 %). Wednesday 4 is a company holiday; Tia takes Friday
afternoon off (4 h). Teams: Field (manager Bo: Tia, Ned) and Remote (manager
Rhea: Rob). Customers: ACME rounds to 15 minutes with a 30-minute minimum,
Globex doesn't round, "MSP Internal" is internal (non-billable).

Rates (per hour): Tia bills 100.00 until Wednesday and 120.00 from Thursday 5
(the change mid-period), cost 40.00; Ned bills 80.00, cost 30.00; Rob bills
90.00, cost 35.00.

Every week is submitted and approved.
"""

from __future__ import annotations

from datetime import date

from desktop.core.app import Punchclock

MON = date(2026, 11, 2)
START, END = MON, date(2026, 11, 8)
H = 3600
M = 60

# (who, day offset from Monday, customer, seconds, description)
ENTRIES: list[tuple[str, int, str, int]] = [
    # Tia
    ("tech@msp.test", 0, "ACME", 20 * M),  # billed 30 min (minimum) @100
    ("tech@msp.test", 0, "ACME", 2 * H + 5 * M),  # billed 2:15 @100
    ("tech@msp.test", 1, "Globex", 3 * H),  # 3:00 @100
    ("tech@msp.test", 3, "ACME", 4 * H),  # 4:00 @120 (after the change)
    ("tech@msp.test", 3, "MSP Internal", 2 * H),  # non-billable
    ("tech@msp.test", 4, "Globex", 1 * H + 10 * M),  # 1:10 @120
    # Ned
    ("ned@msp.test", 0, "ACME", 1 * H),  # 1:00 @80
    ("ned@msp.test", 1, "ACME", 8 * M),  # billed 30 min (minimum) @80
    ("ned@msp.test", 3, "MSP Internal", 4 * H),  # non-billable
    ("ned@msp.test", 4, "Globex", 6 * H),  # 6:00 @80
    # Rob
    *[("rob@msp.test", d, "Globex", 7 * H) for d in (0, 1, 3, 4)],  # 4 × 7:00 @90
]


JAN = date(2026, 1, 1)
RATES = [
    ("tech@msp.test", "billing", 10000, JAN),
    ("tech@msp.test", "billing", 12000, date(2026, 11, 5)),
    ("tech@msp.test", "cost", 4000, JAN),
    ("ned@msp.test", "billing", 8000, JAN),
    ("ned@msp.test", "cost", 3000, JAN),
    ("rob@msp.test", "billing", 9000, JAN),
    ("rob@msp.test", "cost", 3500, JAN),
]


def admin_id(pc: Punchclock) -> str:
    return pc.directory.user("admin@msp.test").id


def uid(pc: Punchclock, email: str) -> str:
    return pc.directory.user(email).id


def build(pc: Punchclock, *, approve: bool = True) -> dict[str, list[str]]:
    """Lay the fixture on ``msp``; returns entry ids per email."""
    admin = admin_id(pc)
    d = pc.directory
    d.add_user(admin, "ned@msp.test", name="Ned Nerd", team="Field")
    d.add_user(admin, "rhea@msp.test", name="Rhea Remote", role="manager")
    d.add_team(admin, "Remote", manager="rhea@msp.test")
    d.add_user(admin, "rob@msp.test", name="Rob Roam", team="Remote")
    d.add_customer(admin, "ACME", round_increment_min=15, round_minimum_min=30)
    d.add_customer(admin, "Globex")
    d.add_customer(admin, "MSP Internal", internal=True)
    pc.company.add_holiday(admin, date(2026, 11, 4), name="Founders' day")
    pc.company.add_time_off(admin, "tech@msp.test", date(2026, 11, 6), hours_s=4 * H)
    for email, kind, amount, since in RATES:
        pc.rates.set_rate(admin, email, kind=kind, amount_minor=amount, effective_from=since)
    ids: dict[str, list[str]] = {}
    for email, offset, customer, seconds in ENTRIES:
        day = date.fromordinal(MON.toordinal() + offset)
        saved = pc.tracking.log(
            uid(pc, email),
            day=day,
            customer=customer,
            duration_s=seconds,
            description=f"{customer} work for the week of {MON}",
        )
        ids.setdefault(email, []).append(saved.entry.id)
    if approve:
        for email, boss in (
            ("tech@msp.test", "boss@msp.test"),
            ("ned@msp.test", "boss@msp.test"),
            ("rob@msp.test", "rhea@msp.test"),
        ):
            pc.timesheets.submit(uid(pc, email), MON)
            pc.timesheets.approve(uid(pc, boss), email, MON)
    return ids
