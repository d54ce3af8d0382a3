"""Customer colours shared by the timeline and the report charts.

Twelve colours from the Okabe–Ito and Paul Tol palettes (and a brown),
chosen to stay apart for the common colour-vision deficiencies. A customer keeps its colour across
days, lanes and windows: each name hashes (CRC-32, stable across runs, unlike
``hash()``) to a slot; when that slot is taken by a customer earlier in name
order, the next free slot is used, so a company with up to twelve customers sees
twelve different colours. Internal customers are always the neutral grey; a
non-billable block is drawn lighter and hatched (see :func:`lighter`).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable

from PySide6.QtGui import QColor

COLOURS = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#332288",  # indigo
    "#999933",  # olive
    "#882255",  # wine
    "#F0E442",  # yellow
    "#44AA99",  # teal
    "#7F4F24",  # brown
)
INTERNAL = "#8C8C8C"


class Palette:
    """Colour per customer name (see the module rule)."""

    def __init__(self, customers: Iterable[tuple[str, bool]] = ()) -> None:
        self._internal: set[str] = set()
        self._slots: dict[str, int] = {}
        taken: set[int] = set()
        for name, internal in sorted(customers, key=lambda c: c[0].lower()):
            if internal:
                self._internal.add(name)
                continue
            slot = _slot(name)
            if len(taken) < len(COLOURS):
                while slot in taken:
                    slot = (slot + 1) % len(COLOURS)
            taken.add(slot)
            self._slots[name] = slot

    def hex(self, customer: str) -> str:
        if customer in self._internal:
            return INTERNAL
        return COLOURS[self._slots.get(customer, _slot(customer))]

    def colour(self, customer: str) -> QColor:
        return QColor(self.hex(customer))

    def is_internal(self, customer: str) -> bool:
        return customer in self._internal


def _slot(name: str) -> int:
    return zlib.crc32(name.casefold().encode("utf-8")) % len(COLOURS)


def lighter(colour: QColor, amount: float = 0.55) -> QColor:
    """``colour`` blended towards white (the fill of non-billable time)."""
    r, g, b = colour.red(), colour.green(), colour.blue()
    return QColor(
        round(r + (255 - r) * amount), round(g + (255 - g) * amount), round(b + (255 - b) * amount)
    )
