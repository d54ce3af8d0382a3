"""What the report, timeline and export commands print: their JSON shapes and
human tables. The same rules as :mod:`desktop.cli.output` (whose ``Shape`` and
value helpers this uses); kept apart so neither module passes 400 lines."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time
from decimal import Decimal

from desktop.cli.output import Shape, amount, hm, plain
from desktop.core import dto

UTILIZATION_ROW = Shape(
    "key", "name", "email", "team", "members", "available_s", "logged_s", "billable_s",
    "non_billable_s", "utilization_pct", "target_pct", "gap_pts", "capacity_s",
    "under_utilized", "over_allocated",
)  # fmt: skip
UTILIZATION = Shape(
    "start", "end", "by", "basis",
    ("rows", lambda r: UTILIZATION_ROW.many(r.rows)),
    ("total", lambda r: UTILIZATION_ROW(r.total)),
    "previous_pct", "change_pts",
)  # fmt: skip
TREND = Shape(
    "start", "end", "step", "by", "basis",
    ("points", lambda t: UTILIZATION.many(t.points)),
    "change_pts",
)  # fmt: skip
PROFIT_ROW = Shape(
    "key", "name", "customer", "raw_s", "billable_s", "billed_s",
    ("value", lambda r: amount(r.value_minor)),
    ("standard", lambda r: amount(r.standard_minor)),
    ("cost", lambda r: amount(r.cost_minor)),
    ("margin", lambda r: amount(r.margin_minor)),
    "margin_pct", "realization_pct", "budget_s",
    ("budget", lambda r: amount(r.budget_minor)),
    "used_s",
    ("used", lambda r: amount(r.used_minor)),
    "remaining_s",
    ("remaining", lambda r: amount(r.remaining_minor)),
    "burn_pct", "budget_flag",
)  # fmt: skip
PROFITABILITY = Shape(
    "start", "end", "by", "statuses", "currency",
    ("rows", lambda r: PROFIT_ROW.many(r.rows)),
    ("total", lambda r: PROFIT_ROW(r.total)),
)  # fmt: skip
TIMELINESS_ROW = Shape(
    "key", "name", "email", "team", "logged_s", "same_day_s", "same_day_pct",
    "manual_entries", "median_delay_s", "weeks_due", "weeks_on_time", "on_time_pct",
)  # fmt: skip
TIMELINESS = Shape(
    "start", "end", "deadline_weekday", "deadline_time",
    ("rows", lambda r: TIMELINESS_ROW.many(r.rows)),
    ("teams", lambda r: TIMELINESS_ROW.many(r.teams)),
    ("total", lambda r: TIMELINESS_ROW(r.total)),
)  # fmt: skip
OVERDUE = Shape(
    "user=user_email", "name=user_name", "team=team_name", "week", "week_start", "status",
    "logged_s", "scheduled_s", "deadline", "overdue_s",
)  # fmt: skip
SPAN = Shape(
    "entry_id", "start", "end", "duration_s", "customer", "project", "task", "ticket",
    "description", "billable", "running",
)  # fmt: skip
TIMELINE_DAY = Shape(
    "user=user_email", "name=user_name", "team", "day", "timezone", "window_start",
    "window_end",
    ("spans", lambda d: SPAN.many(d.spans)),
    ("untimed", lambda d: SPAN.many(d.untimed)),
    ("gaps", lambda d: [{"start": plain(g.start), "end": plain(g.end)} for g in d.gaps]),
    "total_s", "billable_s", "non_billable_s", "scheduled_s",
)  # fmt: skip
EXPORT = Shape(
    "format", "paths", "lines", "entries", "billed_s",
    ("amount", lambda r: amount(r.amount_minor)),
    "currency", "marked",
)  # fmt: skip


def pct(value: Decimal | None, places: int = 1) -> str:
    return "—" if value is None else f"{value:.{places}f}%"


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Columns padded to their widest cell; the first column left, the rest right."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        pairs = enumerate(zip(cells, widths, strict=True))
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in pairs).rstrip()

    return "\n".join([line(headers), *(line(r) for r in rows)])


def utilization_text(r: dto.UtilizationReport) -> str:
    def cells(x: dto.UtilizationRow) -> list[str]:
        flags = " ".join(
            f for f, on in (("under", x.under_utilized), ("over", x.over_allocated)) if on
        )
        return [
            x.email or x.name, hm(x.available_s), hm(x.logged_s), hm(x.billable_s),
            pct(x.utilization_pct), pct(x.target_pct, 0), hm(max(x.capacity_s, 0)), flags,
        ]  # fmt: skip

    head = ["", "available", "logged", "billable", "util.", "target", "capacity", "flags"]
    rows = [cells(x) for x in r.rows]
    if r.by != "company":
        rows.append(cells(r.total))
    change = "" if r.change_pts is None else f"; {r.change_pts:+.1f} points on the period before"
    title = f"Utilization {r.start} – {r.end} ({r.basis} time){change}"
    return title + "\n" + table(head, rows)


def trend_text(t: dto.UtilizationTrend) -> str:
    rows = [
        [f"{p.start}", hm(p.total.available_s), hm(p.total.billable_s),
         pct(p.total.utilization_pct)]
        for p in t.points
    ]  # fmt: skip
    change = "" if t.change_pts is None else f" (last {t.change_pts:+.1f} points)"
    return f"Utilization by {t.step}{change}\n" + table(
        [t.step, "available", "billable", "util."], rows
    )


def profitability_text(r: dto.ProfitabilityReport) -> str:
    def cells(x: dto.ProfitRow) -> list[str]:
        name = f"{x.customer} › {x.name}" if x.customer else x.name
        budget = f"{x.burn_pct}%{'!' if x.budget_flag else ''}" if x.burn_pct is not None else ""
        return [
            name, hm(x.billed_s), amount(x.value_minor) or "", amount(x.cost_minor) or "—",
            amount(x.margin_minor) or "—", pct(x.margin_pct), pct(x.realization_pct), budget,
        ]  # fmt: skip

    head = ["", "billed", "value", "cost", "margin", "margin %", "realiz.", "budget"]
    title = f"Profitability {r.start} – {r.end} ({' + '.join(r.statuses)} weeks, {r.currency})"
    return title + "\n" + table(head, [*(cells(x) for x in r.rows), cells(r.total)])


def timeliness_text(r: dto.TimelinessReport) -> str:
    def cells(x: dto.TimelinessRow) -> list[str]:
        delay = "—" if x.median_delay_s is None else hm(x.median_delay_s)
        return [
            x.email or x.name, hm(x.logged_s), pct(x.same_day_pct), delay,
            f"{x.weeks_on_time}/{x.weeks_due}", pct(x.on_time_pct),
        ]  # fmt: skip

    head = ["", "logged", "same day", "median delay", "on time", ""]
    rows = [cells(x) for x in (*r.rows, *r.teams, r.total)]
    return f"Timeliness {r.start} – {r.end}\n" + table(head, rows)


def overdue_text(weeks: Sequence[dto.OverdueWeek]) -> str:
    if not weeks:
        return "no overdue weeks"
    rows = []
    for w in weeks:
        days = w.overdue_s // 86400
        late = f"{days} day{'s' if days != 1 else ''} late" if days else "due now"
        rows.append(
            [w.user_email, w.week, w.status, f"{hm(w.logged_s)} of {hm(w.scheduled_s)}", late]
        )
    return table(["", "week", "status", "logged", ""], rows)


def export_text(r: dto.ExportResult) -> str:
    files = ", ".join(r.paths)
    marked = f"; {r.marked} marked exported" if r.marked else ""
    return (
        f"{r.format}: {r.lines} line{'s' if r.lines != 1 else ''} ({r.entries} entries, "
        f"{hm(r.billed_s)} billed, {amount(r.amount_minor)} {r.currency}) → {files}{marked}"
    )


# ---------------------------------------------------------------- timeline

RULER_FROM, RULER_TO = 6, 22  # hours shown on the ruler; 4 cells an hour


def _cell_of(at: datetime) -> float:
    return (at.hour + at.minute / 60 - RULER_FROM) * 4


def timeline_text(days: Sequence[dto.TimelineDay]) -> str:
    """One line per person on an hour ruler: █ billable, ▒ non-billable,
    · a gap inside working hours."""
    width = (RULER_TO - RULER_FROM) * 4
    label = max([len(d.user_email) for d in days] + [4])
    ruler = "".join(f"{h:02d}  " for h in range(RULER_FROM, RULER_TO))
    out = [" " * (label + 2) + ruler]
    for d in days:
        cells = [" "] * width
        for g in d.gaps:
            _paint(cells, g.start, g.end, "·")
        for sp in d.spans:
            if sp.start is not None and sp.end is not None:
                _paint(cells, sp.start, sp.end, "█" if sp.billable else "▒")
        untimed = f" + {hm(sum(u.duration_s for u in d.untimed))} untimed" if d.untimed else ""
        out.append(
            f"{d.user_email:<{label}}  {''.join(cells)}  {hm(d.total_s)}"
            f" (billable {hm(d.billable_s)}){untimed}"
        )
    return "\n".join(out)


def _paint(cells: list[str], start: datetime, end: datetime, mark: str) -> None:
    lo = max(0, int(_cell_of(start)))
    end_cell = _cell_of(end) if end.time() != time(0) or end.date() == start.date() else len(cells)
    hi = min(len(cells), max(lo + 1, round(end_cell)))
    for i in range(lo, hi):
        cells[i] = mark
