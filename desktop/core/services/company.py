"""Company policies and calendars: the description policy, the company currency,
holidays, time off, and each user's work schedule and utilization target.

Rules this service enforces (every change writes its outbox row in the same
transaction):

* Policies, the currency, holidays, schedules and targets: admins only
  (:func:`desktop.core.permissions.can_manage_company` / ``can_manage_people``).
  Time off: an admin, or the manager of the user's team
  (:func:`desktop.core.permissions.can_set_time_off`).
* The description policy defaults to :class:`desktop.core.rules.DescriptionPolicy`
  (N = 15, the usual vague list) until an admin changes it; N is 0..2000 and a
  vague phrase is one line, compared after normalizing
  (:func:`desktop.core.rules.normalize_description`).
* One currency per company, an ISO 4217 code of three letters, default EUR.
* A company holiday's hours default to ``FULL_DAY_S`` (24 h), meaning "the whole
  scheduled day" for everyone: a day off removes at most the hours scheduled on
  that day, so a 24 h holiday removes each user's full scheduled day, whatever it
  is. Time off defaults to the user's scheduled hours that weekday and needs
  ``--hours`` on a day with none scheduled. Hours are more than 0 and at most 24.
  Adding a holiday or time off on a date that already has one replaces its hours.
* A work schedule is 7 values (Monday first) of 0..24 h; a target is 0..200 %.
* The timesheet submission deadline is a weekday and a local time after the
  week ends (default Monday 12:00: a week is due by noon of the first Monday
  on or after its last day's end, in the owner's timezone). Admins set it.
* Accounting settings (admins): the Xero account code and tax type, the
  invoice number prefix and payment terms in days, the QuickBooks service item
  and company name, each one line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.core import dto, outbox, permissions
from desktop.core.errors import Forbidden, ValidationError
from desktop.core.model import CompanySetting, Holiday, User
from desktop.core.outbox import counted
from desktop.core.rules import (
    MAX_DESCRIPTION,
    DescriptionPolicy,
    check_description_text,
    normalize_description,
    policy_from_setting,
)
from desktop.core.services.common import (
    Service,
    find_user,
    record_changes,
    require_user,
    to_user,
)
from desktop.core.timeutil import parse_clock_time

POLICY_KEY = "description_policy"
CURRENCY_KEY = "currency"
DEFAULT_CURRENCY = "EUR"
DEADLINE_KEY = "submission_deadline"
ACCOUNTING_KEY = "accounting"
FULL_DAY_S = 24 * 3600
DEFAULT_DEADLINE = (0, time(12, 0))  # Monday 12:00 after the week
_CURRENCY = re.compile(r"[A-Z]{3}", re.ASCII)


# --------------------------------------------- settings read inside a session


def load_policy(s: Session) -> DescriptionPolicy:
    """The company's description policy (the defaults until an admin sets one)."""
    row = s.get(CompanySetting, POLICY_KEY)
    return policy_from_setting(None if row is None else row.value)


def load_currency(s: Session) -> str:
    row = s.get(CompanySetting, CURRENCY_KEY)
    return DEFAULT_CURRENCY if row is None else str(row.value)


def load_deadline(s: Session) -> tuple[int, time]:
    """(weekday 0=Monday..6, local time) of the submission deadline."""
    row = s.get(CompanySetting, DEADLINE_KEY)
    if row is None or not isinstance(row.value, dict):
        return DEFAULT_DEADLINE
    try:
        weekday = int(row.value["weekday"])
        at = parse_clock_time(str(row.value["time"]))
    except (KeyError, TypeError, ValueError, ValidationError):
        return DEFAULT_DEADLINE
    return (weekday, at) if 0 <= weekday <= 6 else DEFAULT_DEADLINE


@dataclass(frozen=True)
class Accounting:
    """Company settings the accounting exports use."""

    xero_account_code: str = "200"
    xero_tax_type: str = "Tax on Sales"
    invoice_prefix: str = "PC-"
    payment_terms_days: int = 30
    service_item: str = "Services"
    company_name: str = ""


def load_accounting(s: Session) -> Accounting:
    row = s.get(CompanySetting, ACCOUNTING_KEY)
    stored = row.value if row is not None and isinstance(row.value, dict) else {}
    defaults = Accounting()
    values = {
        f.name: stored[f.name]
        for f in fields(Accounting)
        if f.name in stored and type(stored[f.name]) is type(getattr(defaults, f.name))
    }
    return replace(defaults, **values)


def _put_setting(s: Session, key: str, value: Any, now: datetime) -> None:
    row = s.get(CompanySetting, key)
    if row is None:
        row = CompanySetting(key=key, value=value, updated_at=now)
        s.add(row)
        outbox.record_setting(s, row, "create")
    elif row.value != value:
        row.value = value
        row.updated_at = now
        outbox.record_setting(s, row, "update")


def _to_day_off(s: Session, row: Holiday) -> dto.DayOff:
    owner = s.get(User, row.user_id) if row.user_id else None
    return dto.DayOff(
        id=row.id,
        date=row.date,
        hours_s=row.hours_s,
        name=row.name,
        user_id=row.user_id,
        user=owner.email if owner else None,
    )


def _hours(hours_s: int) -> int:
    if not 0 < hours_s <= FULL_DAY_S:
        raise ValidationError("hours off must be more than 0 and at most 24")
    return hours_s


class CompanyService(Service):
    """Policies, currency, holidays, time off and schedules (see the module rules)."""

    # ------------------------------------------------------------ policies

    def policy(self) -> dto.Policy:
        with self.db.read() as s:
            rule = load_policy(s)
            return dto.Policy(rule.min_length, rule.vague, load_currency(s))

    def set_policy(
        self,
        actor_id: str | None,
        *,
        min_description: int | None = None,
        vague: Sequence[str] | None = None,
        currency: str | None = None,
    ) -> dto.Policy:
        """Change the description policy and/or the currency (admins only)."""
        with self.db.write() as s:
            if not permissions.can_manage_company(to_user(s, require_user(s, actor_id))):
                raise Forbidden("only admins can change company policies")
            rule = load_policy(s)
            if min_description is not None:
                if not 0 <= min_description <= MAX_DESCRIPTION:
                    raise ValidationError(
                        f"the minimum description length must be 0..{MAX_DESCRIPTION}"
                    )
                rule = DescriptionPolicy(min_description, rule.vague)
            if vague is not None:
                phrases: list[str] = []
                for phrase in vague:
                    if "\n" in phrase or len(phrase) > 200:
                        raise ValidationError(
                            "a vague phrase is one line of at most 200 characters"
                        )
                    cleaned = normalize_description(phrase)
                    if cleaned and cleaned not in phrases:
                        phrases.append(cleaned)
                rule = DescriptionPolicy(rule.min_length, tuple(phrases))
            if min_description is not None or vague is not None:
                _put_setting(
                    s,
                    POLICY_KEY,
                    {"min_length": rule.min_length, "vague": list(rule.vague)},
                    self.now(),
                )
            if currency is not None:
                code = currency.strip().upper()
                if not _CURRENCY.fullmatch(code):
                    raise ValidationError(f'"{currency}" is not a currency code such as EUR or USD')
                _put_setting(s, CURRENCY_KEY, code, self.now())
            return dto.Policy(rule.min_length, rule.vague, load_currency(s))

    # ------------------------------------------------------------ calendar

    def add_holiday(
        self, actor_id: str | None, day: date, *, hours_s: int | None = None, name: str = ""
    ) -> dto.DayOff:
        """A company-wide holiday (admins only); default: the whole scheduled day."""
        with self.db.write() as s:
            if not permissions.can_manage_company(to_user(s, require_user(s, actor_id))):
                raise Forbidden("only admins can add company holidays")
            return self._put_day_off(
                s, None, day, FULL_DAY_S if hours_s is None else hours_s, name.strip()
            )

    def add_time_off(
        self,
        actor_id: str | None,
        user: str,
        day: date,
        *,
        hours_s: int | None = None,
        name: str = "",
    ) -> dto.DayOff:
        """Time off for one user (admins, or the manager of the user's team);
        default: the user's scheduled hours that day."""
        with self.db.write() as s:
            actor = to_user(s, require_user(s, actor_id))
            owner = find_user(s, user)
            if not permissions.can_set_time_off(actor, to_user(s, owner)):
                raise Forbidden(
                    f"only an admin or the manager of {owner.email}'s team can set their time off"
                )
            if hours_s is None:
                hours_s = owner.work_schedule[day.weekday()]
                if hours_s <= 0:
                    raise ValidationError(
                        f"{owner.email} has no hours scheduled on {day.strftime('%A')} "
                        f"{day.isoformat()}; give the hours off"
                    )
            return self._put_day_off(s, owner.id, day, hours_s, name.strip())

    def _put_day_off(
        self, s: Session, user_id: str | None, day: date, hours_s: int, name: str
    ) -> dto.DayOff:
        hours_s = _hours(hours_s)
        what = "holiday name" if user_id is None else "time-off name"
        name = check_description_text(name, what)
        if len(name) > 200 or "\n" in name or "\t" in name:
            raise ValidationError(f"a {what} is one line of at most 200 characters")
        owner = Holiday.user_id.is_(None) if user_id is None else Holiday.user_id == user_id
        row = s.scalar(
            select(Holiday).where(Holiday.deleted_at.is_(None), Holiday.date == day, owner)
        )
        if row is None:
            row = Holiday(
                date=day, hours_s=hours_s, name=name, user_id=user_id, updated_at=self.now()
            )
            s.add(row)
            outbox.record(s, row, "create")
        else:
            changed = [k for k, v in (("hours_s", hours_s), ("name", name)) if getattr(row, k) != v]
            if changed:
                row.hours_s, row.name, row.updated_at = hours_s, name, self.now()
                outbox.record(s, row, "update", fields=[*changed, "updated_at"])
        return _to_day_off(s, row)

    def days_off(self, start: date, end: date, user: str | None = None) -> list[dto.DayOff]:
        """Company holidays, and the time off of ``user`` when given, in date order."""
        with self.db.read() as s:
            q = select(Holiday).where(
                counted(Holiday), Holiday.date >= start, Holiday.date <= end
            )
            if user is None:
                q = q.where(Holiday.user_id.is_(None))
            else:
                owner_id = find_user(s, user).id
                q = q.where((Holiday.user_id.is_(None)) | (Holiday.user_id == owner_id))
            return [_to_day_off(s, r) for r in s.scalars(q.order_by(Holiday.date))]

    # ----------------------------------------------------------- schedules

    def update_user_schedule(
        self,
        actor_id: str | None,
        user: str,
        *,
        schedule_s: Sequence[int] | None = None,
        target: int | None = None,
    ) -> dto.User:
        """Set a user's scheduled seconds per weekday (Monday first) and/or their
        utilization target in percent (admins only)."""
        with self.db.write() as s:
            if not permissions.can_manage_people(to_user(s, require_user(s, actor_id))):
                raise Forbidden("only admins can change work schedules and targets")
            row = find_user(s, user)
            values: dict[str, object] = {}
            if schedule_s is not None:
                days = [int(v) for v in schedule_s]
                if len(days) != 7 or any(not 0 <= v <= FULL_DAY_S for v in days):
                    raise ValidationError(
                        "a work schedule is 7 daily hours (Monday first), each 0 to 24"
                    )
                values["work_schedule"] = days
            if target is not None:
                if not 0 <= target <= 200:
                    raise ValidationError("a utilization target is a percentage between 0 and 200")
                values["utilization_target"] = target
            record_changes(s, row, values, self.now())
            return to_user(s, row)

    # ----------------------------------------------------- deadline, accounting

    def submission_deadline(self) -> tuple[int, time]:
        with self.db.read() as s:
            return load_deadline(s)

    def set_submission_deadline(
        self, actor_id: str | None, *, weekday: int, at: time
    ) -> tuple[int, time]:
        """When a week's timesheet is due: ``weekday`` (0=Monday) at ``at``,
        local time, after the week ends (admins only)."""
        if not 0 <= weekday <= 6:
            raise ValidationError("the deadline weekday must be 0 (Monday) .. 6 (Sunday)")
        with self.db.write() as s:
            if not permissions.can_manage_company(to_user(s, require_user(s, actor_id))):
                raise Forbidden("only admins can change the submission deadline")
            value = {"weekday": weekday, "time": at.strftime("%H:%M")}
            _put_setting(s, DEADLINE_KEY, value, self.now())
            return load_deadline(s)

    def accounting(self) -> Accounting:
        with self.db.read() as s:
            return load_accounting(s)

    def set_accounting(self, actor_id: str | None, **changes: Any) -> Accounting:
        """Change accounting settings by name (admins only); see :class:`Accounting`."""
        known = {f.name: f for f in fields(Accounting)}
        for name, value in changes.items():
            if name not in known:
                raise ValidationError(f'unknown accounting setting "{name}"')
            if name == "payment_terms_days":
                if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 365:
                    raise ValidationError("payment terms are 0 to 365 days")
            elif not isinstance(value, str) or not value.isprintable() or len(value) > 100:
                raise ValidationError(
                    f"{name} is one line of at most 100 characters, without control characters"
                )
        with self.db.write() as s:
            if not permissions.can_manage_company(to_user(s, require_user(s, actor_id))):
                raise Forbidden("only admins can change accounting settings")
            merged = replace(load_accounting(s), **changes)
            value = {f: getattr(merged, f) for f in known}
            _put_setting(s, ACCOUNTING_KEY, value, self.now())
            return merged
