"""Everything the command line prints: every JSON shape and every human line.

A JSON shape is a :class:`Shape` made from a dataclass of :mod:`desktop.core.dto`
(or of ``sync.client``): its field list is the documented contract (the README
lists the same fields, and a test compares the two), each field read off the
object by name or path, dates and instants as ISO 8601, durations in seconds,
money as decimal strings. Commands never build dictionaries of their own.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from desktop.core import dto


class Out:
    """stdout in the chosen form: one JSON document, or the human text."""

    def __init__(self, as_json: bool) -> None:
        self.as_json = as_json

    def emit(self, data: Any, text: str | Callable[[], str]) -> None:
        if self.as_json:
            print(json.dumps(data, ensure_ascii=False, indent=None, default=str))
        else:
            print(text() if callable(text) else text)

    def warn(self, lines: Sequence[str]) -> None:
        for line in lines:
            print(f"warning: {line}", file=sys.stderr)


# ------------------------------------------------------------------ values


def iso(value: datetime | date | None) -> str | None:
    return None if value is None else value.isoformat()


def plain(value: Any) -> Any:
    """A dataclass field as JSON: ISO dates, lists for tuples, strings for Decimal."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, tuple | frozenset):
        return [plain(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    return value


def amount(minor: int | None) -> str | None:
    from desktop.core.money import format_amount

    return None if minor is None else format_amount(minor)


def money(d: Decimal | None) -> str | None:
    from desktop.core.money import round_minor

    return None if d is None else amount(round_minor(d))


def hm(seconds: int) -> str:
    from desktop.core.durations import format_duration

    return format_duration(seconds)


def local_time(at: datetime | None, tz: str) -> str:
    from desktop.core.timeutil import zone

    return at.astimezone(zone(tz)).strftime("%H:%M") if at else "--:--"


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


# ------------------------------------------------------------------ shapes

Getter = Callable[[Any], Any]
Field = str | tuple[str, Getter | None]


class Shape:
    """A JSON object made from a dataclass. Each field is ``"name"`` (the
    attribute of that name), ``"name=path.to.attr"``, ``(name, function)``, or
    ``(name, None)`` for a value the command gives when it calls the shape."""

    def __init__(self, *spec: Field) -> None:
        self._fields: list[tuple[str, Getter | None]] = []
        for item in spec:
            if isinstance(item, tuple):
                self._fields.append(item)
                continue
            key, _, path = item.partition("=")
            self._fields.append((key, _path_getter(path or key)))

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(k for k, _ in self._fields)

    def __call__(self, obj: Any, **given: Any) -> dict[str, Any]:
        return {
            key: plain(given[key] if get is None else get(obj)) for key, get in self._fields
        }

    def many(self, rows: Iterable[Any]) -> list[dict[str, Any]]:
        return [self(r) for r in rows]


def _path_getter(path: str) -> Getter:
    parts = path.split(".")

    def get(obj: Any) -> Any:
        for part in parts:
            obj = getattr(obj, part)
        return obj

    return get


ENTRY = Shape(
    "id", "user", "customer", "project", "task", "task_ref", "work_date", "started_at",
    "ended_at", "duration_s", "description", "billable", "source", "rejection_reason",
)
ENTRY_MONEY = Shape(
    "billed_s", ("rate", lambda m: amount(m.rate_minor)), ("value", lambda m: money(m.value)),
)
STATUS = Shape(
    ("running", lambda s: s.running is not None),
    ("entry", lambda s: ENTRY(s.running) if s.running else None),
    "elapsed_s", "today_s",
)
CUSTOMER = Shape(
    "id", "name", "is_internal", "default_billable", "round_increment_min", "round_minimum_min",
    "active",
)
PROJECT = Shape(
    "id", "customer", "name", "default_billable", "active", "budget_s",
    ("budget", lambda p: amount(p.budget_minor)),
)  # fmt: skip
TASK = Shape("id", "customer", "project", "title", "external_ref", "status")
USER = Shape(
    "id", "name", "email", "role", "team", "work_schedule_s", "utilization_target", "timezone",
)
TEAM = Shape("id", "name", "manager=manager_email")
GRID_ROW = Shape(
    "customer", "project", "task", ("days", lambda r: [c.seconds for c in r.cells]), "total_s",
)
GRID = Shape(
    "user=sheet.user", "week_start=sheet.week_start", "status=sheet.status", "note=sheet.note",
    ("rows", lambda g: GRID_ROW.many(g.rows)), "day_totals_s", "total_s", "billable_s",
    "non_billable_s",
)
SHEET = Shape("user", "week_start", "status", "note", "submitted_at", "decided_at", "decided_by")
APPROVAL = Shape(
    "user=sheet.user", "week_start=sheet.week_start", "status=sheet.status", "total_s",
    "billable_s", "warnings", "submitted_at=sheet.submitted_at",
)
EVENT = Shape("action", "from_status", "to_status", "actor", "comment", "at")
RATE = Shape(
    "id", "user", "kind", ("amount", lambda r: amount(r.amount_minor)), "currency",
    "effective_from", "customer", "project",
)
DAY_OFF = Shape("id", "date", "hours_s", "name", "user")
POLICY = Shape("min_description", "vague", "currency")

# sync.client's dataclasses (read by attribute; the CLI imports sync.client lazily)
LOGIN = Shape(
    "server_url", "device_id",
    ("user", lambda r: {k: getattr(r.user, k) for k in ("id", "name", "email", "role")}),
    ("token_persistent", lambda r: r.warning is None),
)
LOGOUT = Shape("server_url", "revoked", "waiting")
SYNC_ROUND = Shape("pushed", "pulled", "attention", "new_attention", "waiting", "offline", "error")
SYNC_STATUS = Shape(
    ("status", None), "logged_in", "server_url", "device_id", "waiting", "attention",
    "last_success_at", "last_error_at", "last_error", "login_problem",
)
ATTENTION_ITEM = Shape(
    "id", "entity", "entity_id", "op", "message", "summary",
    ("fields", lambda i: list(i.fields) if i.fields is not None else None), "data", "created_at",
)


def entries_json(
    entries: Sequence[dto.Entry], money_rows: Sequence[dto.EntryMoney], show_cost: bool
) -> list[dict[str, Any]]:
    """Entries with billed time, rate and value and, for readers who may see
    cost, the cost."""
    out = []
    for e, m in zip(entries, money_rows, strict=True):
        data = ENTRY(e) | ENTRY_MONEY(m)
        if show_cost:
            data["cost"] = money(m.cost)
        out.append(data)
    return out


# ------------------------------------------------------------- human lines


def entry_line(e: dto.Entry, tz: str, now: datetime, user_width: int = 0) -> str:
    """One entry; ``user_width`` > 0 puts the user's email first, padded to it."""
    span = (
        f"{local_time(e.started_at, tz)}–{local_time(e.ended_at, tz)}"
        if e.started_at
        else "           "
    )
    if e.running:
        span = f"{local_time(e.started_at, tz)}–now  "
    flag = "$" if e.billable else " "
    note = f"  [rejected: {e.rejection_reason}]" if e.rejection_reason else ""
    who = f"{e.user:<{user_width}}  " if user_width else ""
    return (
        f"{e.id[:8]}  {who}{e.work_date.isoformat()}  {span}  {hm(e.elapsed_s(now)):>6} {flag} "
        f"{e.path}  {e.description}{note}"
    )


def saved_text(saved: dto.SavedEntry, verb: str, tz: str, now: datetime) -> str:
    dropped = saved.dropped
    if dropped is not None and dropped.id == saved.entry.id:
        return f"dropped: {dropped.path} ran under a minute; nothing was kept"
    text = f"{verb}: {entry_line(saved.entry, tz, now)}"
    if saved.stopped is not None:
        text = f"stopped: {entry_line(saved.stopped, tz, now)}\n{text}"
    elif dropped is not None:
        text = f"dropped: {dropped.path} ran under a minute; nothing was kept\n{text}"
    return text


def status_text(running: dto.Entry | None, elapsed_s: int, today_s: int, tz: str) -> str:
    if running is None:
        return f"no timer running\ntoday: {hm(today_s)}"
    note = f" — {running.description}" if running.description else ""
    return (
        f"running: {running.path} — {hm(elapsed_s)} since "
        f"{local_time(running.started_at, tz)}{note}\ntoday: {hm(today_s)}"
    )


def entries_text(rows: Sequence[dto.Entry], tz: str, now: datetime) -> str:
    """The entries, with a user column when they are of more than one person."""
    if not rows:
        return "no entries"
    users = {e.user for e in rows}
    width = max(len(u) for u in users) if len(users) > 1 else 0
    lines = [entry_line(e, tz, now, width) for e in rows]
    total = sum(e.elapsed_s(now) for e in rows)
    billable = sum(e.elapsed_s(now) for e in rows if e.billable)
    lines.append(f"total {hm(total)}  billable {hm(billable)}")
    return "\n".join(lines)


def lines(rows: Iterable[Any], line: Callable[[Any], str], empty: str) -> str:
    """One line per row, or ``empty`` when there are none."""
    return "\n".join(line(r) for r in rows) or empty


def customer_line(c: dto.Customer) -> str:
    return (
        f"{c.id[:8]}  {c.name}{'  [internal]' if c.is_internal else ''}"
        f"{'' if c.default_billable else '  [non-billable]'}"
        f"{f'  [round {c.round_increment_min}m]' if c.round_increment_min else ''}"
        f"{f'  [min {c.round_minimum_min}m]' if c.round_minimum_min else ''}"
        f"{'' if c.active else '  [archived]'}"
    )


def task_path(t: dto.Task) -> str:
    return " › ".join(x for x in (t.customer, t.project, t.label) if x)


def user_line(u: dto.User) -> str:
    return (
        f"{u.email:<32} {u.name:<24} {u.role:<10} {u.team or '-':<16} "
        f"target {u.utilization_target}%"
    )


def schedule_line(u: dto.User) -> str:
    return (
        f"{u.email}: " + " ".join(hm(s) for s in u.work_schedule_s)
        + f"  target {u.utilization_target}%"
    )


def grid_text(g: dto.Grid) -> str:
    head = f"{g.sheet.user}  week {g.sheet.week} (from {g.sheet.week_start})  {g.sheet.status}"
    out = [head + (f" — {g.sheet.note}" if g.sheet.note else "")]
    width = max([len(r.path) for r in g.rows] + [10])
    out.append(" " * width + "".join(f"{d.strftime('%a %d'):>8}" for d in g.days) + "   total")
    for r in g.rows:
        cells = "".join(f"{hm(c.seconds) if c.seconds else '·':>8}" for c in r.cells)
        out.append(f"{r.path:<{width}}{cells}{hm(r.total_s):>8}")
    out.append(
        f"{'total':<{width}}" + "".join(f"{hm(t):>8}" for t in g.day_totals_s)
        + f"{hm(g.total_s):>8}"
    )
    out.append(f"billable {hm(g.billable_s)}  non-billable {hm(g.non_billable_s)}")
    return "\n".join(out)


def sheet_line(sheet: dto.Sheet, verb: str) -> str:
    """"week 2026-W48 of ann@… submitted"; the status only when the verb doesn't say it."""
    now = "" if sheet.status == verb else f" (now {sheet.status})"
    return f"week {sheet.week} of {sheet.user} {verb}{now}"


def approval_line(r: dto.SheetSummary) -> str:
    return (
        f"{r.sheet.week}  {r.sheet.user:<32} {r.sheet.status:<10} {hm(r.total_s):>7} "
        f"billable {hm(r.billable_s):>7}  warnings {r.warnings}"
    )


def event_line(e: dto.SheetEvent) -> str:
    comment = f" — {e.comment}" if e.comment else ""
    return (
        f"{e.at.isoformat(timespec='seconds')}  {e.action:<8} "
        f"{e.from_status} → {e.to_status}  by {e.actor}{comment}"
    )


def rate_line(r: dto.Rate) -> str:
    scope = " › ".join(x for x in (r.customer, r.project) if x) or "all work"
    return (
        f"{r.user:<32} {r.kind:<8} {amount(r.amount_minor):>10} {r.currency}/h  "
        f"from {r.effective_from}  {scope}"
    )


def day_off_line(d: dto.DayOff, full_day_s: int) -> str:
    hours = "whole day" if d.hours_s == full_day_s else hm(d.hours_s)
    return f"{d.date} {d.date.strftime('%a')}  {hours:<9}  {d.user or 'company'}  {d.name}"


def policy_text(p: dto.Policy) -> str:
    return (
        f"billable descriptions: at least {p.min_description} characters\n"
        f"vague: {', '.join(p.vague) or '(none)'}\ncurrency: {p.currency}"
    )


# ------------------------------------------------------------------ imports


def _import_path(p: dto.ImportPath | None) -> dict[str, Any] | None:
    return None if p is None else {"customer": p.customer, "project": p.project, "task": p.task}


IMPORT_REFUSAL = Shape("line", "reason")
IMPORT_MAPPING = Shape(
    ("from", lambda m: _import_path(m.source)), ("to", lambda m: _import_path(m.target)),
    "new", "rows",
)
IMPORT_REPORT = Shape(
    "source", "user", "dry_run", "partial", "rows", "added", "added_s", "duplicates",
    ("locked", lambda r: IMPORT_REFUSAL.many(r.locked)),
    ("refused", lambda r: IMPORT_REFUSAL.many(r.refused)),
    ("mapping", lambda r: IMPORT_MAPPING.many(r.mapping)), "people",
)


def mapping_line(m: dto.ImportMapping) -> str:
    to = m.target.label if m.target else "(nothing: refused)"
    new = f"  new {', '.join(m.new)}" if m.new else ""
    return f"  {m.source.label}  →  {to}  ({plural(m.rows, 'row')}){new}"


def import_text(r: dto.ImportReport) -> str:
    verb = "would import" if r.dry_run else "imported"
    entries = f"{r.added} {'entry' if r.added == 1 else 'entries'}"
    out = [f"{verb} {entries} ({hm(r.added_s)}) of {plural(r.rows, 'row')} "
           f"for {r.user} from {r.source}"]
    if r.duplicates:
        out.append(f"{plural(r.duplicates, 'row')} already imported, skipped")
    if len(r.people) > 1:
        out.append(f"the file names {len(r.people)} people ({', '.join(r.people[:5])}); "
                   f"all of it goes to {r.user}")
    out += [f"locked, skipped: line {x.line}: {x.reason}" for x in r.locked]
    out += [f"refused: line {x.line}: {x.reason}" for x in r.refused]
    if r.dry_run:
        out.append("mapping (file → Punchclock):")
        out += [mapping_line(m) for m in r.mapping]
        out.append("nothing written. To change the mapping: save this run with --json to a "
                   "file, edit its \"to\" values (null = skip), and pass it with --map FILE")
    return "\n".join(out)
