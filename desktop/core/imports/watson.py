"""Watson (td-watson): its ``frames`` file (``~/.config/watson/frames``, or
``$WATSON_DIR/frames``).

The file is one JSON list; each frame is a list ``[start, stop, project, id,
tags, updated_at]``: ``start``/``stop``/``updated_at`` are Unix timestamps
(UTC seconds), ``project`` a name, ``id`` a 32-hex-digit UUID, ``tags`` a list
of strings. Later versions append a note as a 7th item. A running frame is
not in this file (it is in ``state``), so every frame is finished.

* The project is read as ``Customer/Project/Task`` (see
  :mod:`desktop.core.imports.jsonfile`); a ``#4521`` tag (``watson start acme
  +#4521``) becomes the ticket ref; the other tags, joined by ", ", are the
  description unless the frame has a note.
* The import key is the frame id.
"""

from __future__ import annotations

from datetime import UTC, datetime

from desktop.core.imports.common import Parsed, Row, RowError, split_tags
from desktop.core.imports.jsonfile import parse_items, split_path


def _instant(value: object, what: str) -> datetime:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise RowError(f"{what} is not a timestamp")
    return datetime.fromtimestamp(int(value), UTC)


def _row(line: int, frame: object) -> Row:
    if not isinstance(frame, list) or len(frame) < 5:
        raise RowError("not a Watson frame ([start, stop, project, id, tags, …])")
    start, stop = _instant(frame[0], "start"), _instant(frame[1], "stop")
    project, frame_id, tags = frame[2], frame[3], frame[4]
    if not isinstance(project, str) or not isinstance(frame_id, str) or not frame_id:
        raise RowError("the frame has no project or id")
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise RowError("the frame's tags are not a list of words")
    ticket, other = split_tags(tags)
    note = frame[6] if len(frame) > 6 and isinstance(frame[6], str) else ""
    customer, proj, task = split_path(project)
    return Row(
        line=line,
        key=frame_id,
        customer=customer,
        project=proj,
        task=task,
        description=note or ", ".join(other),
        start=start,
        end=stop,
        ticket=ticket,
        tags=other,
    )


def parse(text: str) -> Parsed:
    return parse_items(text, "a Watson frames file", _row)
