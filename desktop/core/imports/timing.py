"""Rows of the CSV sources that carry a start date and time and an end date and
time (Toggl, Clockify, Kimai): one place reads them into a :class:`Row`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from desktop.core.imports.common import (
    CsvRecord,
    DateReader,
    KeyMaker,
    Row,
    RowError,
    csv_tags,
    or_none,
    read_clock,
    read_yes_no,
    split_tags,
)


def tagged_row(
    r: CsvRecord,
    dates: DateReader,
    keys: KeyMaker,
    *,
    customer: str,
    task: str,
    people: Sequence[str],
    duration_s: int | None,
) -> Row:
    """A timed row whose columns are ``project``, ``description``, ``billable``
    and a comma-separated ``tags`` cell, plus the source's own ``customer``,
    ``task`` and person columns (the first of ``people`` that is filled)."""
    ticket, tags = split_tags(csv_tags(r.get("tags")))
    return timed_row(
        r,
        dates,
        key=keys(*r.values.values()),
        customer=or_none(r.get(customer)),
        project=or_none(r.get("project")),
        task=or_none(r.get(task)),
        description=r.get("description"),
        billable=read_yes_no(r.get("billable")),
        ticket=ticket,
        tags=tags,
        person=next((r.get(p) for p in people if r.get(p)), None),
        duration_s=duration_s,
    )


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
