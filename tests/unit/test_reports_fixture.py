"""The hand-computed fixture (tests/unit/reports_world.py), with the arithmetic
written out: available hours, utilization, value, cost, margin, realization."""

from __future__ import annotations

from decimal import Decimal

import pytest
from reports_world import END, START, H, M, admin_id, build, uid

from desktop.core.app import Punchclock


@pytest.fixture
def pc(msp: Punchclock) -> Punchclock:
    build(msp)
    return msp


def test_available_and_utilization_by_technician(pc: Punchclock) -> None:
    report = pc.reports.utilization(START, END, actor_id=admin_id(pc))
    rows = {r.email: r for r in report.rows}
    # 5 days × 8 h = 40 h, − the Wednesday holiday 8 h = 32 h; Tia also − 4 h = 28 h.
    assert rows["tech@msp.test"].available_s == 28 * H
    assert rows["ned@msp.test"].available_s == 32 * H
    assert rows["rob@msp.test"].available_s == 32 * H
    # Managers and the admin have schedules too but logged nothing.
    assert rows["boss@msp.test"].available_s == 32 * H and rows["boss@msp.test"].logged_s == 0
    tia = rows["tech@msp.test"]
    # billable 0:20 + 2:05 + 3:00 + 4:00 + 1:10 = 10:35; non-billable 2:00
    assert (tia.billable_s, tia.non_billable_s) == (10 * H + 35 * M, 2 * H)
    # 10:35 ÷ 28:00 = 635 ÷ 1680 = 37.797619…%
    assert tia.utilization_pct == Decimal("37.7976")
    assert tia.target_pct == 75 and tia.gap_pts == Decimal("-37.2024")
    assert tia.capacity_s == 28 * H - (12 * H + 35 * M)
    assert tia.under_utilized and not tia.over_allocated
    ned = rows["ned@msp.test"]
    # 1:00 + 0:08 + 6:00 = 7:08 billable; 7:08 ÷ 32:00 = 428 ÷ 1920 = 22.291666…%
    assert ned.billable_s == 7 * H + 8 * M and ned.utilization_pct == Decimal("22.2917")
    rob = rows["rob@msp.test"]
    # 4 × 7:00 = 28:00 ÷ 32:00 = 87.5 %
    assert rob.utilization_pct == Decimal("87.5000")
    assert not rob.under_utilized and not rob.over_allocated


def test_team_and_company_are_sums_not_means(pc: Punchclock) -> None:
    teams = pc.reports.utilization(START, END, by="team", actor_id=admin_id(pc))
    field = next(r for r in teams.rows if r.name == "Field")
    # Field = Tia + Ned (+ Bo? no: Bo manages Field but is not in it).
    # Σ billable 10:35 + 7:08 = 17:43 = 63,780 s; Σ available 28 + 32 = 60 h = 216,000 s
    # 63,780 ÷ 216,000 = 29.527777…% (the mean of the two ratios would be 30.04 %)
    assert (field.billable_s, field.available_s) == (63_780, 216_000)
    assert field.utilization_pct == Decimal("29.5278")
    company = teams.total
    # Everyone: billable 63,780 + Rob 100,800 = 164,580 s; available: Tia 28 h, Ned, Rob,
    # Bo, Rhea and Ada 32 h each = 188 h = 676,800 s → 24.3174…%
    assert (company.billable_s, company.available_s) == (164_580, 676_800)
    assert company.utilization_pct == Decimal("24.3174")
    assert pc.reports.utilization(START, END, by="company", actor_id=admin_id(pc)).rows == (
        company,
    )


def test_a_manager_sees_their_team_only(pc: Punchclock) -> None:
    report = pc.reports.utilization(START, END, actor_id=uid(pc, "boss@msp.test"))
    # their own row too (their own reports are theirs to read)
    assert sorted(r.email for r in report.rows) == [
        "boss@msp.test",
        "ned@msp.test",
        "tech@msp.test",
    ]


def test_approved_basis_drops_weeks_not_approved(pc: Punchclock) -> None:
    admin = admin_id(pc)
    approved = pc.reports.utilization(START, END, basis="approved", actor_id=admin)
    logged = pc.reports.utilization(START, END, actor_id=admin)
    assert approved.total == logged.total
    pc.timesheets.reopen(admin, "rob@msp.test", START, "wrong customer")
    after = pc.reports.utilization(START, END, basis="approved", actor_id=admin)
    assert after.total.billable_s == 63_780


def test_profitability_by_technician(pc: Punchclock) -> None:
    report = pc.reports.profitability(START, END, by="technician", actor_id=admin_id(pc))
    rows = {r.name: r for r in report.rows}
    tia = rows["Tia Tech"]
    # billed: 0:30 (minimum) + 2:15 (15-min up) + 3:00 + 4:00 + 1:10 = 10:55
    assert tia.billed_s == 10 * H + 55 * M
    # value: 0.5 h×100 + 2.25 h×100 + 3 h×100 + 4 h×120 + 7/6 h×120
    #      = 50 + 225 + 300 + 480 + 140 = 1,195.00
    assert tia.value_minor == 119_500
    # standard (raw × rate, all hours): 1/3×100 + 25/12×100 + 300 + 480 + 2 h×120 + 140
    #      = 33.333… + 208.333… + 300 + 480 + 240 + 140 = 1,401.666… → 1,401.67
    assert tia.standard_minor == 140_167
    # cost: 12:35 × 40 = 503.333… → 503.33
    assert tia.cost_minor == 50_333
    assert tia.margin_minor == 119_500 - 50_333
    assert tia.margin_pct == Decimal("57.88")  # 69,167 ÷ 119,500
    assert tia.realization_pct == Decimal("85.26")  # 119,500 ÷ 140,167
    ned = rows["Ned Nerd"]
    # billed 1:00 + 0:30 + 6:00 = 7:30 × 80 = 600.00; cost 11:08 × 30 = 334.00
    assert (ned.billed_s, ned.value_minor, ned.cost_minor) == (7 * H + 30 * M, 60_000, 33_400)
    # standard 11:08 × 80 = 890.666… → 890.67
    assert ned.standard_minor == 89_067
    rob = rows["Rob Roam"]
    assert (rob.value_minor, rob.cost_minor, rob.realization_pct) == (252_000, 98_000, 100)
    total = report.total
    assert total.value_minor == 119_500 + 60_000 + 252_000
    assert total.cost_minor == 50_333 + 33_400 + 98_000


def test_profitability_by_customer(pc: Punchclock) -> None:
    rows = {r.name: r for r in pc.reports.profitability(START, END, actor_id=admin_id(pc)).rows}
    # ACME: Tia 50 + 225 + 480 = 755.00; Ned 80 + 40 = 120.00
    assert rows["ACME"].value_minor == 87_500
    # Internal: no value, standard Tia 2 h × 120 + Ned 4 h × 80 = 560.00
    assert (rows["MSP Internal"].value_minor, rows["MSP Internal"].standard_minor) == (0, 56_000)
    assert rows["MSP Internal"].realization_pct == 0
