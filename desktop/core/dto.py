"""Plain, frozen dataclasses handed to the CLI and the UI.

Services never return live ORM objects: a window may keep one of these for as
long as it likes, across threads, without touching the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from desktop.core.entry_dto import Entry as Entry
from desktop.core.entry_dto import TimerStatus as TimerStatus
from desktop.core.entry_dto import target_label as target_label
from desktop.core.entry_dto import target_path as target_path
from desktop.core.entry_dto import task_label as task_label
from desktop.core.entry_dto import worked_s as worked_s
from desktop.core.errors import Problem
from desktop.core.timeutil import format_week


@dataclass(frozen=True)
class Customer:
    id: str
    name: str
    is_internal: bool
    default_billable: bool
    round_increment_min: int
    round_minimum_min: int
    active: bool


@dataclass(frozen=True)
class Project:
    id: str
    customer_id: str
    customer: str
    name: str
    default_billable: bool | None
    active: bool
    budget_s: int | None = None
    budget_minor: int | None = None


@dataclass(frozen=True)
class Task:
    id: str
    customer_id: str
    customer: str
    project_id: str | None
    project: str | None
    title: str
    external_ref: str | None
    status: str
    default_billable: bool | None
    created_by: str | None = None

    @property
    def label(self) -> str:
        return task_label(self.title, self.external_ref)


@dataclass(frozen=True)
class DirectoryItem:
    """A customer, project or task as the Manage window lists it: how many
    time entries refer to it, and what the reader may do with it (the core's
    permissions: rename, change, archive — ``can_edit`` — and delete, only
    while unused — ``can_delete``)."""

    item: Customer | Project | Task
    entries: int
    can_edit: bool
    can_delete: bool

    @property
    def active(self) -> bool:
        item = self.item
        return item.status == "open" if isinstance(item, Task) else item.active


@dataclass(frozen=True)
class DirectoryLists:
    """Everything the Manage window shows, archived rows included, with what
    the reader may add."""

    customers: tuple[DirectoryItem, ...]
    projects: tuple[DirectoryItem, ...]
    tasks: tuple[DirectoryItem, ...]
    can_manage_customers: bool
    can_create_task: bool


@dataclass(frozen=True)
class Team:
    id: str
    name: str
    manager_id: str | None
    manager_email: str | None


@dataclass(frozen=True)
class User:
    id: str
    name: str
    email: str
    role: str
    team_id: str | None
    team: str | None
    work_schedule_s: tuple[int, ...]
    utilization_target: int
    timezone: str
    first_weekday: int
    managed_team_ids: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class SavedEntry:
    """An entry that was just written, and the warnings the write produced
    (overlaps and short/vague descriptions are allowed but reported).
    ``stopped`` is the timer a switch stopped; ``dropped`` the timer a switch or
    stop discarded because it ran under a minute (for a stop, ``entry`` too)."""

    entry: Entry
    warnings: tuple[str, ...] = ()
    stopped: Entry | None = None
    dropped: Entry | None = None


@dataclass(frozen=True)
class TodayEntry:
    """One of today's entries in the tray: ``locked`` says why it can't be
    changed (None: it can), ``note`` what the description policy says of it."""

    entry: Entry
    locked: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Today:
    """A technician's day: its entries, and its and its week's logged time
    without the running timer (``running``, whose live time the reader adds)."""

    day: date
    week: str
    entries: tuple[TodayEntry, ...]
    scheduled_s: int
    day_closed_s: int
    week_closed_s: int
    running: Entry | None = None

    def day_s(self, now: datetime) -> int:
        running = self.running
        live = running.elapsed_s(now) if running and running.work_date == self.day else 0
        return self.day_closed_s + live

    def week_s(self, now: datetime) -> int:
        return self.week_closed_s + (self.running.elapsed_s(now) if self.running else 0)


@dataclass(frozen=True)
class Combination:
    """A customer / project / task combination the user tracked recently."""

    customer_id: str
    customer: str
    project_id: str | None
    project: str | None
    task_id: str | None
    task: str | None
    task_ref: str | None
    last_used: datetime
    description: str = ""  # the description of its latest entry (a restart reuses it)

    @property
    def path(self) -> str:
        return target_path(self.customer, self.project, self.task, self.task_ref)

    @property
    def label(self) -> str:
        return target_label(self.customer, self.project, self.task, self.task_ref)


# ------------------------------------------------------ timesheets and money


@dataclass(frozen=True)
class GridCell:
    """One day of one grid row: the seconds logged and the entries behind them."""

    seconds: int
    entry_ids: tuple[str, ...]


@dataclass(frozen=True)
class GridRow:
    """A customer › project › task combination with time in the week."""

    customer_id: str
    customer: str
    project_id: str | None
    project: str | None
    task_id: str | None
    task: str | None
    task_ref: str | None
    cells: tuple[GridCell, ...]
    total_s: int
    billable_s: int

    @property
    def path(self) -> str:
        return target_path(self.customer, self.project, self.task, self.task_ref)

    @property
    def label(self) -> str:
        return target_label(self.customer, self.project, self.task, self.task_ref)


@dataclass(frozen=True)
class Sheet:
    """A user's timesheet for one week (status ``draft`` when no row exists yet)."""

    id: str | None
    user_id: str
    user: str
    week_start: date
    week: str
    status: str
    note: str | None
    submitted_at: datetime | None
    decided_at: datetime | None
    decided_by: str | None


@dataclass(frozen=True)
class Grid:
    """The weekly timesheet grid: rows × 7 days, with totals."""

    sheet: Sheet
    days: tuple[date, ...]
    rows: tuple[GridRow, ...]
    day_totals_s: tuple[int, ...]
    total_s: int
    billable_s: int
    non_billable_s: int


@dataclass(frozen=True)
class SheetSummary:
    """One line of the approvals list.

    ``warnings`` counts the problems that would refuse a submit now (the CLI's
    figure); ``flags`` are the reviewer's warnings in words (vague or missing
    descriptions, days over 10 h, overlaps, submitted early or short) and
    ``actions`` the workflow actions the reader may take on the sheet now."""

    sheet: Sheet
    name: str
    total_s: int
    billable_s: int
    warnings: int
    team: str | None = None
    scheduled_s: int = 0
    utilization_pct: int | None = None
    target_pct: int = 0
    flags: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()

    @property
    def non_billable_s(self) -> int:
        return self.total_s - self.billable_s


@dataclass(frozen=True)
class DayInfo:
    """One day of a user's week: scheduled hours after holidays and time off."""

    date: date
    scheduled_s: int
    off_s: int = 0
    off_name: str = ""
    workday: bool = True  # the user's schedule has hours on this weekday


@dataclass(frozen=True)
class WeekView:
    """Everything the timesheet window shows of one week, read in one go."""

    grid: Grid
    entries: tuple[Entry, ...]
    days: tuple[DayInfo, ...]
    today: date
    problems: tuple[Problem, ...]
    actions: tuple[str, ...]
    locked: str | None  # why entries can't be changed, None when they can
    scheduled_s: int
    ended: bool  # the week's last day is over (in the owner's timezone)
    future: bool  # the week has not started yet (it can't be submitted)
    confirm_submit: str | None = None  # the question to ask before submitting, if any

    def entry(self, entry_id: str) -> Entry | None:
        return next((e for e in self.entries if e.id == entry_id), None)

    def problems_of(self, entry_id: str) -> list[Problem]:
        return [p for p in self.problems if p.entry_id == entry_id]


@dataclass(frozen=True)
class SheetDetail:
    """A reviewed sheet, loaded when it is selected: entries, problems, history."""

    summary: SheetSummary
    entries: tuple[Entry, ...]
    problems: tuple[Problem, ...]
    history: tuple[SheetEvent, ...]


@dataclass(frozen=True)
class Decision:
    """The latest reject or return of one of the user's weeks (the tray tells them)."""

    event_id: str
    week_start: date
    week: str
    action: str
    status: str
    comment: str | None
    actor: str
    at: datetime


@dataclass(frozen=True)
class SheetEvent:
    """One audit event of a timesheet (append-only)."""

    action: str
    from_status: str
    to_status: str
    actor_id: str
    actor: str
    comment: str | None
    at: datetime
    content_hash: str


@dataclass(frozen=True)
class Rate:
    """An effective-dated rate, ``amount_minor`` per hour in ``currency``."""

    id: str
    user_id: str
    user: str
    kind: str
    amount_minor: int
    currency: str
    effective_from: date
    customer_id: str | None
    customer: str | None
    project_id: str | None
    project: str | None


@dataclass(frozen=True)
class EntryMoney:
    """Billed time and money of one entry. ``value`` and ``cost`` are unrounded
    Decimal minor units (sum them, round once); None when not applicable (a
    non-billable entry has no value, no rate in effect means no figure) or, for
    cost, when the reader may not see cost rates."""

    entry_id: str
    raw_s: int
    billed_s: int | None
    rate_minor: int | None
    value: Decimal | None
    cost_rate_minor: int | None
    cost: Decimal | None
    currency: str


@dataclass(frozen=True)
class Policy:
    """Company policies: the description policy and the company currency."""

    min_description: int
    vague: tuple[str, ...]
    currency: str


@dataclass(frozen=True)
class DayOff:
    """A company holiday (``user_id`` None) or one user's time off on a date."""

    id: str
    date: date
    hours_s: int
    name: str
    user_id: str | None
    user: str | None


# ------------------------------------------------------------------- reports


@dataclass(frozen=True)
class UtilizationRow:
    """Utilization of one technician, one team or the company over a period.

    ``utilization_pct`` is Σ billable ÷ Σ available × 100 (4 decimals, half-up;
    None when nothing was available), never a mean of ratios. ``target_pct``
    is the person's target; for a team or the company it is the targets
    weighted by available hours. ``gap_pts`` = utilization − target (negative:
    below target). ``capacity_s`` = available − logged (negative when
    over-allocated)."""

    key: str
    name: str
    email: str | None
    team: str | None
    members: int
    available_s: int
    logged_s: int
    billable_s: int
    non_billable_s: int
    utilization_pct: Decimal | None
    target_pct: Decimal | None
    gap_pts: Decimal | None
    capacity_s: int
    under_utilized: bool
    over_allocated: bool


@dataclass(frozen=True)
class UtilizationReport:
    start: date
    end: date
    by: str
    basis: str
    rows: tuple[UtilizationRow, ...]
    total: UtilizationRow
    # the company figure of the period of the same length just before ``start``
    previous_pct: Decimal | None = None
    change_pts: Decimal | None = None


@dataclass(frozen=True)
class UtilizationTrend:
    """The same figures per week (Monday start) or month, each point clipped to
    the range; ``change_pts`` is the last point's company utilization minus the
    one before it."""

    start: date
    end: date
    step: str
    by: str
    basis: str
    points: tuple[UtilizationReport, ...]
    change_pts: Decimal | None


@dataclass(frozen=True)
class ProfitRow:
    """Money of one customer, project or technician over a period.

    ``value_minor`` is billed hours (customer rounding) × the effective billing
    rate; ``standard_minor`` every raw hour (billable or not) × that rate;
    ``cost_minor`` raw hours × cost rate (None unless the reader may see cost).
    Percentages have 2 decimals (half-up). Budget fields are set for projects
    with a budget: ``used_*`` counts all time logged on the project up to the
    period's end, whatever its week's status."""

    key: str
    name: str
    customer: str | None
    raw_s: int
    billable_s: int
    billed_s: int
    value_minor: int
    standard_minor: int
    cost_minor: int | None
    margin_minor: int | None
    margin_pct: Decimal | None
    realization_pct: Decimal | None
    budget_s: int | None = None
    budget_minor: int | None = None
    used_s: int | None = None
    used_minor: int | None = None
    remaining_s: int | None = None
    remaining_minor: int | None = None
    burn_pct: Decimal | None = None
    budget_flag: str | None = None  # None, "80" (past 80 %), "100" (past 100 %)


@dataclass(frozen=True)
class ProfitabilityReport:
    start: date
    end: date
    by: str
    statuses: tuple[str, ...]
    currency: str
    rows: tuple[ProfitRow, ...]
    total: ProfitRow


@dataclass(frozen=True)
class TimelinessRow:
    """How promptly one technician (or a team, or the company) logs and submits.

    ``same_day_pct``: share of logged hours whose entry was created on the
    work date (local time). ``median_delay_s``: median of manual entries'
    delay (creation − end of the work). Weeks due: weeks starting in the
    period with scheduled hours whose deadline has passed; on time: first
    submitted by the deadline."""

    key: str
    name: str
    email: str | None
    team: str | None
    logged_s: int
    same_day_s: int
    same_day_pct: Decimal | None
    manual_entries: int
    median_delay_s: int | None
    weeks_due: int
    weeks_on_time: int
    on_time_pct: Decimal | None


@dataclass(frozen=True)
class TimelinessReport:
    start: date
    end: date
    deadline_weekday: int
    deadline_time: str
    rows: tuple[TimelinessRow, ...]
    teams: tuple[TimelinessRow, ...]
    total: TimelinessRow


@dataclass(frozen=True)
class OverdueWeek:
    """A week past its submission deadline that is not submitted or approved.
    ``status`` is draft / rejected / returned, or missing (no time logged, no
    timesheet)."""

    user_id: str
    user_name: str
    user_email: str
    team_name: str | None
    week_start: date
    status: str
    logged_s: int
    scheduled_s: int
    deadline: datetime
    overdue_s: int

    @property
    def week(self) -> str:
        return format_week(self.week_start)


@dataclass(frozen=True)
class TimelineSpan:
    """One entry on a day: local-time ``start``/``end`` (aware, the user's zone;
    None for an untimed manual entry); a running timer ends "now"."""

    entry_id: str
    start: datetime | None
    end: datetime | None
    duration_s: int
    customer: str
    project: str | None
    task: str | None
    ticket: str | None
    description: str
    billable: bool
    running: bool


@dataclass(frozen=True)
class TimelineGap:
    start: datetime
    end: datetime

    @property
    def duration_s(self) -> int:
        return int((self.end - self.start).total_seconds())


@dataclass(frozen=True)
class TimelineDay:
    user_id: str
    user_name: str
    user_email: str
    team: str | None
    day: date
    timezone: str
    window_start: datetime | None
    window_end: datetime | None
    spans: tuple[TimelineSpan, ...]
    untimed: tuple[TimelineSpan, ...]
    gaps: tuple[TimelineGap, ...]
    total_s: int
    billable_s: int
    non_billable_s: int
    scheduled_s: int


# -------------------------------------------------------------------- exports


@dataclass(frozen=True)
class ExportLine:
    """One invoice-ready line: one entry, or (per task) the entries of one
    technician on one task and day. Never carries cost."""

    entry_ids: tuple[str, ...]
    customer: str
    project: str | None
    task: str | None
    ticket: str | None
    technician: str
    technician_email: str
    work_date: date
    raw_s: int
    billed_s: int
    rate_minor: int | None
    amount_minor: int
    description: str


@dataclass(frozen=True)
class ExportResult:
    format: str
    paths: tuple[str, ...]
    lines: int
    entries: int
    billed_s: int
    amount_minor: int
    currency: str
    marked: int


@dataclass(frozen=True)
class ImportRefusal:
    """A source row an import did not write: its line in the file and why."""

    line: int
    reason: str


@dataclass(frozen=True)
class ImportPath:
    customer: str | None
    project: str | None
    task: str | None

    @property
    def label(self) -> str:
        return " › ".join(x for x in (self.customer, self.project, self.task) if x) or "(none)"


@dataclass(frozen=True)
class ImportMapping:
    """Where one customer › project › task of the file goes (``target`` None:
    nowhere, its rows are refused); ``new`` names what the import creates."""

    source: ImportPath
    target: ImportPath | None
    new: tuple[str, ...]
    rows: int


@dataclass(frozen=True)
class ImportReport:
    """What an import did — or, with ``dry_run``, would do (nothing written)."""

    source: str
    user: str
    dry_run: bool
    partial: bool
    rows: int
    added: int
    added_s: int
    duplicates: int
    locked: tuple[ImportRefusal, ...]
    refused: tuple[ImportRefusal, ...]
    mapping: tuple[ImportMapping, ...]
    people: tuple[str, ...]

    @property
    def written(self) -> bool:
        return not self.dry_run and self.added > 0
