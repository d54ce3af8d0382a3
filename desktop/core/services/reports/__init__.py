"""Reports: utilization, profitability (with project budgets), timeliness,
overdue weeks and the daily timeline's data.

One implementation, three faces: the CLI prints these, the dashboards and the
timeline draw them, the exports reuse the money rules; nobody re-computes.

Rules this service enforces:

* **Who sees what** (:mod:`desktop.core.permissions`): a report covers the
  people whose reports the reader may read (``can_read_reports_of``: yourself,
  your team as its manager, everyone as an admin). Naming a team you may not
  read, or another person's timeliness as a technician, is refused;
  profitability needs ``can_see_profitability`` (managers, admins) and cost
  figures ``can_see_cost``.
* **Periods** are inclusive dates; a start after the end, or a period of more
  than 5 years, is refused.
* **Available** seconds of a person on a day = the scheduled seconds of that
  weekday − min(scheduled, company holiday + the person's time off). A 24 h
  holiday removes the whole scheduled day.
* **Utilization** = Σ billable ÷ Σ available (teams and the company too —
  never a mean of ratios), on all logged time (``basis="logged"``, a running
  timer up to now) or on approved weeks only (``basis="approved"``). The
  target of a group is its members' targets weighted by available hours.
  Under-utilized: utilization more than 10 points below target (exactly 10 is
  not); over-allocated: logged more than 10 % above available (exactly 10 % is
  not; any time logged with nothing available is). Both are integer
  comparisons, exact at their edges.
* **Trend** points are weeks (Monday to Sunday) or calendar months, clipped
  to the range, so the points of a range add up to the range's report.
* **Profitability** covers approved weeks (``include_submitted`` adds
  submitted ones). Billed seconds are each entry's raw seconds under its
  customer's rounding rule (:func:`desktop.core.rounding.billed_seconds`,
  applied per entry inside SQL); value = billed × the effective billing rate
  (billable entries); standard value = raw × that rate for every entry
  (billable or not); cost = raw × cost rate for every entry. Realization =
  value ÷ standard value; margin = value − cost; margin % = margin ÷ value.
  Money totals are exact integer sums rounded once per row
  (:func:`desktop.core.money.sum_value_minor`).
* **Budgets**: a project's budget is hours or money. Used = all time on the
  project up to the period's end, whatever its week's status (raw hours; or
  billed value). Burn = used ÷ budget; the flag is "80" from 80 % and "100"
  from 100 %.
* **Timeliness**: same-day share = hours whose entry was created on or
  before its work date (local time) ÷ hours logged; the delay of a manual or
  grid entry is its creation − the end of the work (its end, or the end of
  its local day when untimed), at least 0; a week is due once its deadline
  (:func:`desktop.core.services.company.load_deadline`) has passed and it had
  available hours; it is on time when its first submit came by the deadline.
* **Overdue weeks**: the last ``weeks`` weeks past their deadline that are
  not submitted or approved and had available hours or time logged —
  ``draft`` / ``rejected`` / ``returned`` from the sheet, ``missing`` when
  nothing was logged and no sheet exists. Weeks before a person's first
  entry are not owed (someone who never logged time owes no timesheets).
* **Timeline**: a day's timed entries as spans in the person's local time
  (clipped to the day; a running timer ends now), untimed entries apart, the
  gaps inside the working window (this device's working-day setting, on days
  with scheduled hours), and the day's totals.

Speed: every section is a fixed number of SQL statements (GROUP BY over
indexed columns), never one per person or day. No rate changes between two
dates on which some rate changes, so profitability groups by (person,
customer, project, billable) along a covering index and sums each such
segment apart, then resolves one rate per group and segment, not per entry. Timeliness reads one
narrow row per entry (a median is not an SQL aggregate in SQLite).
"""

from __future__ import annotations

from desktop.core.services.reports.common import (
    BASES,
    BY_PROFIT,
    BY_UTILIZATION,
    STEPS,
    available_seconds,
    check_period,
    in_weeks_with_status,
    over_allocated,
    pct,
    period_buckets,
    under_utilized,
)
from desktop.core.services.reports.profitability import ProfitabilityReports, RateBook, budget_flag
from desktop.core.services.reports.timeline import TimelineReports
from desktop.core.services.reports.timeliness import TimelinessReports
from desktop.core.services.reports.utilization import UtilizationReports


class ReportsService(UtilizationReports, ProfitabilityReports, TimelinessReports, TimelineReports):
    """Utilization, profitability, timeliness, overdue weeks and the timeline
    (see the rules above); one service, one module per report."""


__all__ = [
    "BASES",
    "BY_PROFIT",
    "BY_UTILIZATION",
    "STEPS",
    "RateBook",
    "ReportsService",
    "available_seconds",
    "budget_flag",
    "check_period",
    "in_weeks_with_status",
    "over_allocated",
    "pct",
    "period_buckets",
    "under_utilized",
]
