"""Accounting exports: approved billable time of a period into a file, and the
``exported_at`` stamp (formats in :mod:`.writers`).

Rules this service enforces:

* Only admins export and unlock (:func:`desktop.core.permissions.can_export`).
* An export covers billable entries of approved weeks whose work date is in
  the period, not deleted, and — unless ``include_exported`` — not exported
  before. Billed time is the customer's rounding per entry
  (:func:`desktop.core.rounding.billed_seconds`), the rate the effective
  billing rate (:func:`desktop.core.money.resolve_rate`), the amount billed ×
  rate rounded once per line. Cost is never read.
* ``per="task"`` makes one line per technician, customer, project, task, day
  and rate (descriptions joined with "; "); ``per="entry"`` one per entry.
* An entry with no billing rate in effect refuses the whole export (an
  invoice line without a price is a mistake), naming the first one.
* Nothing to export is not an error: the file is written with its header only
  and nothing is marked.
* Atomic: every file is written to a temporary file in the target folder and
  fsynced; then, in ONE write transaction, the entries are stamped (with
  ``mark_exported``; with their outbox rows), the temporary files are renamed
  over the targets, the folder is fsynced and the transaction commits. A
  failure before the rename leaves no entry marked and no file under the
  target name (temporary files are removed).
* Exported entries are locked: their owner can't edit or delete them unless
  the owner is an admin (:func:`desktop.core.permissions.can_change_exported`);
  :meth:`ExportService.unlock` (admins) clears the stamp.
* The QuickBooks Online export needs a mapping file (JSON: ``employees`` by
  email, ``customers`` by name or ``Customer:Project``, ``items`` by name →
  QuickBooks ids). :meth:`ExportService.qbo_mapping_template` writes one with
  every name the period needs (keeping refs already filled in); an export
  with names missing from the mapping is refused, listing them.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.core import dto, outbox, permissions
from desktop.core.errors import Forbidden, ValidationError
from desktop.core.exports import writers
from desktop.core.model import Customer, Project, Rate, Task, TimeEntry, User
from desktop.core.money import sum_value_minor
from desktop.core.outbox import counted
from desktop.core.rounding import billed_seconds
from desktop.core.services.common import Service, require_user, to_user
from desktop.core.services.company import load_accounting, load_currency
from desktop.core.services.entries import find_entry
from desktop.core.services.reports import RateBook, check_period, in_weeks_with_status
from desktop.core.timeutil import work_date

PER = ("entry", "task")


def _check_out(out: Path) -> Path:
    """The target file must be in an existing, writable folder and not be a folder."""
    target = out.expanduser()
    if target.is_dir():
        raise ValidationError(f"{target} is a folder; give a file name")
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise ValidationError(f"can't write {target}: the folder {folder} doesn't exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ValidationError(f"can't write {target}: the folder {folder} is not writable")
    if target.exists() and not os.access(target, os.W_OK):
        raise ValidationError(f"can't write {target}: the file is read-only")
    return target


def numbered(target: Path, count: int) -> list[Path]:
    """``out.csv`` then ``out-2.csv``, ``out-3.csv``… for ``count`` files."""
    return [target] + [
        target.with_name(f"{target.stem}-{n}{target.suffix}") for n in range(2, count + 1)
    ]


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":  # pragma: no cover - no directory fds elsewhere
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _temp_copy(target: Path, data: bytes) -> Path:
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(name)
        raise
    return Path(name)


def load_mapping(path: Path) -> writers.QboMapping:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValidationError(
            f"no QuickBooks mapping at {path}; write one with the mapping template first"
        ) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValidationError(f"can't read the QuickBooks mapping {path}: {exc}") from None
    if not isinstance(raw, dict):
        raise ValidationError(f"the QuickBooks mapping {path} must be a JSON object")

    def section(name: str) -> dict[str, str]:
        value = raw.get(name) or {}
        if not isinstance(value, dict):
            raise ValidationError(f'"{name}" in {path} must be an object of name → id')
        return {str(k): str(v) for k, v in value.items() if v not in (None, "")}

    return writers.QboMapping(section("employees"), section("customers"), section("items"))


class ExportService(Service):
    """Accounting exports and the exported lock (see the module rules)."""

    def lines(
        self,
        actor_id: str | None,
        start: date,
        end: date,
        *,
        per: str = "entry",
        include_exported: bool = False,
    ) -> list[dto.ExportLine]:
        """What an export of the period would contain (admins only)."""
        with self.db.read() as s:
            self._check(s, actor_id, start, end, per)
            return self._lines(s, start, end, per, include_exported)[0]

    def export(
        self,
        actor_id: str | None,
        fmt: str,
        start: date,
        end: date,
        out: Path,
        *,
        per: str = "entry",
        mark_exported: bool = False,
        include_exported: bool = False,
        mapping: Path | None = None,
    ) -> dto.ExportResult:
        """Write the period's approved billable time as ``fmt`` to ``out`` (and
        ``out-2``… for Xero past 500 invoices); see the module rules."""
        if fmt not in writers.FORMATS:
            raise ValidationError(
                f'unknown export format "{fmt}"; use {", ".join(writers.FORMATS)}'
            )
        target = _check_out(Path(out))
        now = self.now()
        with self.db.write() as s:
            actor = self._check(s, actor_id, start, end, per)
            lines, ids = self._lines(s, start, end, per, include_exported)
            currency = load_currency(s)
            settings = load_accounting(s)
            contents = self._render(
                fmt,
                lines,
                currency,
                settings,
                now,
                work_date(now, actor.timezone),
                start,
                end,
                mapping or target.with_name("qbo-mapping.json"),
            )
            paths = numbered(target, len(contents))
            temps: list[Path] = []
            try:
                for path, data in zip(paths, contents, strict=True):
                    temps.append(_temp_copy(path, data))
                marked = self._mark(s, ids, now) if mark_exported else 0
                for temp, path in zip(temps, paths, strict=True):
                    os.replace(temp, path)
                _fsync_dir(target.parent)
            except BaseException:
                for temp in temps:
                    with contextlib.suppress(OSError):
                        os.unlink(temp)
                raise
            return dto.ExportResult(
                format=fmt,
                paths=tuple(str(p) for p in paths),
                lines=len(lines),
                entries=len(ids),
                billed_s=sum(x.billed_s for x in lines),
                amount_minor=sum(x.amount_minor for x in lines),
                currency=currency,
                marked=marked,
            )

    def unlock(self, actor_id: str | None, entry_ids: Sequence[str]) -> int:
        """Clear the exported stamp of entries (admins only); returns how many changed."""
        now = self.now()
        with self.db.write() as s:
            actor = to_user(s, require_user(s, actor_id))
            if not permissions.can_export(actor):
                raise Forbidden("only admins can unlock exported entries")
            changed = 0
            for ref in entry_ids:
                row = find_entry(s, ref)
                if row.exported_at is not None:
                    row.exported_at, row.updated_at = None, now
                    outbox.record(s, row, "update", fields=["exported_at", "updated_at"])
                    changed += 1
            return changed

    def qbo_mapping_template(
        self, actor_id: str | None, start: date, end: date, path: Path
    ) -> dict[str, dict[str, str | None]]:
        """Write (or complete) the QuickBooks Online mapping file with every
        employee, customer and item the period's export needs; refs already in
        the file are kept, new names get ``null`` for the admin to fill in."""
        target = _check_out(Path(path))
        with self.db.read() as s:
            self._check(s, actor_id, start, end, "entry")
            lines, _ = self._lines(s, start, end, "entry", True)
            item = load_accounting(s).service_item
        current: dict[str, Any] = {}
        if target.exists():
            try:
                current = json.loads(target.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise ValidationError(f"can't read {target}: {exc}") from None
        merged: dict[str, dict[str, str | None]] = {
            k: dict(current.get(k) or {}) for k in ("employees", "customers", "items")
        }
        for line in lines:
            merged["employees"].setdefault(line.technician_email, None)
            merged["customers"].setdefault(writers.qbo_customer_key(line), None)
        merged["items"].setdefault(item, None)
        data = (json.dumps(merged, indent=2, ensure_ascii=False, sort_keys=True) + "\n").encode()
        temp = _temp_copy(target, data)
        os.replace(temp, target)
        return merged

    # ------------------------------------------------------------- internals

    def _check(
        self, s: Session, actor_id: str | None, start: date, end: date, per: str
    ) -> dto.User:
        if per not in PER:
            raise ValidationError(f'unknown --per "{per}"; use entry or task')
        check_period(start, end)
        actor = to_user(s, require_user(s, actor_id))
        if not permissions.can_export(actor):
            raise Forbidden("only admins can export to accounting")
        return actor

    def _lines(
        self, s: Session, start: date, end: date, per: str, include_exported: bool
    ) -> tuple[list[dto.ExportLine], list[str]]:
        q = (
            select(
                TimeEntry.id,
                TimeEntry.user_id,
                TimeEntry.customer_id,
                TimeEntry.project_id,
                TimeEntry.work_date,
                TimeEntry.duration_s,
                TimeEntry.description,
                User.name,
                User.email,
                Customer.name,
                Customer.round_increment_min,
                Customer.round_minimum_min,
                Project.name,
                Task.id,
                Task.title,
                Task.external_ref,
            )
            .join(User, User.id == TimeEntry.user_id)
            .join(Customer, Customer.id == TimeEntry.customer_id)
            .outerjoin(Project, Project.id == TimeEntry.project_id)
            .outerjoin(Task, Task.id == TimeEntry.task_id)
            .where(
                counted(TimeEntry),
                TimeEntry.billable.is_(True),
                TimeEntry.work_date >= start,
                TimeEntry.work_date <= end,
            )
        )
        if not include_exported:
            q = q.where(TimeEntry.exported_at.is_(None))
        q = in_weeks_with_status(q, ("approved",)).order_by(
            Customer.name, Project.name, TimeEntry.work_date, User.name, TimeEntry.created_at
        )
        rows = s.execute(q).all()
        rates = RateBook(
            s.scalars(
                select(Rate).where(
                    counted(Rate), Rate.user_id.in_({r[1] for r in rows})
                )
            )
        )
        groups: dict[tuple[Any, ...], list[Any]] = defaultdict(list)
        for r in rows:
            (eid, user_id, customer_id, project_id, day, raw) = r[:6]
            rate = rates.amount("billing", user_id, customer_id, project_id, day)
            if rate is None:
                raise ValidationError(
                    f"entry {eid[:8]} ({r[8]}, {day.isoformat()}, {r[9]}) has no billing rate "
                    "in effect; set one before exporting"
                )
            key: tuple[Any, ...] = (
                (eid,) if per == "entry" else (user_id, customer_id, project_id, r[13], day, rate)
            )
            groups[key].append((r, rate, billed_seconds(raw, r[10], r[11])))
        lines = []
        for items in groups.values():
            r0, rate, _ = items[0]
            descriptions: list[str] = []
            for r, _, _ in items:
                text = writers.one_line(r[6])
                if text and text not in descriptions:
                    descriptions.append(text)
            billed = sum(b for _, _, b in items)
            lines.append(
                dto.ExportLine(
                    entry_ids=tuple(r[0] for r, _, _ in items),
                    customer=r0[9],
                    project=r0[12],
                    task=r0[14],
                    ticket=r0[15],
                    technician=r0[7],
                    technician_email=r0[8],
                    work_date=r0[4],
                    raw_s=sum(r[5] for r, _, _ in items),
                    billed_s=billed,
                    rate_minor=rate,
                    amount_minor=sum_value_minor([(billed, rate)]),
                    description="; ".join(descriptions),
                )
            )
        return lines, [r[0] for r in rows]

    def _render(
        self,
        fmt: str,
        lines: list[dto.ExportLine],
        currency: str,
        settings: Any,
        now: datetime,
        today: date,
        start: date,
        end: date,
        mapping_path: Path,
    ) -> list[bytes]:
        if fmt == "csv":
            return [writers.csv_file(lines, currency)]
        if fmt == "iif":
            return [
                writers.iif_file(
                    lines,
                    company=settings.company_name,
                    item=settings.service_item,
                    created_epoch=int(now.timestamp()),
                )
            ]
        if fmt == "qbo":
            mapping = load_mapping(mapping_path)
            missing = writers.qbo_missing(lines, mapping, settings.service_item)
            if missing:
                names = [f'{k[:-1]} "{v}"' for k, vs in missing.items() for v in vs]
                more = f" and {len(names) - 1} more" if len(names) > 1 else ""
                raise ValidationError(
                    f"the QuickBooks mapping {mapping_path} has no id for {names[0]}{more}"
                )
            return [writers.qbo_file(lines, mapping, settings.service_item)]
        return writers.xero_files(
            lines,
            writers.XeroSettings(
                account_code=settings.xero_account_code,
                tax_type=settings.xero_tax_type,
                invoice_prefix=settings.invoice_prefix,
                invoice_date=today,
                payment_terms_days=settings.payment_terms_days,
                reference=f"Time {start.isoformat()} to {end.isoformat()}",
                currency=currency,
                period_end=end,
            ),
        )

    def _mark(self, s: Session, ids: Sequence[str], now: datetime) -> int:
        marked = 0
        for first in range(0, len(ids), 500):
            for row in s.scalars(
                select(TimeEntry).where(TimeEntry.id.in_(ids[first : first + 500]))
            ):
                row.exported_at, row.updated_at = now, now
                outbox.record(s, row, "update", fields=["exported_at", "updated_at"])
                marked += 1
        return marked
