"""Preferences: this device's settings and the profile edits the tray offers.

Rules:
* Device settings (reminders, idle threshold, start at login, working-day window)
  live in the local ``preference`` table and are never synced. Each is stored
  under its own key, so a newer app adding a key never breaks an older file;
  an unreadable stored value falls back to its default instead of failing.
* Validation: thresholds are whole minutes/hours in a sane range (idle 1–240 min,
  not-tracking 1–480 min, long timer 1–24 h); times of day are ``HH:MM``; the
  working day starts before it ends; the end-of-week weekday is 0 (Mon) – 6 (Sun).
* The global shortcut is off until the user turns it on (a system-wide key is
  the user's to give); its keys are one or more of Ctrl, Alt, Shift, Meta and
  one other key, written as Qt writes them ("Ctrl+Alt+T", default).
* Profile edits (name, hours per weekday, utilization target, timezone, first
  weekday) change the ``user`` row and write its outbox row in the same
  transaction, like every synced change. Hours per weekday are 0–24 h each.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from datetime import time
from typing import Any

from desktop.core import dto, outbox
from desktop.core.errors import ValidationError
from desktop.core.model import Preference
from desktop.core.services.common import Service, require_user, to_user
from desktop.core.services.directory import _target, _timezone
from desktop.core.services.directory_changes import clean_name
from desktop.core.timeutil import parse_clock_time

PREFIX = "settings."
DAY_S = 24 * 3600


@dataclass(frozen=True)
class Settings:
    """Device settings with their defaults."""

    idle_threshold_min: int = 10
    idle_detection: bool = True
    start_at_login: bool = False
    workday_start: str = "09:00"
    workday_end: str = "17:30"
    remind_not_tracking: bool = True
    not_tracking_min: int = 15
    remind_long_timer: bool = True
    long_timer_h: int = 9
    remind_end_of_day: bool = True
    remind_end_of_week: bool = True
    end_of_week_weekday: int = 4
    end_of_week_time: str = "16:00"
    global_shortcut: bool = False
    global_shortcut_keys: str = "Ctrl+Alt+T"

    @property
    def workday_start_time(self) -> time:
        return parse_clock_time(self.workday_start)

    @property
    def workday_end_time(self) -> time:
        return parse_clock_time(self.workday_end)

    @property
    def end_of_week_clock(self) -> time:
        return parse_clock_time(self.end_of_week_time)


def _check_range(value: int, low: int, high: int, what: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValidationError(f"{what} must be a whole number from {low} to {high}")


MODIFIERS = ("Ctrl", "Alt", "Shift", "Meta")


def check_shortcut(text: str) -> str:
    """``"ctrl + alt + t"`` → ``"Ctrl+Alt+T"``; refused without a modifier or a key."""
    parts = [p.strip() for p in text.split("+")]
    if text.strip().endswith("+"):  # "Ctrl++": the plus key itself
        parts = [*parts[:-2], "+"]
    mods = [m for m in MODIFIERS if m.lower() in {p.lower() for p in parts[:-1]}]
    key = parts[-1] if parts else ""
    known = {m.lower() for m in MODIFIERS}
    if (not key or key.lower() in known or len(mods) != len(parts) - 1
            or not mods or any(c.isspace() for c in key)):
        raise ValidationError(
            f'"{text}" is not a shortcut: use modifiers and one key, like Ctrl+Alt+T'
        )
    return "+".join([*mods, key.upper() if len(key) == 1 else key.capitalize()])


def validate(settings: Settings) -> Settings:
    """Refuse impossible settings with a one-line message naming the field."""
    _check_range(settings.idle_threshold_min, 1, 240, "the idle threshold (minutes)")
    _check_range(settings.not_tracking_min, 1, 480, "the not-tracking reminder (minutes)")
    _check_range(settings.long_timer_h, 1, 24, "the long-timer reminder (hours)")
    _check_range(settings.end_of_week_weekday, 0, 6, "the end-of-week day")
    start = parse_clock_time(settings.workday_start)
    end = parse_clock_time(settings.workday_end)
    parse_clock_time(settings.end_of_week_time)
    if end <= start:
        raise ValidationError(
            f"the working day must end after it starts ({settings.workday_start}–"
            f"{settings.workday_end})"
        )
    return replace(
        settings,
        workday_start=start.strftime("%H:%M"),
        workday_end=end.strftime("%H:%M"),
        end_of_week_time=parse_clock_time(settings.end_of_week_time).strftime("%H:%M"),
        global_shortcut_keys=check_shortcut(settings.global_shortcut_keys),
    )


def _schedule(hours_s: tuple[int, ...]) -> list[int]:
    if len(hours_s) != 7:
        raise ValidationError("give hours for all seven weekdays")
    for seconds in hours_s:
        if isinstance(seconds, bool) or not 0 <= int(seconds) <= DAY_S:
            raise ValidationError("hours per weekday must be between 0 and 24")
    return [int(s) for s in hours_s]


class PreferencesService(Service):
    # ------------------------------------------------------------ settings

    def settings(self) -> Settings:
        """The stored settings; missing or unreadable keys take their default."""
        defaults = Settings()
        values: dict[str, Any] = {}
        with self.db.read() as s:
            for f in fields(Settings):
                pref = s.get(Preference, PREFIX + f.name)
                default = getattr(defaults, f.name)
                if pref is not None and type(pref.value) is type(default):
                    values[f.name] = pref.value
        merged = replace(defaults, **values)
        try:
            return validate(merged)
        except ValidationError:
            return defaults

    def save_settings(self, settings: Settings) -> Settings:
        """Validate and store every setting in one transaction."""
        clean = validate(settings)
        with self.db.write() as s:
            for key, value in asdict(clean).items():
                s.merge(Preference(key=PREFIX + key, value=value))
        return clean

    # ------------------------------------------------------------- profile

    def update_profile(
        self,
        user_id: str | None = None,
        *,
        name: str | None = None,
        work_schedule_s: tuple[int, ...] | None = None,
        utilization_target: int | None = None,
        timezone: str | None = None,
        first_weekday: int | None = None,
    ) -> dto.User:
        """Change the profile's own fields; only what changed goes to the outbox."""
        with self.db.write() as s:
            row = require_user(s, user_id)
            changed: list[str] = []

            def put(attr: str, value: object) -> None:
                if getattr(row, attr) != value:
                    setattr(row, attr, value)
                    changed.append(attr)

            if name is not None:
                put("name", clean_name(name, "user"))
            if work_schedule_s is not None:
                put("work_schedule", _schedule(work_schedule_s))
            if utilization_target is not None:
                put("utilization_target", _target(utilization_target))
            if timezone is not None:
                put("timezone", _timezone(timezone.strip()))
            if first_weekday is not None:
                if not 0 <= first_weekday <= 6:
                    raise ValidationError("the first weekday is 0 (Monday) to 6 (Sunday)")
                put("first_weekday", first_weekday)
            if changed:
                row.updated_at = self.now().replace(microsecond=0)
                outbox.record(s, row, "update", fields=[*changed, "updated_at"])
            return to_user(s, row)
