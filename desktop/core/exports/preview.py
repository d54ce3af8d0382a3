"""What an export would contain, per customer, before anything is written
(the Export dialog's preview).

It reads the same lines :meth:`ExportService.export` would write
(:meth:`ExportService.lines`, admins only) and adds them up per customer:
distinct entries, lines, billed seconds and the line amounts (each line's
amount is already rounded once, so the total equals the export's
``amount_minor``). Customers come in name order; the total row sums them all.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from desktop.core.dto import ExportLine
from desktop.core.exports.service import ExportService


@dataclass(frozen=True)
class PreviewRow:
    customer: str
    entries: int
    lines: int
    billed_s: int
    amount_minor: int


@dataclass(frozen=True)
class ExportPreview:
    start: date
    end: date
    per: str
    rows: tuple[PreviewRow, ...]
    total: PreviewRow


def summarize(lines: Sequence[ExportLine]) -> tuple[tuple[PreviewRow, ...], PreviewRow]:
    entries: dict[str, set[str]] = defaultdict(set)
    count: dict[str, int] = defaultdict(int)
    billed: dict[str, int] = defaultdict(int)
    amount: dict[str, int] = defaultdict(int)
    for line in lines:
        entries[line.customer].update(line.entry_ids)
        count[line.customer] += 1
        billed[line.customer] += line.billed_s
        amount[line.customer] += line.amount_minor
    rows = tuple(
        PreviewRow(c, len(entries[c]), count[c], billed[c], amount[c])
        for c in sorted(count, key=str.lower)
    )
    total = PreviewRow(
        "Total",
        len({e for ids in entries.values() for e in ids}),
        len(lines),
        sum(billed.values()),
        sum(amount.values()),
    )
    return rows, total


def preview(
    exports: ExportService,
    actor_id: str | None,
    start: date,
    end: date,
    *,
    per: str = "entry",
    include_exported: bool = False,
) -> ExportPreview:
    """The period's export, summed per customer (see the module rule)."""
    lines = exports.lines(actor_id, start, end, per=per, include_exported=include_exported)
    rows, total = summarize(lines)
    return ExportPreview(start, end, per, rows, total)
