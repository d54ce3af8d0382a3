"""Kimai: the timesheet export as CSV (Timesheet › Export › CSV).

Documented columns, in order: ``Date, From, To, Duration, Rate, User,
Customer, Project, Activity, Description, Exported, Tags, Hourly rate, Fixed
rate`` then one column per visible meta field (newer versions add
``Internal rate``, ``Billable``, ``Type``, ``Category``, order and customer
numbers). The header is *translated* into the exporting user's language; the
English and German names are read (``Datum, Von, Bis, Dauer, Preis,
Benutzer, Kunde, Projekt, Tätigkeit, Beschreibung, Exportiert, Schlagworte``,
also ``Begin``/``Beginn``/``End``/``Ende``).

* Dates are ``YYYY-MM-DD`` (the spreadsheet format Kimai sets), times ``HH:MM``
  in the user's Kimai timezone; a locale may render 12 h times (``2:05 PM``).
* ``Duration`` is ``H:MM`` (``[hh]:mm``, hours may pass 24) or, with the
  decimal duration setting, decimal hours — with a decimal comma in German
  and French locales, where the file is separated by ``;``.
* The rows end with a totals line (only the summed duration and rate), which
  is skipped.
* Kimai's activity is Punchclock's task; ``Tags`` is comma-separated, a
  ``#4521`` tag becomes the ticket ref; ``Billable`` (when present) is
  ``Yes``/``No`` (or translated).

The import key is a hash of the row's cells (plus its repeat count).
"""

from __future__ import annotations

from desktop.core.imports import common
from desktop.core.imports.timing import tagged_row

COLUMNS = {
    "start_date": ("Date", "Datum"),
    "start_time": ("From", "Begin", "Start", "Von", "Beginn"),
    "end_time": ("To", "End", "Bis", "Ende"),
    "duration": ("Duration", "Dauer"),
    "user": ("User", "Name", "Benutzer"),
    "customer": ("Customer", "Kunde"),
    "project": ("Project", "Projekt"),
    "activity": ("Activity", "Tätigkeit", "Aktivität"),
    "description": ("Description", "Beschreibung"),
    "tags": ("Tags", "Schlagworte"),
    "billable": ("Billable", "Abrechenbar"),
}
REQUIRED = ("start_date", "duration")


def _row(r: common.CsvRecord, dates: common.DateReader, keys: common.KeyMaker) -> common.Row:
    duration = common.read_hours(r.get("duration")) if r.get("duration") else None
    return tagged_row(
        r, dates, keys, customer="customer", task="activity", people=("user",), duration_s=duration
    )


def parse(text: str) -> common.Parsed:
    return common.parse_csv(text, COLUMNS, REQUIRED, _row, ("start_date",))
