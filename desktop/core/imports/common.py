"""What every import parser shares: the row type, the refusal, reading CSV
files whatever their locale, and the value readers (dates, clock times,
durations, yes/no) every vendor spells differently.

Rules the readers apply to every source:

* A CSV file may start with a UTF-8 byte-order mark (Excel, Clockify) and may be
  separated by ``,`` ``;`` or a tab — the header line decides (a decimal-comma
  locale exports with ``;``), unless an Excel ``sep=;`` line comes first. A
  totals line (no date and no customer, client or project — Kimai writes one
  under its rows) is not a row. Header names match case-insensitively, by any of
  the names a vendor has used or translated them to.
* Dates: ISO ``2026-11-23``, ``11/23/2026`` (US, the Toggl and Clockify
  default), ``23/11/2026``, ``23.11.2026``, ``2026/11/23``. A file uses one date
  format; the one that reads the most values of the file wins, so ``03/04/2026``
  is read month-first unless another row of the same file says day-first (a day
  above 12). A value the chosen format can't read refuses its row.
* Clock times: 24 h ``14:05`` / ``14:05:30``, or 12 h ``2:05 PM`` /
  ``02:05:30 pm`` (the ``h:mm A`` setting of Toggl and Clockify).
* Durations: ``1:30`` / ``1:30:15`` (hours may pass 24), decimal hours with a
  point or a comma (``1.5``, ``1,5``), a thousands separator before the last
  separator is dropped (``1.234,5``).
* Times without a zone are wall-clock times of the person the time is imported
  for (their Punchclock timezone); JSON sources carry UTC instants.
* A tag that looks like a ticket number (``#4521``) is the task's ticket ref.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation

TICKET_TAG = re.compile(r"#(\d{1,20})")


class RowError(ValueError):
    """A value of one row that can't be read; its row is refused with this reason."""


@dataclass(frozen=True)
class Row:
    """One source row, read but not yet checked against Punchclock's rules.

    Either ``start``/``end`` (naive = the user's wall clock; aware = an instant)
    or only ``day`` + ``duration_s`` (sources without times: Harvest)."""

    line: int
    key: str
    customer: str | None
    project: str | None
    task: str | None
    description: str = ""
    day: date | None = None
    start: datetime | None = None
    end: datetime | None = None
    duration_s: int | None = None
    billable: bool | None = None
    ticket: str | None = None
    tags: tuple[str, ...] = ()
    person: str | None = None


@dataclass(frozen=True)
class Refusal:
    line: int
    reason: str


@dataclass
class Parsed:
    """A file's readable rows and the rows that could not be read."""

    rows: list[Row] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.rows) + len(self.refused)


# ------------------------------------------------------------------- keys


class KeyMaker:
    """A stable import key per source row: the vendor's id when it has one,
    else a hash of the row's content plus how many identical rows came before
    it in the file (so two identical rows stay two entries, and importing the
    same file again finds both)."""

    def __init__(self) -> None:
        self._seen: Counter[str] = Counter()

    def __call__(self, *parts: object) -> str:
        digest = hashlib.sha1("\x1f".join("" if p is None else str(p) for p in parts).encode())
        base = digest.hexdigest()[:32]
        self._seen[base] += 1
        n = self._seen[base]
        return base if n == 1 else f"{base}-{n}"


# ------------------------------------------------------------------- tags


def split_tags(tags: Iterable[str]) -> tuple[str | None, tuple[str, ...]]:
    """The first ticket-number tag (``#4521`` → ``4521``) and the other tags."""
    ticket: str | None = None
    rest: list[str] = []
    for raw in tags:
        tag = raw.strip()
        if not tag:
            continue
        m = TICKET_TAG.fullmatch(tag)
        if m and ticket is None:
            ticket = m[1]
        elif not m:
            rest.append(tag)
    return ticket, tuple(rest)


def csv_tags(text: str) -> list[str]:
    return [t.strip() for t in text.split(",") if t.strip()]


# -------------------------------------------------------------------- CSV


@dataclass
class CsvRecord:
    line: int
    values: dict[str, str]

    def get(self, name: str) -> str:
        return self.values.get(name, "")


def read_csv(
    text: str, columns: Mapping[str, Sequence[str]], required: Sequence[str]
) -> Iterator[CsvRecord]:
    """Records of a CSV export keyed by our column names (``columns`` maps each
    to the header spellings it may have). A missing required column refuses
    the whole file (a ``RowError`` for line 1)."""
    if text.startswith("\ufeff"):
        text = text[1:]
    first, _, rest = text.partition("\n")
    line_offset = 0
    if first.strip().lower().startswith("sep=") and len(first.strip()) == 5:
        delimiter, text, line_offset = first.strip()[4], rest, 1  # Excel's "sep=;" line
    else:
        delimiter = max((",", ";", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise RowError("the file is empty") from None
    spelled = {h.strip().lower(): i for i, h in enumerate(header)}
    where: dict[str, int] = {}
    for name, spellings in columns.items():
        for s in spellings:
            if s.lower() in spelled:
                where[name] = spelled[s.lower()]
                break
    missing = [columns[n][0] for n in required if n not in where]
    if missing:
        raise RowError(
            "this is not the expected export: no column " + ", ".join(f'"{m}"' for m in missing)
        )
    line = reader.line_num + 1 + line_offset
    width = len(header)
    for values in reader:
        start_line, line = line, reader.line_num + 1 + line_offset
        if len(values) < width:
            values += [""] * (width - len(values))
        record = {n: values[i].strip() for n, i in where.items()}
        if any(record.values()):
            yield CsvRecord(start_line, record)


def parse_csv(
    text: str,
    columns: Mapping[str, Sequence[str]],
    required: Sequence[str],
    make_row: Callable[[CsvRecord, DateReader, KeyMaker], Row],
    date_columns: Sequence[str],
) -> Parsed:
    """Read every record with ``make_row``; a row it can't read is refused."""
    parsed = Parsed()
    try:
        records = list(read_csv(text, columns, required))
    except RowError as exc:
        parsed.refused.append(Refusal(1, str(exc)))
        return parsed
    dates = DateReader(r.get(c) for r in records for c in date_columns)
    keys = KeyMaker()
    for record in records:
        if _is_totals(record, date_columns[0]):
            continue
        try:
            parsed.rows.append(make_row(record, dates, keys))
        except RowError as exc:
            parsed.refused.append(Refusal(record.line, str(exc)))
    return parsed


def _is_totals(r: CsvRecord, date_column: str) -> bool:
    """A summary line (Kimai's CSV ends with one: only the summed duration and
    rate): no date and no customer, client or project."""
    return not r.get(date_column) and not any(r.get(c) for c in ("client", "customer", "project"))


# ----------------------------------------------------------------- values

DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%d/%m/%Y", "%d.%m.%Y", "%Y/%m/%d", "%d-%m-%Y")


class DateReader:
    """Reads a file's dates in the one format that fits most of them."""

    def __init__(self, samples: Iterable[str]) -> None:
        values = [s for s in samples if s][:2000]
        scores = [(sum(_fits(v, f) for v in values), -i, f) for i, f in enumerate(DATE_FORMATS)]
        self.format = max(scores)[2] if values else DATE_FORMATS[0]

        self._seen: dict[str, date] = {}

    def __call__(self, text: str, what: str = "date") -> date:
        raw = text.strip()
        known = self._seen.get(raw)
        if known is not None:
            return known
        if not raw:
            raise RowError(f"no {what}")
        try:
            value = datetime.strptime(raw, self.format).date()
        except ValueError:
            raise RowError(
                f"can't read {what} \"{raw}\" (the file's dates look like "
                f"{datetime(2026, 11, 23).strftime(self.format)})"
            ) from None
        self._seen[raw] = value
        return value


def _fits(value: str, fmt: str) -> bool:
    try:
        datetime.strptime(value.strip(), fmt)
    except ValueError:
        return False
    return True


_CLOCK = re.compile(r"(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2}))?\s*(?P<ap>[AaPp]\.?[Mm]\.?)?")


def read_clock(text: str, what: str = "time") -> time:
    """``14:05``, ``14:05:30``, ``2:05 PM``, ``02:05:30 pm``."""
    raw = text.strip()
    known = _CLOCKS.get(raw)
    if known is not None:
        return known
    value = _read_clock(raw, what)
    if len(_CLOCKS) < 100_000:
        _CLOCKS[raw] = value
    return value


_CLOCKS: dict[str, time] = {}


def _read_clock(raw: str, what: str) -> time:
    m = _CLOCK.fullmatch(raw)
    if m:
        h, mi, s = int(m["h"]), int(m["m"]), int(m["s"] or 0)
        if m["ap"]:
            pm = m["ap"][0] in "Pp"
            h = (h % 12) + (12 if pm else 0) if 1 <= h <= 12 else 99
        if h < 24 and mi < 60 and s < 60:
            return time(h, mi, s)
    raise RowError(f'can\'t read {what} "{raw}"; expected 14:05, 14:05:30 or 2:05 PM')


_HMS = re.compile(r"(?P<h>\d+):(?P<m>\d{1,2})(?::(?P<s>\d{1,2}))?")


def read_hours(text: str, what: str = "duration") -> int:
    """A duration as seconds: ``1:30``, ``1:30:15``, ``1.5``, ``1,5``, ``1.234,5``."""
    raw = text.strip()
    if not raw:
        raise RowError(f"no {what}")
    m = _HMS.fullmatch(raw)
    if m:
        mi, s = int(m["m"]), int(m["s"] or 0)
        if mi < 60 and s < 60:
            return int(m["h"]) * 3600 + mi * 60 + s
        raise RowError(f'can\'t read {what} "{raw}"')
    return round(read_decimal(raw, what) * 3600)


def read_decimal(text: str, what: str) -> Decimal:
    raw = text.strip().replace("\u00a0", "").replace(" ", "")
    last = max(raw.rfind(","), raw.rfind("."))
    if last >= 0:
        raw = raw[:last].replace(",", "").replace(".", "") + "." + raw[last + 1 :]
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise RowError(f'can\'t read {what} "{text.strip()}" as a number') from None
    if not value.is_finite() or value < 0:
        raise RowError(f'{what} "{text.strip()}" is not a positive number')
    return value


_YES = {"yes", "y", "true", "1", "ja", "oui", "sí", "si", "billable", "x"}
_NO = {"no", "n", "false", "0", "nein", "non", "non-billable", "not billable", ""}


def read_yes_no(text: str) -> bool | None:
    """``Yes``/``No`` (any case, a few languages); None when the value says nothing."""
    raw = text.strip().lower()
    if raw in _YES:
        return True
    if raw in _NO and raw:
        return False
    return None


def or_none(text: str) -> str | None:
    text = text.strip()
    return text or None
