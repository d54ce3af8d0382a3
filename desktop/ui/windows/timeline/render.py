"""``punchclock timeline --png FILE``: the Timeline window's plot, rendered
offscreen to a PNG. The CLI imports this module only for that option, so the
rest of the CLI never loads Qt."""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from desktop.core.app import Punchclock
from desktop.core.errors import ValidationError

WIDTH = 1400


def render_png(
    core: Punchclock,
    day: date,
    out: Path,
    *,
    actor_id: str,
    team: str | None = None,
    user_refs: Sequence[str] | None = None,
) -> Path:
    """Draw ``day`` (the actor's own, named people's or a team's) into ``out``."""
    target = Path(out).expanduser()
    if not target.parent.is_dir():
        raise ValidationError(f"can't write {target}: the folder {target.parent} doesn't exist")
    days = core.reports.timeline(day, user_refs, team=team, actor_id=actor_id)
    customers = [(c.name, c.is_internal) for c in core.directory.customers(include_inactive=True)]
    viewer = core.directory.user(actor_id)

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication, QLabel, QVBoxLayout, QWidget

    from desktop.ui.palette import Palette
    from desktop.ui.windows.timeline.legend import legend_html
    from desktop.ui.windows.timeline.model import DayAxis
    from desktop.ui.windows.timeline.view import LANE_PX, TimelinePlot

    qt = QApplication.instance() or QApplication([])
    palette = Palette(customers)
    page = QWidget()
    page.setStyleSheet("background: white;")
    who = f"team {team}" if team else ", ".join(d.user_name for d in days)
    title = QLabel(f"<b>{day:%A %Y-%m-%d}</b> — {who}")
    plot = TimelinePlot(page)
    plot.show_days(days, DayAxis(day, viewer.timezone), palette, None)
    legend = QLabel(legend_html(days, palette))
    legend.setWordWrap(True)
    layout = QVBoxLayout(page)
    layout.addWidget(title)
    layout.addWidget(plot, 1)
    layout.addWidget(legend)
    page.resize(WIDTH, 130 + max(len(days), 1) * LANE_PX)
    page.show()
    qt.processEvents()
    if not page.grab().save(str(target), "PNG"):
        raise ValidationError(f"can't write {target}")
    page.close()
    page.deleteLater()
    qt.processEvents()
    return target
