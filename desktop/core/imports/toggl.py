"""Toggl Track: the Detailed report's CSV export (Reports › Detailed › Export ›
Download CSV).

Documented columns, in order: ``User, Email, Client, Project, Task,
Description, Billable, Start date, Start time, End date, End time, Duration,
Tags, Amount (USD)`` (the amount's currency in brackets; some exports say
``Member`` for ``User`` and ``Stop date``/``Stop time`` for the end). One row
per time entry; a CSV row has no entry id.

* Dates follow the exporting user's profile "date format" setting: ISO
  ``2026-11-23`` by default, or ``11/23/2026``, ``23/11/2026``, ``23.11.2026``.
* Times follow the "time format" setting: ``14:05:00`` or 12 h ``2:05:00 PM``.
  They are wall-clock times of the user's Toggl timezone, without a zone.
* ``Duration`` is ``HH:MM:SS`` (hours can pass 24); ``Billable`` is ``Yes``/``No``.
* ``Tags`` is one cell, comma-separated; a ``#4521`` tag becomes the ticket ref.
* A project without a client is common: the client then defaults to the
  project's name (the ``--map`` file can say otherwise).

The import key is a hash of the row's cells (plus its repeat count).
"""

from __future__ import annotations

from desktop.core.imports import common
from desktop.core.imports.timing import tagged_row

COLUMNS = {
    "user": ("User", "Member"),
    "email": ("Email",),
    "client": ("Client",),
    "project": ("Project",),
    "task": ("Task",),
    "description": ("Description",),
    "billable": ("Billable",),
    "start_date": ("Start date",),
    "start_time": ("Start time",),
    "end_date": ("End date", "Stop date"),
    "end_time": ("End time", "Stop time"),
    "duration": ("Duration",),
    "tags": ("Tags",),
}
REQUIRED = ("start_date", "start_time", "duration")


def _row(r: common.CsvRecord, dates: common.DateReader, keys: common.KeyMaker) -> common.Row:
    duration = common.read_hours(r.get("duration")) if r.get("duration") else None
    return tagged_row(
        r,
        dates,
        keys,
        customer="client",
        task="task",
        people=("email", "user"),
        duration_s=duration,
    )


def parse(text: str) -> common.Parsed:
    return common.parse_csv(text, COLUMNS, REQUIRED, _row, ("start_date", "end_date"))
