"""Harvest: the Detailed Time report's CSV export (Reports › Detailed time ›
Export › CSV).

Documented columns, in order: ``Date, Client, Project, Project Code, Task,
Notes, Hours, Hours Rounded, Billable?, Invoiced?, Approved?, First Name,
Last Name, Roles, Employee?, Billable Rate, Billable Amount, Cost Rate, Cost
Amount, Currency, External Reference URL``.

* ``Date`` is ISO ``YYYY-MM-DD`` in the CSV whatever the account's date
  setting (other date forms are read too).
* ``Hours`` is decimal hours (``1.5``; ``1,5`` where the account uses a
  decimal comma) — Harvest keeps no start and end times in this report, so an
  imported Harvest entry is a duration on its date. ``Hours Rounded`` is the
  account's rounding; the raw ``Hours`` is imported (Punchclock rounds per
  customer itself).
* ``Billable?`` is ``Yes``/``No``. ``Notes`` is the description. Harvest has
  no tags: a ``#4521`` at the start of the notes, or in the External Reference
  URL's last path part, becomes the ticket ref.

The import key is a hash of the row's cells (plus its repeat count).
"""

from __future__ import annotations

import re

from desktop.core.imports.common import (
    TICKET_TAG,
    CsvRecord,
    DateReader,
    KeyMaker,
    Parsed,
    Row,
    or_none,
    parse_csv,
    read_hours,
    read_yes_no,
)

COLUMNS = {
    "date": ("Date",),
    "client": ("Client",),
    "project": ("Project",),
    "task": ("Task",),
    "notes": ("Notes",),
    "hours": ("Hours",),
    "billable": ("Billable?", "Billable"),
    "first_name": ("First Name",),
    "last_name": ("Last Name",),
    "external": ("External Reference URL",),
}
REQUIRED = ("date", "hours")
_LEADING_TICKET = re.compile(r"#(\d{1,20})\b")


def _ticket(notes: str, external: str) -> str | None:
    m = _LEADING_TICKET.match(notes)
    if m:
        return m[1]
    last = external.rstrip("/").rsplit("/", 1)[-1]
    m = TICKET_TAG.fullmatch(last) or re.fullmatch(r"(\d{1,20})", last)
    return m[1] if m and external else None


def _row(r: CsvRecord, dates: DateReader, keys: KeyMaker) -> Row:
    person = " ".join(x for x in (r.get("first_name"), r.get("last_name")) if x)
    return Row(
        line=r.line,
        key=keys(*r.values.values()),
        customer=or_none(r.get("client")),
        project=or_none(r.get("project")),
        task=or_none(r.get("task")),
        description=r.get("notes"),
        day=dates(r.get("date")),
        duration_s=read_hours(r.get("hours"), "hours"),
        billable=read_yes_no(r.get("billable")),
        ticket=_ticket(r.get("notes"), r.get("external")),
        person=person or None,
    )


def parse(text: str) -> Parsed:
    return parse_csv(text, COLUMNS, REQUIRED, _row, ("date",))
