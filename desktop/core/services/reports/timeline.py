"""The daily timeline's data (the rules are in the package docstring)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select

from desktop.core import dto
from desktop.core.model import (
    Customer,
    Project,
    Task,
    TimeEntry,
)
from desktop.core.outbox import counted
from desktop.core.services.common import (
    Service,
)
from desktop.core.services.preferences import PreferencesService
from desktop.core.services.reports.common import (
    Person,
    days_off,
    load_scope,
)
from desktop.core.timeutil import day_bounds_utc, zone


class TimelineReports(Service):
    """A day per person as spans in local time, untimed entries, gaps, totals."""

    # ---------------------------------------------------------------- timeline

    def timeline(
        self,
        day: date,
        user_refs: Sequence[str] | None = None,
        *,
        team: str | None = None,
        actor_id: str | None = None,
    ) -> list[dto.TimelineDay]:
        """Each person's ``day``: spans in local time, untimed entries, gaps in
        the working window, totals (the actor alone when no one is named)."""
        now = self.now()
        settings = PreferencesService(self.db, self.now).settings()
        with self.db.read() as s:
            scope = load_scope(
                s, actor_id, team=team, user_refs=user_refs, own_only=not user_refs and not team
            )
            ids = scope.ids
            project = Project.__table__.alias("p")
            task = Task.__table__.alias("t")
            rows = s.execute(
                select(
                    TimeEntry.id,
                    TimeEntry.user_id,
                    TimeEntry.work_date,
                    TimeEntry.started_at,
                    TimeEntry.ended_at,
                    TimeEntry.duration_s,
                    TimeEntry.description,
                    TimeEntry.billable,
                    Customer.name,
                    project.c.name,
                    task.c.title,
                    task.c.external_ref,
                )
                .join(Customer, Customer.id == TimeEntry.customer_id)
                .outerjoin(project, project.c.id == TimeEntry.project_id)
                .outerjoin(task, task.c.id == TimeEntry.task_id)
                .where(
                    counted(TimeEntry),
                    TimeEntry.user_id.in_(ids),
                    TimeEntry.work_date >= day - timedelta(days=1),
                    TimeEntry.work_date <= day + timedelta(days=1),
                )
                .order_by(TimeEntry.started_at, TimeEntry.created_at)
            ).all()
            off = days_off(s, ids, day, day)
        by_user: dict[str, list[Any]] = defaultdict(list)
        for r in rows:
            by_user[r[1]].append(r)
        return [
            _timeline_day(p, day, by_user.get(p.id, []), off.get(p.id, {}), now, settings)
            for p in scope.people
        ]



def _timeline_day(
    p: Person,
    day: date,
    rows: list[Any],
    off: Mapping[date, int],
    now: datetime,
    settings: Any,
) -> dto.TimelineDay:
    z = zone(p.timezone)
    lo, hi = day_bounds_utc(day, p.timezone)
    spans: list[dto.TimelineSpan] = []
    untimed: list[dto.TimelineSpan] = []
    total = billable = 0
    for (
        entry_id,
        _user,
        work_date,
        started,
        ended,
        duration,
        description,
        is_billable,
        customer,
        project,
        task,
        ticket,
    ) in rows:
        running = started is not None and ended is None
        seconds = max(0, int((now - started).total_seconds())) if running else duration
        if work_date == day:
            total += seconds
            billable += seconds if is_billable else 0
        common = {
            "entry_id": entry_id,
            "customer": customer,
            "project": project,
            "task": task,
            "ticket": ticket,
            "description": description,
            "billable": bool(is_billable),
            "running": running,
        }
        if started is None:
            if work_date == day:
                untimed.append(dto.TimelineSpan(start=None, end=None, duration_s=seconds, **common))
            continue
        end = now if running else ended
        if end <= lo or started >= hi:
            continue
        a, b = max(started, lo), min(end, hi)
        spans.append(
            dto.TimelineSpan(
                start=a.astimezone(z),
                end=b.astimezone(z),
                duration_s=int((b - a).total_seconds()),
                **common,
            )
        )
    scheduled = max(
        0, p.work_schedule_s[day.weekday()] - min(p.work_schedule_s[day.weekday()], off.get(day, 0))
    )
    window_start = window_end = None
    gaps: list[dto.TimelineGap] = []
    if scheduled > 0:
        window_start = _local_instant(day, settings.workday_start_time, z)
        window_end = _local_instant(day, settings.workday_end_time, z)
        cursor = window_start
        for sp in sorted(spans, key=lambda x: x.start or window_start):
            assert sp.start is not None and sp.end is not None
            if sp.start > cursor and (sp.start - cursor).total_seconds() >= 60:
                gaps.append(dto.TimelineGap(cursor, min(sp.start, window_end)))
            cursor = max(cursor, sp.end)
            if cursor >= window_end:
                break
        if window_end > cursor and (window_end - cursor).total_seconds() >= 60:
            gaps.append(dto.TimelineGap(cursor, window_end))
        gaps = [g for g in gaps if g.end > g.start]
    return dto.TimelineDay(
        user_id=p.id,
        user_name=p.name,
        user_email=p.email,
        team=p.team,
        day=day,
        timezone=p.timezone,
        window_start=window_start,
        window_end=window_end,
        spans=tuple(spans),
        untimed=tuple(untimed),
        gaps=tuple(gaps),
        total_s=total,
        billable_s=billable,
        non_billable_s=total - billable,
        scheduled_s=scheduled,
    )


def _local_instant(day: date, at: time, z: Any) -> datetime:
    """Local wall-clock ``at`` on ``day`` as an aware local datetime (a time in
    a DST gap is read with the offset before the gap)."""
    return datetime.combine(day, at).replace(tzinfo=z).astimezone(UTC).astimezone(z)
