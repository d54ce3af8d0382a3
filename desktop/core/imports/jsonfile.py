"""The JSON sources (Watson, Timewarrior): read a top-level list, and find the
line each item starts on — only when a row is refused, so a clean file costs
one ``json.loads``.

Both tools have only a name (Watson's project) or tags (Timewarrior), no
customer: the name is read as a path ``Customer/Project/Task`` (``ACME`` is a
customer; ``ACME/Server migration`` a project of it); the ``--map`` file can
say otherwise."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from desktop.core.imports.common import Parsed, Refusal, Row, RowError

_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}\n]')


def load_list(text: str, what: str) -> list[Any]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RowError(f"not a JSON file ({exc.msg} at line {exc.lineno})") from None
    if not isinstance(data, list):
        raise RowError(f"not {what}: expected a JSON list")
    return data


def item_lines(text: str) -> list[int]:
    """The line (1-based) where each item of the top-level list starts."""
    lines: list[int] = []
    line, depth = 1, 0
    for m in _TOKENS.finditer(text):
        tok = m.group()
        if tok == "\n":
            line += 1
        elif tok in "[{":
            if depth == 1:
                lines.append(line)
            depth += 1
        elif tok in "]}":
            depth -= 1
        elif depth == 1:  # a bare string item
            lines.append(line)
    return lines


def split_path(name: str | None) -> tuple[str | None, str | None, str | None]:
    parts = [p.strip() for p in (name or "").split("/") if p.strip()]
    if len(parts) > 3:
        parts = [*parts[:2], "/".join(parts[2:])]
    parts += [None] * (3 - len(parts))  # type: ignore[list-item]
    return parts[0], parts[1], parts[2]


def parse_items(text: str, what: str, make_row: Callable[[int, Any], Row]) -> Parsed:
    """Each item of the file's list through ``make_row(line, item)``; an item
    it can't read is refused with its line."""
    parsed = Parsed()
    try:
        items = load_list(text, what)
    except RowError as exc:
        parsed.refused.append(Refusal(1, str(exc)))
        return parsed
    lines = item_lines(text)
    for i, item in enumerate(items):
        line = lines[i] if i < len(lines) else i + 1
        try:
            parsed.rows.append(make_row(line, item))
        except RowError as exc:
            parsed.refused.append(Refusal(line, str(exc)))
    return parsed
