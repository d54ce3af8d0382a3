"""Timewarrior: the output of ``timew export`` (all intervals, or a range such
as ``timew export :month``).

The output is one JSON list, one interval per line: ``{"id": 3, "start":
"20261123T080000Z", "end": "20261123T093000Z", "tags": ["ACME", "#4521"],
"annotation": "patched the file server"}``. ``start``/``end`` are UTC in the
compact ISO form ``YYYYMMDDTHHMMSSZ``; ``end`` is absent while the interval is
still open (that row is refused: stop it first); ``tags`` and ``annotation``
are optional. ``id`` is only the interval's position counted from the newest
(``@1``), so it changes as time is tracked and is not a key.

* Timewarrior keeps tags sorted, not in the order typed, so the path is the
  first tag with a ``/`` in it, else the first tag that is not a ticket
  number; it is read as ``Customer/Project/Task`` (see
  :mod:`desktop.core.imports.jsonfile`); a ``#4521`` tag becomes
  the ticket ref; the annotation is the description, else the other tags
  joined by ", ".
* The import key is the interval's start and end (Timewarrior keeps no two
  intervals at one start).
"""

from __future__ import annotations

from datetime import UTC, datetime

from desktop.core.imports.common import Parsed, Row, RowError, split_tags
from desktop.core.imports.jsonfile import parse_items, split_path


def _instant(value: object, what: str) -> datetime:
    if not isinstance(value, str):
        raise RowError(f"no {what}" if value is None else f"{what} is not a date")
    try:
        return datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError:
        raise RowError(f'can\'t read {what} "{value}" (expected 20261123T080000Z)') from None


def _row(line: int, item: object) -> Row:
    if not isinstance(item, dict):
        raise RowError("not a Timewarrior interval")
    start = _instant(item.get("start"), "start")
    if item.get("end") is None:
        raise RowError("the interval is still open; stop it (timew stop) and export again")
    end = _instant(item.get("end"), "end")
    tags = item.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise RowError("the interval's tags are not a list of words")
    ticket, other = split_tags(tags)
    path = next((t for t in other if "/" in t), other[0] if other else None)
    rest = tuple(t for t in other if t != path)
    customer, project, task = split_path(path)
    annotation = item.get("annotation")
    description = annotation if isinstance(annotation, str) else ", ".join(rest)
    return Row(
        line=line,
        key=f"{item['start']}/{item['end']}",
        customer=customer,
        project=project,
        task=task,
        description=description,
        start=start,
        end=end,
        ticket=ticket,
        tags=rest,
    )


def parse(text: str) -> Parsed:
    return parse_items(text, "`timew export` output", _row)
