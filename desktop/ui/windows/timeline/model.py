"""The timeline's geometry: where each entry of a :class:`~desktop.core.dto.TimelineDay`
sits on the time axis, its colour, its hover text, and the hour ticks.

Nothing here adds up time — the spans, gaps and totals are the core's
(:meth:`desktop.core.services.reports.ReportsService.timeline`). This module
only places them:

* **The axis** is elapsed seconds since the viewer's local midnight of the day
  (a UTC instant), so a 23 h or 25 h DST day is 23 h or 25 h wide and every
  block sits at its real instant. Ticks are found by walking the day in real
  15-minute steps and labelling each step with its local wall time — on the
  autumn change 02:00 appears twice, in spring it never appears. (pyqtgraph's
  ``DateAxisItem`` takes one UTC offset at construction and would put half
  of such a day an hour off.) Spans of people in another zone are placed at
  their instant on the viewer's axis.
* **Lanes** are stacked top to bottom, :data:`LANE_H` units each: blocks in the
  upper part, untimed manual entries (no start or end) in a band underneath,
  laid end to end from the working window's start so their length is their
  hours.
* **Colour** per customer from :mod:`desktop.ui.palette`; non-billable
  entries lighter and hatched.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from desktop.core import dto
from desktop.core.durations import format_duration
from desktop.core.timeutil import day_bounds_utc, zone
from desktop.ui.palette import Palette

LANE_H = 100.0
BLOCK_TOP, BLOCK_H = 10.0, 56.0
BAND_TOP, BAND_H = 72.0, 18.0
SNAP_S = 5 * 60
STEP = timedelta(minutes=15)
TICK_STEPS_MIN = (15, 30, 60, 120, 180, 360)
DEFAULT_WINDOW = (time(8, 0), time(18, 0))


@dataclass(frozen=True)
class Block:
    """One entry on a lane: ``x0``/``x1`` in axis seconds, ``y0``/``height`` in lane units."""

    span: dto.TimelineSpan
    x0: float
    x1: float
    y0: float
    height: float
    colour: str
    hatched: bool

    @property
    def entry_id(self) -> str:
        return self.span.entry_id

    @property
    def running(self) -> bool:
        return self.span.running


@dataclass(frozen=True)
class Lane:
    """One person's day, placed. ``blocks`` holds the timed entries (a running
    timer too), ``untimed`` the band under them."""

    index: int
    day: dto.TimelineDay
    blocks: tuple[Block, ...]
    untimed: tuple[Block, ...]
    gaps: tuple[tuple[float, float], ...]
    window: tuple[float, float] | None
    editable: bool

    @property
    def top(self) -> float:
        return self.index * LANE_H

    @property
    def user_id(self) -> str:
        return self.day.user_id

    @property
    def running(self) -> Block | None:
        return next((b for b in self.blocks if b.running), None)

    def block_at(self, x: float, y: float) -> Block | None:
        for b in (*self.blocks, *self.untimed):
            if b.x0 <= x <= b.x1 and b.y0 <= y <= b.y0 + b.height:
                return b
        return None

    def free_range(self, x: float) -> tuple[float, float] | None:
        """The gap around ``x`` between this lane's timed blocks (None inside a block)."""
        lo, hi = 0.0, float("inf")
        for b in self.blocks:
            if b.x0 < x < b.x1:
                return None
            if b.x1 <= x:
                lo = max(lo, b.x1)
            elif b.x0 >= x:
                hi = min(hi, b.x0)
        return lo, hi


class DayAxis:
    """Axis seconds ↔ instants for one day in the viewer's zone (see the module rule)."""

    def __init__(self, day: date, tz: str) -> None:
        self.day = day
        self.tz = tz
        self.zone = zone(tz)
        self.origin, self.stop = day_bounds_utc(day, tz)
        self.length = (self.stop - self.origin).total_seconds()

    def x(self, at: datetime) -> float:
        # Subtract in UTC: two datetimes sharing a ZoneInfo subtract wall clocks.
        return (at.astimezone(UTC) - self.origin).total_seconds()

    def instant(self, x: float) -> datetime:
        return self.origin + timedelta(seconds=x)

    def local(self, x: float) -> datetime:
        return self.instant(x).astimezone(self.zone)

    def wall(self, x: float) -> time:
        """The local wall-clock time at ``x``, to the second (what the core takes)."""
        return self.local(x).time().replace(tzinfo=None, microsecond=0)

    def at_wall(self, at: time) -> float:
        local = datetime.combine(self.day, at).replace(tzinfo=self.zone)
        return self.x(local)

    def snap(self, x: float, step: int = SNAP_S) -> float:
        return max(0.0, min(self.length, round(x / step) * step))

    def ticks(self, lo: float, hi: float, step_min: int) -> list[tuple[float, str]]:
        """Every local wall time in [lo, hi] whose minutes are a multiple of ``step_min``."""
        out: list[tuple[float, str]] = []
        n = max(0, int(lo // STEP.total_seconds()))
        while True:
            x = n * STEP.total_seconds()
            if x > min(hi, self.length):
                break
            local = self.local(x)
            minutes = local.hour * 60 + local.minute
            if x >= lo and local.second == 0 and minutes % step_min == 0:
                out.append((x, local.strftime("%H:%M")))
            n += 1
        return out

    @staticmethod
    def tick_step(seconds_per_px: float, min_px: float = 48) -> int:
        """The finest tick step (minutes) whose ticks stay ``min_px`` apart."""
        for step in TICK_STEPS_MIN:
            if step * 60 / max(seconds_per_px, 1e-9) >= min_px:
                return step
        return TICK_STEPS_MIN[-1]


def target_line(span: dto.TimelineSpan) -> str:
    """ "ACME › Server migration › Migrate DC01 (#4521)" """
    parts = [span.customer]
    if span.project:
        parts.append(span.project)
    task = span.task or ""
    if span.ticket:
        task = f"{task} (#{span.ticket})" if task else f"#{span.ticket}"
    if task:
        parts.append(task)
    return " › ".join(parts)


def hover_text(span: dto.TimelineSpan, person: str | None = None) -> str:
    """Customer › project › task and ticket, description, hours, billable, when."""
    lines = [f"{person}: {target_line(span)}" if person else target_line(span)]
    if span.description:
        lines.append(span.description)
    when = "untimed"
    if span.start is not None and span.end is not None:
        when = f"{span.start:%H:%M}–{'now' if span.running else format(span.end, '%H:%M')}"
    billable = "billable" if span.billable else "non-billable"
    running = " · running" if span.running else ""
    lines.append(f"{format_duration(span.duration_s)} h · {billable} · {when}{running}")
    return "\n".join(lines)


def lay_out(
    days: list[dto.TimelineDay], axis: DayAxis, palette: Palette, editor_id: str | None
) -> list[Lane]:
    """Place every day on ``axis``, top to bottom in the given order."""
    return [_lane(i, d, axis, palette, d.user_id == editor_id) for i, d in enumerate(days)]


def _lane(i: int, d: dto.TimelineDay, axis: DayAxis, palette: Palette, editable: bool) -> Lane:
    top = i * LANE_H

    def block(span: dto.TimelineSpan, x0: float, x1: float, y0: float, h: float) -> Block:
        return Block(span, x0, x1, top + y0, h, palette.hex(span.customer), not span.billable)

    timed = tuple(
        block(s, axis.x(s.start), axis.x(s.end), BLOCK_TOP, BLOCK_H)
        for s in d.spans
        if s.start is not None and s.end is not None
    )
    window = None
    if d.window_start is not None and d.window_end is not None:
        window = (axis.x(d.window_start), axis.x(d.window_end))
    cursor = window[0] if window else axis.at_wall(DEFAULT_WINDOW[0])
    untimed = []
    for s in d.untimed:
        untimed.append(block(s, cursor, cursor + s.duration_s, BAND_TOP, BAND_H))
        cursor += s.duration_s
    gaps = tuple((axis.x(g.start), axis.x(g.end)) for g in d.gaps)
    return Lane(i, d, timed, tuple(untimed), gaps, window, editable)


def opening_range(lanes: list[Lane], axis: DayAxis) -> tuple[float, float]:
    """The working hours of the lanes (08–18 when none has a window), widened
    to show every block, with half an hour either side."""
    windows = [lane.window for lane in lanes if lane.window]
    if windows:
        lo, hi = min(w[0] for w in windows), max(w[1] for w in windows)
    else:
        lo, hi = axis.at_wall(DEFAULT_WINDOW[0]), axis.at_wall(DEFAULT_WINDOW[1])
    for lane in lanes:
        for b in (*lane.blocks, *lane.untimed):
            lo, hi = min(lo, b.x0), max(hi, b.x1)
    return max(0.0, lo - 1800), min(axis.length, hi + 1800)
