"""The colour key under the timeline: the day's customers and what a lighter,
hatched block means."""

from __future__ import annotations

import html
from collections.abc import Sequence

from desktop.core import dto
from desktop.ui.palette import Palette


def legend_html(days: Sequence[dto.TimelineDay], palette: Palette) -> str:
    names = sorted(
        {s.customer for d in days for s in (*d.spans, *d.untimed)}, key=lambda n: n.lower()
    )
    parts = [f'<span style="color:{palette.hex(n)}">■</span>&nbsp;{html.escape(n)}' for n in names]
    parts.append('<span style="color:#777">▨</span>&nbsp;non-billable (lighter, hatched)')
    parts.append('<span style="color:#777">▭</span>&nbsp;untimed entries (band under the lane)')
    return " &nbsp; ".join(parts)
