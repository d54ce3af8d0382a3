"""Reading other trackers' exports: one module per source, each a pure
``parse(text) -> Parsed`` (no database, no Qt). The rules every reader shares
are in :mod:`desktop.core.imports.common`; each module's docstring lists its
vendor's documented columns, date, time and duration forms and locale quirks.

Writing the rows is :class:`desktop.core.services.imports.ImportService`.
"""

from __future__ import annotations

from collections.abc import Callable

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

__all__ = ["PARSERS", "SOURCES", "Parsed", "Refusal", "Row"]
