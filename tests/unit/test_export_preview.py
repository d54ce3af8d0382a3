"""The export preview per customer equals what the export then writes."""

from __future__ import annotations

from pathlib import Path

import pytest
from reports_world import END, START, H, M, admin_id, build, uid

from desktop.core.app import Punchclock
from desktop.core.errors import Forbidden
from desktop.core.exports.preview import preview


@pytest.fixture
def pc(msp: Punchclock) -> Punchclock:
    build(msp)
    return msp


def test_preview_per_customer_matches_the_export(pc: Punchclock, tmp_path: Path) -> None:
    p = preview(pc.exports, admin_id(pc), START, END)
    assert [r.customer for r in p.rows] == ["ACME", "Globex"]  # internal time is not billable
    acme, globex = p.rows
    # ACME: Tia 0:30 (minimum) + 2:15 + 4:00, Ned 1:00 + 0:30 (minimum)
    assert (acme.entries, acme.lines, acme.billed_s) == (5, 5, 8 * H + 15 * M)
    assert globex.entries == 7 and globex.billed_s == 3 * H + 70 * M + 6 * H + 28 * H
    result = pc.exports.export(admin_id(pc), "csv", START, END, tmp_path / "out.csv")
    assert (p.total.entries, p.total.lines) == (result.entries, result.lines)
    assert (p.total.billed_s, p.total.amount_minor) == (result.billed_s, result.amount_minor)
    assert p.total.amount_minor == acme.amount_minor + globex.amount_minor


def test_per_task_lines_keep_the_entry_count(pc: Punchclock) -> None:
    by_entry = preview(pc.exports, admin_id(pc), START, END)
    by_task = preview(pc.exports, admin_id(pc), START, END, per="task")
    assert by_task.total.entries == by_entry.total.entries
    assert by_task.total.lines <= by_entry.total.lines
    assert by_task.total.amount_minor == by_entry.total.amount_minor


def test_only_admins_preview(pc: Punchclock) -> None:
    with pytest.raises(Forbidden):
        preview(pc.exports, uid(pc, "boss@msp.test"), START, END)
