"""Table models of the report windows: the core's report rows, one per line,
with a column list chosen for the reader (cost columns only for those who
may see cost). Display text and the sort value come from the same field —
the proxy sorts on :data:`SORT_ROLE` (numbers as numbers, "—" last)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)

from desktop.core import dto
from desktop.core.durations import format_duration
from desktop.core.money import format_amount

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
ROW_ROLE = Qt.ItemDataRole.UserRole
DASH = "—"
Index = QModelIndex | QPersistentModelIndex


def pct_text(value: Decimal | None, places: int = 1) -> str:
    return DASH if value is None else f"{value:.{places}f} %"


def pts_text(value: Decimal | None) -> str:
    return DASH if value is None else f"{value:+.1f} pts"


def hours_text(seconds: int | None) -> str:
    return DASH if seconds is None else format_duration(seconds)


def money_text(minor: int | None) -> str:
    return DASH if minor is None else format_amount(minor)


@dataclass(frozen=True)
class Column:
    header: str
    text: Callable[[Any], str]
    key: Callable[[Any], Any]
    numeric: bool = True
    tip: str = ""


def _num(value: int | Decimal | None) -> float:
    return float("-inf") if value is None else float(value)


class ReportModel(QAbstractTableModel):
    """Rows of one report under a fixed list of columns."""

    def __init__(self, columns: Sequence[Column], parent: Any = None) -> None:
        super().__init__(parent)
        self.columns = list(columns)
        self.rows: list[Any] = []

    def reload(self, rows: Sequence[Any]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row, column = self.rows[index.row()], self.columns[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return column.text(row)
        if role == SORT_ROLE:
            return column.key(row)
        if role == ROW_ROLE:
            return row
        if role == Qt.ItemDataRole.TextAlignmentRole:
            horizontal = (
                Qt.AlignmentFlag.AlignRight if column.numeric else Qt.AlignmentFlag.AlignLeft
            )
            return int(horizontal | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.columns):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.columns[section].header
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.columns[section].tip or self.columns[section].header
        return None


def sorted_proxy(model: ReportModel) -> QSortFilterProxyModel:
    proxy = QSortFilterProxyModel(model)
    proxy.setSourceModel(model)
    proxy.setSortRole(SORT_ROLE)
    proxy.setSortCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    return proxy


# ----------------------------------------------------------- utilization


@dataclass(frozen=True)
class UtilizationLine:
    """A utilization row and the timeliness row of the same person or team."""

    u: dto.UtilizationRow
    t: dto.TimelinessRow | None


def _flag(row: dto.UtilizationRow) -> str:
    if row.under_utilized:
        return "under-utilized"
    if row.over_allocated:
        return "over-allocated"
    return ""


def _on_time(t: dto.TimelinessRow | None) -> str:
    if t is None or not t.weeks_due:
        return DASH
    return f"{t.weeks_on_time}/{t.weeks_due} ({pct_text(t.on_time_pct, 0)})"


UTILIZATION_COLUMNS = (
    Column("Name", lambda r: r.u.name, lambda r: r.u.name.lower(), numeric=False),
    Column("Team", lambda r: r.u.team or "", lambda r: (r.u.team or "").lower(), numeric=False),
    Column("Available", lambda r: hours_text(r.u.available_s), lambda r: r.u.available_s),
    Column("Logged", lambda r: hours_text(r.u.logged_s), lambda r: r.u.logged_s),
    Column("Billable", lambda r: hours_text(r.u.billable_s), lambda r: r.u.billable_s),
    Column("Non-billable", lambda r: hours_text(r.u.non_billable_s), lambda r: r.u.non_billable_s),
    Column(
        "Utilization",
        lambda r: pct_text(r.u.utilization_pct),
        lambda r: _num(r.u.utilization_pct),
        tip="billable ÷ available",
    ),
    Column("Target", lambda r: pct_text(r.u.target_pct, 0), lambda r: _num(r.u.target_pct)),
    Column("Gap", lambda r: pts_text(r.u.gap_pts), lambda r: _num(r.u.gap_pts)),
    Column(
        "Capacity left",
        lambda r: hours_text(r.u.capacity_s),
        lambda r: r.u.capacity_s,
        tip="available − logged",
    ),
    Column("Flag", lambda r: _flag(r.u), lambda r: _flag(r.u), numeric=False),
    Column(
        "Same day",
        lambda r: pct_text(r.t.same_day_pct if r.t else None, 0),
        lambda r: _num(r.t.same_day_pct if r.t else None),
        tip="share of hours logged on the day they were worked",
    ),
    Column(
        "On time",
        lambda r: _on_time(r.t),
        lambda r: _num(r.t.on_time_pct if r.t else None),
        tip="weeks submitted by the deadline / weeks due",
    ),
)


def utilization_lines(
    report: dto.UtilizationReport, timeliness: dto.TimelinessReport | None
) -> list[UtilizationLine]:
    """Pair each utilization row with its timeliness row (by key; the company
    with the total)."""
    rows: dict[str, dto.TimelinessRow] = {}
    if timeliness is not None:
        rows = {r.key: r for r in (*timeliness.rows, *timeliness.teams)}
        rows["company"] = timeliness.total
    return [UtilizationLine(u, rows.get(u.key)) for u in report.rows]


# --------------------------------------------------------- profitability


def profit_columns(by: str, with_cost: bool) -> list[Column]:
    name = {"customer": "Customer", "project": "Project", "technician": "Technician"}[by]
    cols = [Column(name, lambda r: r.name, lambda r: r.name.lower(), numeric=False)]
    if by == "project":
        cols.append(
            Column(
                "Customer",
                lambda r: r.customer or "",
                lambda r: (r.customer or "").lower(),
                numeric=False,
            )
        )
    cols += [
        Column("Hours", lambda r: hours_text(r.raw_s), lambda r: r.raw_s, tip="raw hours"),
        Column(
            "Billed hours",
            lambda r: hours_text(r.billed_s),
            lambda r: r.billed_s,
            tip="after the customer's rounding",
        ),
        Column("Value", lambda r: money_text(r.value_minor), lambda r: r.value_minor),
    ]
    if with_cost:
        cols += [
            Column("Cost", lambda r: money_text(r.cost_minor), lambda r: _num(r.cost_minor)),
            Column("Margin", lambda r: money_text(r.margin_minor), lambda r: _num(r.margin_minor)),
            Column("Margin %", lambda r: pct_text(r.margin_pct), lambda r: _num(r.margin_pct)),
        ]
    cols.append(
        Column(
            "Realization",
            lambda r: pct_text(r.realization_pct),
            lambda r: _num(r.realization_pct),
            tip="value ÷ every raw hour at its rate",
        )
    )
    if by == "project":
        cols.append(
            Column("Budget used", lambda r: pct_text(r.burn_pct), lambda r: _num(r.burn_pct))
        )
    return cols
