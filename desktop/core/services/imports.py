"""Imports: time, customers, projects and tasks from another tracker's export
(the readers are :mod:`desktop.core.imports`).

Rules this service enforces:

* Everything is ONE ``BEGIN IMMEDIATE`` transaction: with any refused row the
  import writes nothing and lists every refused row with its line and reason,
  unless ``partial`` — then the good rows are written and the refused listed.
  A dry run does all the work, reports it, and rolls back.
* Entries are written with the same building blocks as every other entry
  (:func:`desktop.core.services.entries.new_entry`, source ``manual``) and the
  same rules: a description is checked like a typed one; an entry is more
  than zero and at most 24 hours, does not end in the future, and no day
  passes 24:00 (what is already logged counts); wall-clock times of a CSV are
  the imported user's timezone (a time inside a DST gap is refused). Every
  new entry, customer, project and task gets its outbox row in the same
  transaction, so it syncs like any other.
* Rows in a submitted or approved week are reported as *locked* and skipped;
  they do not stop the import.
* Idempotent: each source row has a stable import key (the vendor's id, or a
  hash of the row); keys are kept per (source, user) in ``import_key``, and a
  row whose key is there is counted as a duplicate and skipped — even when its
  entry was deleted since (nothing comes back).
* Names: a file's customer › project › task is looked up case-insensitively
  and created when unknown (customers and projects only by managers and
  admins, as everywhere); a row without a client takes its project's name as
  the customer; a ``#4521`` tag finds the task with that ticket ref — the
  ticket wins over the row's names unless they name another existing
  customer, which refuses the row — or creates one (titled by the row's task,
  else ``#4521``). A ``mapping`` (the ``--map``
  file) sends a file's path elsewhere, or nowhere (``to: null`` refuses its
  rows). The dry run's report lists every path with its proposed target.
* Time is imported for the acting user, or for ``user`` — only an admin
  imports someone else's history.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session

from desktop.core import dto, outbox, permissions
from desktop.core.db import bulk_insert
from desktop.core.durations import format_duration
from desktop.core.errors import Forbidden, Problem, PunchclockError, ValidationError
from desktop.core.imports import PARSERS, Row
from desktop.core.model import (
    Customer,
    ImportKey,
    Project,
    Task,
    TimeEntry,
    Timesheet,
    User,
    new_id,
)
from desktop.core.rules import MAX_DAY_S, check_description_text
from desktop.core.services.common import Service, find_user, require_user, to_user
from desktop.core.services.directory_changes import clean_name
from desktop.core.services.entries import Target, entry_values
from desktop.core.timeutil import format_week, local_to_utc, week_start, work_date, zone
from desktop.core.workflow import Status, check_entry_editable

Progress = Callable[[int, int], None]
PathKey = tuple[str, str, str]
BATCH = 2000
ENTRY_COLUMNS = [a.key for a in inspect(TimeEntry).column_attrs]


def _path_key(p: dto.ImportPath) -> PathKey:
    return tuple((x or "").strip().lower() for x in (p.customer, p.project, p.task))  # type: ignore[return-value]


def load_map(text: str) -> dict[PathKey, dto.ImportPath | None]:
    """A ``--map`` file: a dry run's JSON report (its ``mapping`` list) or just
    that list; each item ``{"from": {customer, project, task}, "to": {…} | null}``."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"{exc.msg} at line {exc.lineno}"
        raise ValidationError(f"the map file is not JSON ({where})") from None
    items = data.get("mapping") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise ValidationError('the map file needs a "mapping" list of {"from": …, "to": …}')
    out: dict[PathKey, dto.ImportPath | None] = {}
    for n, item in enumerate(items, 1):
        if not isinstance(item, dict) or not isinstance(item.get("from"), dict):
            raise ValidationError(f'map item {n} has no "from" object')
        to = item.get("to")
        if to is not None and not isinstance(to, dict):
            raise ValidationError(f'map item {n}: "to" must be an object or null')
        out[_path_key(_path(item["from"]))] = None if to is None else _path(to)
    return out


def _path(d: Mapping[str, Any]) -> dto.ImportPath:
    def part(k: str) -> str | None:
        v = d.get(k)
        return str(v).strip() or None if v is not None else None

    return dto.ImportPath(part("customer"), part("project"), part("task"))


class _Refused(Exception):
    def __init__(self, reason: str) -> None:
        self.reason = reason


class _Rollback(Exception):
    def __init__(self, report: dto.ImportReport) -> None:
        self.report = report


@dataclass
class _PathUse:
    """One customer › project › task of the file: where it goes, what the
    import created for it, how many rows named it."""

    source: dto.ImportPath
    target: dto.ImportPath | None
    new: set[str] = field(default_factory=set)
    rows: int = 0


@dataclass
class _Plan:
    """One import's working state inside its transaction."""

    s: Session
    actor: dto.User
    user: User
    source: str
    now: datetime
    mapping: Mapping[PathKey, dto.ImportPath | None]
    customers: dict[str, Customer] = field(default_factory=dict)
    projects: dict[tuple[str, str], Project] = field(default_factory=dict)
    tasks: dict[tuple[str, str | None, str], Task] = field(default_factory=dict)
    tickets: dict[str, Task] = field(default_factory=dict)
    keys: set[str] = field(default_factory=set)
    day_s: dict[date, int] = field(default_factory=dict)
    weeks: dict[date, str] = field(default_factory=dict)
    paths: dict[PathKey, _PathUse] = field(default_factory=dict)
    created: list[Any] = field(default_factory=list)
    pending: list[tuple[dict[str, Any], str]] = field(default_factory=list)

    def load(self) -> None:
        s, uid = self.s, self.user.id
        for c in s.scalars(select(Customer).where(Customer.deleted_at.is_(None))):
            self.customers.setdefault(c.name.lower(), c)
        for p in s.scalars(select(Project).where(Project.deleted_at.is_(None))):
            self.projects.setdefault((p.customer_id, p.name.lower()), p)
        for t in s.scalars(select(Task).where(Task.deleted_at.is_(None))):
            if t.status == "open":
                self.tasks.setdefault((t.customer_id, t.project_id, t.title.lower()), t)
            if t.external_ref and (t.status == "open" or t.external_ref not in self.tickets):
                self.tickets[t.external_ref] = t
        self.keys = set(
            s.scalars(
                select(ImportKey.key).where(
                    ImportKey.source == self.source, ImportKey.user_id == uid
                )
            )
        )
        # The import writes many rows into indexed tables: a bigger page cache.
        s.connection().exec_driver_sql("PRAGMA cache_size=-65536")
        alive = (TimeEntry.user_id == uid, TimeEntry.deleted_at.is_(None))
        for day, total in s.execute(
            select(TimeEntry.work_date, func.sum(TimeEntry.duration_s))
            .where(*alive)
            .group_by(TimeEntry.work_date)
        ):
            self.day_s[day] = int(total or 0)
        for start, status in s.execute(
            select(Timesheet.week_start, Timesheet.status).where(
                Timesheet.user_id == uid, Timesheet.deleted_at.is_(None)
            )
        ):
            self.weeks[start] = status

    # -------------------------------------------------------------- names

    def target(self, row: Row) -> Target:
        customer, project = row.customer, row.project
        if customer is None and project is not None:
            customer, project = project, None
        source = dto.ImportPath(customer, project, row.task)
        key = _path_key(source)
        use = self.paths.get(key)
        if use is None:
            use = self.paths[key] = _PathUse(source, self.mapping.get(key, source))
        use.rows += 1
        mapped = use.target
        if mapped is None:
            raise _Refused(f'"{source.label}" is mapped to nothing (the --map file says null)')
        if mapped.customer is None:
            raise _Refused("no client or project: map it to a customer in a --map file")
        try:
            return self._resolve(mapped, row.ticket, use.new)
        except PunchclockError as exc:
            raise _Refused(exc.message) from None

    def _resolve(self, path: dto.ImportPath, ticket: str | None, new: set[str]) -> Target:
        assert path.customer is not None
        c = self.customers.get(path.customer.lower())
        if ticket is not None and ticket in self.tickets:
            t = self.tickets[ticket]
            if c is not None and t.customer_id != c.id:
                raise ValidationError(f'ticket #{ticket} is task "{t.title}" of another customer')
            owner = self.s.get(Customer, t.customer_id)
            assert owner is not None
            return Target(owner, self.s.get(Project, t.project_id) if t.project_id else None, t)
        if c is None:
            c = self._create(
                Customer(
                    name=clean_name(path.customer, "customer"),
                    is_internal=False,
                    default_billable=True,
                ),
                "customer",
                new,
            )
            self.customers[c.name.lower()] = c
        p = None
        if path.project:
            p = self.projects.get((c.id, path.project.lower()))
            if p is None:
                p = self._create(
                    Project(customer_id=c.id, name=clean_name(path.project, "project")),
                    "project",
                    new,
                )
                self.projects[(c.id, p.name.lower())] = p
        title = path.task or (f"#{ticket}" if ticket else None)
        if not title:
            return Target(c, p, None)
        where = (c.id, p.id if p else None, title.lower())
        # A ticket not seen before is a new task, even when a task has that title.
        task = None if ticket else self.tasks.get(where)
        if task is None:
            task = self._create(
                Task(
                    customer_id=c.id,
                    project_id=where[1],
                    title=clean_name(title, "task", limit=300),
                    external_ref=ticket,
                    created_by=self.actor.id,
                ),
                "task",
                new,
            )
            self.tasks.setdefault(where, task)
            if ticket:
                self.tickets[ticket] = task
        return Target(c, p, task)

    def _create(self, row: Any, kind: str, new: set[str]) -> Any:
        if kind != "task" and not permissions.can_manage_customers(self.actor):
            raise Forbidden(
                f'no {kind} "{row.name}"; only managers and admins add '
                f"{kind}s — map it to an existing one in a --map file"
            )
        row.id = new_id()  # entries of this batch point at it before it is flushed
        self.s.add(row)
        self.created.append(row)
        new.add(kind)
        return row

    # -------------------------------------------------------------- times

    def span(self, row: Row) -> tuple[date, datetime | None, datetime | None, int]:
        tz = self.user.timezone
        try:
            if row.start is None:
                assert row.day is not None and row.duration_s is not None
                day, started, ended, seconds = row.day, None, None, row.duration_s
            else:
                started = _instant(row.start, tz)
                if row.end is not None:
                    ended = _instant(row.end, tz)
                else:
                    assert row.duration_s is not None
                    ended = started + timedelta(seconds=row.duration_s)
                day = work_date(started, tz) if row.start.tzinfo else row.start.date()
                seconds = int((ended - started).total_seconds())
        except PunchclockError as exc:
            raise _Refused(exc.message) from None
        if seconds < 0:
            raise _Refused("the end is before the start")
        if seconds == 0:
            raise _Refused("the entry is zero minutes long")
        if seconds > MAX_DAY_S:
            raise _Refused(f"the entry is {format_duration(seconds)} long; the limit is 24 hours")
        if (ended or datetime.combine(day, datetime.min.time(), UTC)) > self.now:
            raise _Refused("the entry ends in the future")
        return day, started, ended, seconds

    def check_day(self, day: date, seconds: int) -> None:
        total = self.day_s.get(day, 0) + seconds
        if total > MAX_DAY_S:
            raise _Refused(
                f"{day.isoformat()} would total {format_duration(total)}; a day can't pass 24:00"
            )

    def check_week(self, day: date) -> None:
        start = week_start(day, self.user.first_weekday)
        status = self.weeks.get(start, "draft")
        if status != "draft":
            check_entry_editable(Status(status), format_week(start))

    def mapping_report(self) -> tuple[dto.ImportMapping, ...]:
        order = ("customer", "project", "task")
        return tuple(
            dto.ImportMapping(u.source, u.target, tuple(k for k in order if k in u.new), u.rows)
            for u in sorted(self.paths.values(), key=lambda u: u.source.label.lower())
        )


def _instant(at: datetime, tz: str) -> datetime:
    if at.microsecond:
        at = at.replace(microsecond=0)
    return at.astimezone(UTC) if at.tzinfo is not None else _local_to_utc(at, tz)


def _local_to_utc(at: datetime, tz: str) -> datetime:
    offset = _day_offset(at.date(), tz)
    if offset is None:  # the clocks change that day: the careful way
        return local_to_utc(at.date(), at.time(), tz)
    return (at - offset).replace(tzinfo=UTC)


@lru_cache(maxsize=8192)
def _day_offset(day: date, tz: str) -> timedelta | None:
    """The zone's UTC offset on ``day`` when it is the same all day, else None."""
    z = zone(tz)
    first = datetime.combine(day, datetime.min.time(), z).utcoffset()
    last = datetime.combine(day, datetime.max.time(), z).utcoffset()
    return first if first == last else None


class ImportService(Service):
    def run(
        self,
        actor_id: str | None,
        source: str,
        text: str,
        *,
        user: str | None = None,
        mapping: Mapping[PathKey, dto.ImportPath | None] | None = None,
        dry_run: bool = False,
        partial: bool = False,
        progress: Progress | None = None,
    ) -> dto.ImportReport:
        """Import ``text`` (the file's content) from ``source`` (see
        :data:`desktop.core.imports.SOURCES`). Raises ``ValidationError`` naming
        every refused row when any is refused and neither ``partial`` nor
        ``dry_run`` is set (then nothing is written)."""
        parser = PARSERS.get(source)
        if parser is None:
            raise ValidationError(f'unknown source "{source}"; use one of {", ".join(PARSERS)}')
        parsed = parser(text)
        try:
            with self.db.write() as s:
                report = self._write(
                    s, actor_id, source, parsed, user, mapping or {}, dry_run, partial, progress
                )
                if dry_run:
                    raise _Rollback(report)
                return report
        except _Rollback as done:
            return done.report

    def _write(
        self,
        s: Session,
        actor_id: str | None,
        source: str,
        parsed: Any,
        user_ref: str | None,
        mapping: Mapping[PathKey, dto.ImportPath | None],
        dry_run: bool,
        partial: bool,
        progress: Progress | None,
    ) -> dto.ImportReport:
        actor_row = require_user(s, actor_id)
        actor = to_user(s, actor_row)
        user = find_user(s, user_ref) if user_ref else actor_row
        if user.id != actor.id and actor.role != permissions.ADMIN:
            raise Forbidden("only admins can import time for someone else")
        plan = _Plan(s, actor, user, source, self.now().replace(microsecond=0), mapping)
        plan.load()
        refused = [dto.ImportRefusal(r.line, r.reason) for r in parsed.refused]
        locked: list[dto.ImportRefusal] = []
        duplicates = added = added_s = 0
        total = parsed.total
        for n, row in enumerate(parsed.rows, 1):
            if progress is not None and n % 500 == 0:
                progress(n, total)
            if row.key in plan.keys:
                duplicates += 1
                continue
            try:
                day, started, ended, seconds = plan.span(row)
                try:
                    plan.check_week(day)
                except PunchclockError as exc:
                    locked.append(dto.ImportRefusal(row.line, exc.message))
                    continue
                text = check_description_text(row.description)
                target = plan.target(row)
                plan.check_day(day, seconds)
            except _Refused as exc:
                refused.append(dto.ImportRefusal(row.line, exc.reason))
                continue
            except PunchclockError as exc:
                refused.append(dto.ImportRefusal(row.line, exc.message))
                continue
            plan.keys.add(row.key)
            plan.day_s[day] = plan.day_s.get(day, 0) + seconds
            entry = entry_values(
                user.id,
                target,
                day=day,
                started_at=started,
                ended_at=ended,
                duration_s=seconds,
                description=text,
                billable=row.billable,
                source="manual",
            )
            plan.pending.append((entry, row.key))
            added += 1
            added_s += seconds
            if len(plan.pending) >= BATCH:
                _flush(plan)
        _flush(plan)
        if progress is not None:
            progress(total, total)
        refused.sort(key=lambda r: r.line)
        people = Counter(r.person for r in parsed.rows if r.person)
        report = dto.ImportReport(
            source=source,
            user=user.email,
            dry_run=dry_run,
            partial=partial,
            rows=total,
            added=added,
            added_s=added_s,
            duplicates=duplicates,
            locked=tuple(locked),
            refused=tuple(refused),
            mapping=plan.mapping_report(),
            people=tuple(p for p, _ in people.most_common()),
        )
        if refused and not (partial or dry_run):
            raise ValidationError(
                f"nothing imported: {len(refused)} of {total} rows refused "
                "(fix them, or import the rest with --partial)",
                problems=[Problem(None, "refused", f"line {r.line}: {r.reason}") for r in refused],
            )
        return report


def _flush(plan: _Plan) -> None:
    """Write what the plan holds: the new customers, projects and tasks, then
    the entries and their import keys, each with its outbox row (names first,
    so a server sees a customer before its entries)."""
    s = plan.s
    s.flush()
    outbox.record_many(s, plan.created, "create")
    plan.created.clear()
    if not plan.pending:
        return
    fill = {"version": 0, "updated_at": plan.now, "created_at": plan.now}
    rows = [{c: e.get(c) for c in ENTRY_COLUMNS} | fill | {"id": new_id()} for e, _ in plan.pending]
    bulk_insert(s, TimeEntry.__table__, rows)
    outbox.record_values(s, TimeEntry.__tablename__, rows, "create")
    bulk_insert(
        s,
        ImportKey.__table__,
        [
            {
                "source": plan.source,
                "user_id": plan.user.id,
                "key": k,
                "entry_id": e["id"],
                "imported_at": plan.now,
            }
            for e, (_, k) in zip(rows, plan.pending, strict=True)
        ],
    )
    plan.pending.clear()
