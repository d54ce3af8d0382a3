"""Rows of the CSV sources that carry a start date and time and an end date and
time (Toggl, Clockify, Kimai): one place reads them into a :class:`Row`."""

from __future__ import annotations

from datetime import datetime, timedelta

from desktop.core.imports.common import CsvRecord, DateReader, Row, RowError, read_clock


def timed_row(
    r: CsvRecord,
    dates: DateReader,
    *,
    key: str,
    customer: str | None,
    project: str | None,
    task: str | None,
    description: str,
    billable: bool | None,
    ticket: str | None,
    tags: tuple[str, ...],
    person: str | None,
    duration_s: int | None,
) -> Row:
    """``start_date``/``start_time`` and ``end_time`` (``end_date`` optional: the
    start's date, or the next day when the end's clock is earlier)."""
    day = dates(r.get("start_date"), "start date")
    start = end = None
    if r.get("start_time"):
        start = datetime.combine(day, read_clock(r.get("start_time"), "start time"))
    if start is not None and r.get("end_time"):
        end_day = dates(r.get("end_date"), "end date") if r.get("end_date") else day
        end = datetime.combine(end_day, read_clock(r.get("end_time"), "end time"))
        if end < start and not r.get("end_date"):
            end += timedelta(days=1)
    if start is None and duration_s is None:
        raise RowError("no start time and no duration")
    return Row(
        line=r.line,
        key=key,
        customer=customer,
        project=project,
        task=task,
        description=description,
        day=day,
        start=start,
        end=end,
        duration_s=duration_s,
        billable=billable,
        ticket=ticket,
        tags=tags,
        person=person,
    )
