"""Timeliness and overdue weeks (the rules are in the package docstring)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select

from desktop.core import dto, permissions
from desktop.core.errors import Forbidden, ValidationError
from desktop.core.model import (
    TimeEntry,
    Timesheet,
    TimesheetEvent,
    User,
)
from desktop.core.outbox import counted
from desktop.core.services.common import (
    Service,
    find_user,
    require_user,
    to_user,
)
from desktop.core.services.company import load_deadline
from desktop.core.services.reports.common import (
    NO_TEAM,
    PCT2,
    as_date,
    available_seconds,
    check_period,
    days_off,
    elapsed_sql,
    load_scope,
    median,
    pct,
    week_start_sql,
)
from desktop.core.timeutil import day_bounds_utc, week_deadline, week_start, zone


class TimelinessReports(Service):
    """Same-day logging, entry delays, weeks submitted on time, overdue weeks."""

    # -------------------------------------------------------------- timeliness

    def timeliness(
        self,
        start: date,
        end: date,
        *,
        team: str | None = None,
        user_refs: Sequence[str] | None = None,
        actor_id: str | None = None,
    ) -> dto.TimelinessReport:
        """Same-day logging, manual-entry delay and on-time submission per
        technician, per team and overall (see the module rule)."""
        check_period(start, end)
        now = self.now()
        with self.db.read() as s:
            actor = to_user(s, require_user(s, actor_id))
            own_only = actor.role == permissions.TECHNICIAN
            if own_only and (
                team is not None or any(find_user(s, ref).id != actor.id for ref in user_refs or ())
            ):
                raise Forbidden("technicians see only their own timeliness")
            scope = load_scope(s, actor.id, team=team, user_refs=user_refs, own_only=own_only)
            ids = scope.ids
            entries = s.execute(
                select(
                    TimeEntry.user_id,
                    TimeEntry.work_date,
                    TimeEntry.created_at,
                    TimeEntry.ended_at,
                    TimeEntry.duration_s,
                    TimeEntry.source,
                ).where(
                    counted(TimeEntry),
                    TimeEntry.work_date >= start,
                    TimeEntry.work_date <= end,
                    TimeEntry.user_id.in_(ids),
                    or_(TimeEntry.started_at.is_(None), TimeEntry.ended_at.is_not(None)),
                )
            ).all()
            first_submit = func.min(TimesheetEvent.at)
            sheets = s.execute(
                select(Timesheet.user_id, Timesheet.week_start, first_submit)
                .join(
                    TimesheetEvent,
                    and_(
                        TimesheetEvent.timesheet_id == Timesheet.id,
                        TimesheetEvent.action == "submit",
                    ),
                )
                .where(
                    Timesheet.deleted_at.is_(None),
                    Timesheet.user_id.in_(ids),
                    Timesheet.week_start >= start - timedelta(days=6),
                    Timesheet.week_start <= end,
                )
                .group_by(Timesheet.user_id, Timesheet.week_start)
            ).all()
            off = days_off(s, ids, start - timedelta(days=6), end + timedelta(days=6))
            weekday, at = load_deadline(s)
        people = {p.id: p for p in scope.people}
        submitted = {(u, as_date(w)): when for u, w, when in sheets}
        stats: dict[str, dict[str, Any]] = {
            p.id: {"logged": 0, "same": 0, "delays": [], "due": 0, "on_time": 0}
            for p in scope.people
        }
        for user_id, day, created, ended, seconds, source in entries:
            p = people[user_id]
            st = stats[user_id]
            st["logged"] += seconds
            z = zone(p.timezone)
            if created.astimezone(z).date() <= day:
                st["same"] += seconds
            if source in ("manual", "grid"):
                finished = ended if ended is not None else day_bounds_utc(day, p.timezone)[1]
                st["delays"].append(max(0, int((created - finished).total_seconds())))
        for p in scope.people:
            st = stats[p.id]
            ws = week_start(start, p.first_weekday)
            if ws < start:
                ws += timedelta(days=7)
            while ws <= end:
                deadline = week_deadline(ws, weekday, at, p.timezone)
                week_end = ws + timedelta(days=6)
                if deadline <= now and available_seconds(
                    p.work_schedule_s, ws, week_end, off.get(p.id, {})
                ):
                    st["due"] += 1
                    when = submitted.get((p.id, ws))
                    if when is not None and when <= deadline:
                        st["on_time"] += 1
                ws += timedelta(days=7)

        def row(
            key: str, name: str, email: str | None, team: str | None, members: list[str]
        ) -> dto.TimelinessRow:
            logged = sum(stats[m]["logged"] for m in members)
            same = sum(stats[m]["same"] for m in members)
            delays = [d for m in members for d in stats[m]["delays"]]
            due = sum(stats[m]["due"] for m in members)
            on_time = sum(stats[m]["on_time"] for m in members)
            return dto.TimelinessRow(
                key=key,
                name=name,
                email=email,
                team=team,
                logged_s=logged,
                same_day_s=same,
                same_day_pct=pct(same, logged, PCT2),
                manual_entries=len(delays),
                median_delay_s=median(delays),
                weeks_due=due,
                weeks_on_time=on_time,
                on_time_pct=pct(on_time, due, PCT2),
            )

        rows = tuple(row(p.id, p.name, p.email, p.team, [p.id]) for p in scope.people)
        by_team: dict[str, list[str]] = defaultdict(list)
        for p in scope.people:
            by_team[p.team_id or ""].append(p.id)
        teams = tuple(
            sorted(
                (
                    row(k, scope.teams.get(k, NO_TEAM), None, None, members)
                    for k, members in by_team.items()
                ),
                key=lambda r: (r.name == NO_TEAM, r.name.lower()),
            )
        )
        total = row("company", "Company", None, None, list(people))
        return dto.TimelinessReport(start, end, weekday, at.strftime("%H:%M"), rows, teams, total)

    # ----------------------------------------------------------------- overdue

    def overdue(
        self,
        actor_id: str | None = None,
        *,
        team: str | None = None,
        as_of: datetime | None = None,
        weeks: int = 8,
    ) -> list[dto.OverdueWeek]:
        """Weeks past their deadline, not submitted or approved, of the people
        the actor may read (a team with ``team``), oldest deadline first."""
        if not 1 <= weeks <= 260:
            raise ValidationError("look back 1 to 260 weeks")
        now = as_of or self.now()
        if now.tzinfo is None:
            raise ValidationError("as_of must carry a timezone")
        with self.db.read() as s:
            scope = load_scope(s, actor_id, team=team)
            ids = scope.ids
            horizon = now.date() - timedelta(days=7 * (weeks + 2))
            sheets = {
                (u, as_date(w)): status
                for u, w, status in s.execute(
                    select(Timesheet.user_id, Timesheet.week_start, Timesheet.status).where(
                        Timesheet.deleted_at.is_(None),
                        Timesheet.user_id.in_(ids),
                        Timesheet.week_start >= horizon,
                    )
                )
            }
            owner = User.__table__.alias("owner")
            wk = week_start_sql(TimeEntry.work_date, owner.c.first_weekday).label("wk")
            logged = {
                (u, as_date(w)): int(seconds or 0)
                for u, w, seconds in s.execute(
                    select(TimeEntry.user_id, wk, func.sum(elapsed_sql(now)))
                    .join(owner, owner.c.id == TimeEntry.user_id)
                    .where(
                        counted(TimeEntry),
                        TimeEntry.user_id.in_(ids),
                        TimeEntry.work_date >= horizon,
                    )
                    .group_by(TimeEntry.user_id, wk)
                )
            }
            first = dict(
                s.execute(
                    select(TimeEntry.user_id, func.min(TimeEntry.work_date))
                    .where(counted(TimeEntry), TimeEntry.user_id.in_(ids))
                    .group_by(TimeEntry.user_id)
                ).all()
            )
            off = days_off(s, ids, horizon, now.date())
            weekday, at = load_deadline(s)
        out: list[dto.OverdueWeek] = []
        for p in scope.people:
            began = as_date(first.get(p.id))
            ws = week_start(now.astimezone(zone(p.timezone)).date(), p.first_weekday)
            found = 0
            while found < weeks and ws >= horizon:
                deadline = week_deadline(ws, weekday, at, p.timezone)
                if deadline > now:
                    ws -= timedelta(days=7)
                    continue
                found += 1
                if began is None or ws + timedelta(days=6) < began:
                    break
                status = sheets.get((p.id, ws))
                seconds = logged.get((p.id, ws), 0)
                scheduled = available_seconds(
                    p.work_schedule_s, ws, ws + timedelta(days=6), off.get(p.id, {})
                )
                if status in ("submitted", "approved") or (scheduled == 0 and seconds == 0):
                    ws -= timedelta(days=7)
                    continue
                shown = status or ("draft" if seconds else "missing")
                out.append(
                    dto.OverdueWeek(
                        user_id=p.id,
                        user_name=p.name,
                        user_email=p.email,
                        team_name=p.team,
                        week_start=ws,
                        status=shown,
                        logged_s=seconds,
                        scheduled_s=scheduled,
                        deadline=deadline,
                        overdue_s=int((now - deadline).total_seconds()),
                    )
                )
                ws -= timedelta(days=7)
        return sorted(out, key=lambda w: (w.deadline, w.user_name.lower(), w.user_email))
