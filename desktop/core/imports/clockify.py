"""Clockify: the Detailed report's CSV export (Reports › Detailed › Export ›
Save as CSV).

Documented columns, in order: ``Project, Client, Description, Task, User,
Group, Email, Tags, Billable, Start Date, Start Time, End Date, End Time,
Duration (h), Duration (decimal), Billable Rate (USD), Billable Amount (USD)``
(``Group`` only in workspaces with user groups; the currency in brackets).

* Dates follow the profile's "date format": ``MM/DD/YYYY`` by default, or
  ``DD/MM/YYYY``, ``DD.MM.YYYY``, ``YYYY-MM-DD``.
* Times follow the "time format": 12 h ``01:26:00 PM`` by default, or 24 h
  ``13:26:00``; wall-clock times of the user's Clockify timezone.
* ``Duration (h)`` is ``HH:MM:SS``; ``Duration (decimal)`` is decimal hours
  written in the workspace's number format (``1.28`` or ``1,28`` — a
  decimal-comma export is separated by ``;``). The clock times win; a row
  with no times uses ``Duration (h)``, then the decimal.
* ``Billable`` is ``Yes``/``No``; ``Tags`` one comma-separated cell.

The import key is a hash of the row's cells (plus its repeat count).
"""

from __future__ import annotations

from desktop.core.imports.common import (
    CsvRecord,
    DateReader,
    KeyMaker,
    Parsed,
    Row,
    csv_tags,
    or_none,
    parse_csv,
    read_hours,
    read_yes_no,
    split_tags,
)
from desktop.core.imports.timing import timed_row

COLUMNS = {
    "project": ("Project",),
    "client": ("Client",),
    "description": ("Description",),
    "task": ("Task",),
    "user": ("User",),
    "email": ("Email",),
    "tags": ("Tags",),
    "billable": ("Billable",),
    "start_date": ("Start Date",),
    "start_time": ("Start Time",),
    "end_date": ("End Date",),
    "end_time": ("End Time",),
    "duration_h": ("Duration (h)",),
    "duration_decimal": ("Duration (decimal)",),
}
REQUIRED = ("start_date", "start_time")


def _row(r: CsvRecord, dates: DateReader, keys: KeyMaker) -> Row:
    ticket, tags = split_tags(csv_tags(r.get("tags")))
    duration = None
    if r.get("duration_h"):
        duration = read_hours(r.get("duration_h"))
    elif r.get("duration_decimal"):
        duration = read_hours(r.get("duration_decimal"))
    return timed_row(
        r,
        dates,
        key=keys(*r.values.values()),
        customer=or_none(r.get("client")),
        project=or_none(r.get("project")),
        task=or_none(r.get("task")),
        description=r.get("description"),
        billable=read_yes_no(r.get("billable")),
        ticket=ticket,
        tags=tags,
        person=or_none(r.get("email")) or or_none(r.get("user")),
        duration_s=duration,
    )


def parse(text: str) -> Parsed:
    return parse_csv(text, COLUMNS, REQUIRED, _row, ("start_date", "end_date"))
