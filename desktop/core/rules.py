"""Validation of entry text and of a week before it is submitted.

Rules enforced here:

* A description is stripped of surrounding whitespace, is at most
  ``MAX_DESCRIPTION`` characters, and contains no control characters (Unicode
  category Cc) other than newline and tab, and no bidirectional override or
  isolate characters (U+202A..U+202E, U+2066..U+2069), which can disguise text.
  The same check guards every other text a person types that is stored and
  synced — names, ticket references, holiday names, workflow reasons — where
  the protocol would refuse it later; names are also one line.
* Two timed entries overlap when their half-open ranges [start, end) intersect;
  a running entry ends "now"; entries that merely touch do not overlap.
* A day holds at most 24 hours (``MAX_DAY_S``) of logged time.
* Description policy (billable entries only): the description must be at least
  ``min_length`` characters after trimming and must not be on the vague list.
  The vague check compares the normalized text (lowercase, surrounding
  whitespace and punctuation trimmed, inner whitespace collapsed) and the same
  text with trailing number/duration fragments removed ("Client stuff, 4 h"
  -> "client stuff"). A vague description is reported as vague only (not also
  as short).
* The same policy at entry time (:func:`entry_description_check`, used by the
  tracking service and so by the popup, Log time, the grid and the CLI alike):
  a billable entry with an EMPTY description is refused when its time is
  recorded (``EMPTY_BILLABLE``, one message everywhere); a short or vague one is
  saved with a warning, and refused only at submit. A policy with
  ``min_length`` 0 asks for no description at all. A running timer may run
  without one (it is typed while working), and stopping a timer is never
  refused (the time is real): the stop carries the warning instead.
* A week can be submitted only when ``week_problems`` is empty; it lists EVERY
  problem with its entry, in a deterministic order: running timers, days over
  24 h, overlaps, then description problems (each group in entry order:
  work date, start, id).
"""

from __future__ import annotations

import functools
import heapq
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from desktop.core.errors import Problem, ValidationError

MAX_DESCRIPTION = 2000
MAX_DAY_S = 86400
ENTRY_SOURCES = ("timer", "manual", "grid", "idle-split")
# A task is open (offered for new time) or archived (kept for the entries on it).
TASK_STATUSES = ("open", "archived")

_ALLOWED_CONTROLS = frozenset("\n\t")
_BIDI = frozenset(chr(c) for c in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)])
_DIGIT = re.compile(r"[0-9]")
_TRAILING_AMOUNT = re.compile(
    r"[\s,;:/()\[\]-]*[0-9]+(?:[.,:][0-9]+)?\s*"
    r"(?:h|hr|hrs|hours?|m|min|mins|minutes?)?[\s.)\]]*$",
    re.IGNORECASE,
)


def check_description_text(text: str, what: str = "description") -> str:
    """Clean and check a description (see the module rule) — or any other text
    typed by a person, named ``what`` in the message; returns the stripped text."""
    cleaned = text.strip()
    if len(cleaned) > MAX_DESCRIPTION:
        raise ValidationError(
            f"the {what} is {len(cleaned)} characters long; the limit is {MAX_DESCRIPTION}"
        )
    for index, char in enumerate(cleaned):
        if char in _BIDI:
            raise ValidationError(
                f"the {what} contains a hidden text-direction character "
                f"(U+{ord(char):04X}) at position {index + 1}; remove it"
            )
        if unicodedata.category(char) == "Cc" and char not in _ALLOWED_CONTROLS:
            raise ValidationError(
                f"the {what} contains a control character (U+{ord(char):04X}) "
                f"at position {index + 1}; remove it"
            )
    return cleaned


@dataclass(frozen=True)
class EntryFacts:
    """What the rules need to know about one time entry."""

    id: str
    work_date: date
    started_at: datetime | None
    ended_at: datetime | None
    duration_s: int
    billable: bool
    description: str
    running: bool


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _order_key(e: EntryFacts) -> tuple[date, int, datetime, str]:
    # entry order: work date, timed before untimed, start, id
    if e.started_at is None:
        return (e.work_date, 1, _EPOCH, e.id)
    return (e.work_date, 0, e.started_at, e.id)


def _sorted(entries: Iterable[EntryFacts]) -> list[EntryFacts]:
    return sorted(entries, key=_order_key)


def _interval(e: EntryFacts, now: datetime) -> tuple[datetime, datetime] | None:
    if e.started_at is None:
        return None
    if e.running:
        end = now
    elif e.ended_at is not None:
        end = e.ended_at
    else:
        return None
    if end <= e.started_at:
        return None
    return e.started_at, end


def find_overlaps(entries: Sequence[EntryFacts], now: datetime) -> list[tuple[str, str]]:
    """Pairs of ids of timed entries whose [start, end) ranges intersect.

    Sort + sweep, O(n log n + k) for k pairs. Each pair is (earlier start, later
    start) -- ties by id -- and pairs are listed in that order.
    """
    timed: list[tuple[datetime, str, datetime]] = []
    for e in entries:
        span = _interval(e, now)
        if span is not None:
            timed.append((span[0], e.id, span[1]))
    timed.sort()
    rank = {entry_id: i for i, (_, entry_id, _) in enumerate(timed)}
    active: list[tuple[datetime, str]] = []  # min-heap of (end, id)
    pairs: list[tuple[str, str]] = []
    for start, entry_id, end in timed:
        while active and active[0][0] <= start:
            heapq.heappop(active)
        pairs.extend((other, entry_id) for _, other in active)
        heapq.heappush(active, (end, entry_id))
    pairs.sort(key=lambda p: (rank[p[0]], rank[p[1]]))
    return pairs


def day_totals(entries: Iterable[EntryFacts]) -> dict[date, int]:
    """Logged seconds per work date, in date order."""
    totals: dict[date, int] = {}
    for e in entries:
        totals[e.work_date] = totals.get(e.work_date, 0) + e.duration_s
    return dict(sorted(totals.items()))


@dataclass(frozen=True)
class DescriptionPolicy:
    """Admin settings for billable descriptions."""

    min_length: int = 15
    vague: tuple[str, ...] = (
        "work",
        "stuff",
        "misc",
        "client stuff",
        "worked on client stuff",
        "admin",
        "fixes",
        "various",
        "meeting",
        "support",
    )


def policy_from_setting(value: object) -> DescriptionPolicy:
    """The description policy stored as a company setting's value (a mapping with
    ``min_length`` and ``vague``); the defaults for anything missing."""
    default = DescriptionPolicy()
    if not isinstance(value, dict):
        return default
    return DescriptionPolicy(
        min_length=int(value.get("min_length", default.min_length)),
        vague=tuple(str(v) for v in value.get("vague", default.vague)),
    )


def _is_trim_char(char: str) -> bool:
    return char.isspace() or unicodedata.category(char)[0] in "PS"


def normalize_description(text: str) -> str:
    """Lowercase, trim surrounding whitespace and punctuation, collapse inner whitespace."""
    collapsed = " ".join(text.lower().split())
    start, end = 0, len(collapsed)
    while start < end and _is_trim_char(collapsed[start]):
        start += 1
    while end > start and _is_trim_char(collapsed[end - 1]):
        end -= 1
    return collapsed[start:end]


def _without_trailing_amounts(normalized: str) -> str:
    # A trailing amount ends in a digit, then at most a space and a unit word
    # (normalized text has no trailing punctuation): without a digit among the
    # last ten characters there is nothing to strip, and no regex to run.
    if not _DIGIT.search(normalized, max(0, len(normalized) - 10)):
        return normalized
    previous = None
    current = normalized
    while current != previous:
        previous = current
        current = normalize_description(_TRAILING_AMOUNT.sub("", current))
    return current


def _fmt_hm(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}"


def _day(d: date) -> str:
    return f"{d.strftime('%a')} {d.isoformat()}"


@functools.lru_cache(maxsize=64)
def _vague_set(phrases: tuple[str, ...]) -> frozenset[str]:
    return frozenset(normalize_description(v) for v in phrases)


def description_problems(policy: DescriptionPolicy, facts: EntryFacts) -> list[Problem]:
    """Description-policy problems of one entry (billable entries only)."""
    if not facts.billable:
        return []
    text = facts.description.strip()
    normalized = normalize_description(text)
    vague = _vague_set(policy.vague)
    if normalized in vague or (normalized and _without_trailing_amounts(normalized) in vague):
        where = _day(facts.work_date)
        return [
            Problem(
                facts.id,
                "vague_description",
                f'{where}: "{text}" is too vague for billable time; say what was done and why',
            )
        ]
    if len(text) < policy.min_length:
        what = f'"{text}" is too short' if text else "the description is empty"
        where = _day(facts.work_date)
        return [
            Problem(
                facts.id,
                "short_description",
                f"{where}: {what}; billable time needs at least {policy.min_length} characters",
            )
        ]
    return []


EMPTY_BILLABLE = "billable time needs a description: say what was done"


@dataclass(frozen=True)
class DescriptionCheck:
    """What the description policy says about an entry being saved: ``refusal``
    (it can't be saved) or ``warning`` (it can, but submit will refuse it)."""

    refusal: str | None = None
    warning: str | None = None


def entry_description_check(
    policy: DescriptionPolicy, *, billable: bool, description: str, work_date: date
) -> DescriptionCheck:
    """The entry-time description rule (see the module rule)."""
    if not billable:
        return DescriptionCheck()
    if not description.strip():
        return DescriptionCheck(EMPTY_BILLABLE if policy.min_length > 0 else None)
    facts = EntryFacts("", work_date, None, None, 0, billable, description, False)
    found = description_problems(policy, facts)
    return DescriptionCheck(warning=found[0].message if found else None)


def week_problems(
    facts: Sequence[EntryFacts], policy: DescriptionPolicy, now: datetime
) -> list[Problem]:
    """Every reason the week can't be submitted, each with its entry (see module rule)."""
    ordered = _sorted(facts)
    problems: list[Problem] = []
    for e in ordered:
        if e.running:
            problems.append(
                Problem(e.id, "running", f"{_day(e.work_date)}: a timer is still running; stop it")
            )
    for day, total in day_totals(ordered).items():
        if total > MAX_DAY_S:
            last = [e.id for e in ordered if e.work_date == day][-1]
            problems.append(
                Problem(
                    last,
                    "day_over_24h",
                    f"{_day(day)} has {_fmt_hm(total)} logged; a day can't hold more than 24:00",
                )
            )
    by_id = {e.id: e for e in ordered}
    for first, second in find_overlaps(ordered, now):
        for mine, other in ((first, second), (second, first)):
            problems.append(
                Problem(
                    mine,
                    "overlap",
                    f"{_day(by_id[mine].work_date)}: this entry overlaps entry {other}",
                )
            )
    for e in ordered:
        problems.extend(description_problems(policy, e))
    return problems


@dataclass(frozen=True)
class TimerStop:
    """How two running timers of one user settle: which one stops, and when."""

    stored_stops: bool  # True: the timer already stored stops; False: the arriving one
    ended_at: datetime
    duration_s: int


def settle_two_timers(stored_start: datetime, arriving_start: datetime) -> TimerStop:
    """At most one running timer per user: the one that started earlier stops
    where the later one started (on a tie, the stored one stops). Laptop clocks
    don't order changes here: only the timers' own start instants do. Used by
    the server when a timer is pushed and by the client when one is pulled."""
    if stored_start <= arriving_start:
        started, ended, stored_stops = stored_start, arriving_start, True
    else:
        started, ended, stored_stops = arriving_start, stored_start, False
    seconds = max(0, min(MAX_DAY_S, int((ended - started).total_seconds())))
    return TimerStop(stored_stops, ended, seconds)
