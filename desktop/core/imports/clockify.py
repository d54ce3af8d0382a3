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

from desktop.core.imports import common
from desktop.core.imports.timing import tagged_row

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


def _row(r: common.CsvRecord, dates: common.DateReader, keys: common.KeyMaker) -> common.Row:
    text = r.get("duration_h") or r.get("duration_decimal")
    return tagged_row(
        r,
        dates,
        keys,
        customer="client",
        task="task",
        people=("email", "user"),
        duration_s=common.read_hours(text) if text else None,
    )


def parse(text: str) -> common.Parsed:
    return common.parse_csv(text, COLUMNS, REQUIRED, _row, ("start_date", "end_date"))
