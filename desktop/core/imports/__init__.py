"""Reading other trackers' exports: one module per source, each a pure
``parse(text) -> Parsed`` (no database, no Qt). The rules every reader shares
are in :mod:`desktop.core.imports.common`; each module's docstring lists its
vendor's documented columns, date, time and duration forms and locale quirks.

Writing the rows is :class:`desktop.core.services.imports.ImportService`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from desktop.core.imports import clockify, harvest, kimai, timewarrior, toggl, watson
from desktop.core.imports.common import Parsed, Refusal, Row

PARSERS: dict[str, Callable[[str], Parsed]] = {
    "toggl": toggl.parse,
    "clockify": clockify.parse,
    "harvest": harvest.parse,
    "kimai": kimai.parse,
    "watson": watson.parse,
    "timewarrior": timewarrior.parse,
}
SOURCES = tuple(PARSERS)


def read_export(path: Path) -> str:
    """A file's text: UTF-8 (with or without a byte-order mark), else
    Windows-1252 (what Excel saves a CSV as on Windows)."""
    from desktop.core.errors import ValidationError

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ValidationError(f"can't read {path}: {exc.strerror or exc}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


__all__ = ["PARSERS", "SOURCES", "Parsed", "Refusal", "Row", "read_export"]
