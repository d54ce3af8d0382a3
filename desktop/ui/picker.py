"""Customer → project → task choosers; projects and tasks follow the customer.

Billable follows the choice (task → project → customer default), the same rule
the core applies, until the user ticks the box themselves.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QStyle,
    QStyleOptionComboBox,
    QStylePainter,
    QWidget,
)

from desktop.core import dto
from desktop.core.app import Punchclock
from desktop.ui.qtcompat import emit


class ElidingComboBox(QComboBox):
    """A combo box whose current text elides ("…") when it is wider than the
    box, instead of being cut off; the full text is in the tooltip."""

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QStylePainter(self)
        opt = QStyleOptionComboBox()
        self.initStyleOption(opt)
        painter.drawComplexControl(QStyle.ComplexControl.CC_ComboBox, opt)
        field = self.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, opt,
                                            QStyle.SubControl.SC_ComboBoxEditField, self)
        opt.currentText = self.fontMetrics().elidedText(
            opt.currentText, Qt.TextElideMode.ElideRight, field.width())
        painter.drawControl(QStyle.ControlElement.CE_ComboBoxLabel, opt)


class TargetPicker(QWidget):
    changed = Signal()

    def __init__(self, app: Punchclock, parent: QWidget | None = None, *,
                 form: QFormLayout | None = None) -> None:
        """``form``: put the three rows into that form (so their labels line up
        with the dialog's other rows) instead of a form of the picker's own."""
        super().__init__(parent)
        self.customer = ElidingComboBox()
        self.project = ElidingComboBox()
        self.task = ElidingComboBox()
        for box in (self.customer, self.project, self.task):
            box.setMinimumWidth(260)
            box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            box.setMinimumContentsLength(24)
        if form is None:
            form = QFormLayout(self)
            form.setContentsMargins(0, 0, 0, 0)
        else:
            self.hide()  # the rows live in the caller's form
        form.addRow("&Customer", self.customer)
        form.addRow("&Project", self.project)
        form.addRow("&Task", self.task)
        self.app = app
        self.customer.currentIndexChanged.connect(self._customer_changed)
        self.project.currentIndexChanged.connect(self._project_changed)
        self.task.currentIndexChanged.connect(self._task_changed)
        self.reload()

    def reload(self) -> None:
        """Read the directory again (it changed), keeping what is chosen where it
        still exists."""
        chosen = (self.customer_id(), self.project_id(), self.task_id())
        self._customers = self.app.directory.customers()
        self._projects = self.app.directory.projects()
        self._tasks = self.app.directory.tasks()
        self.customer.blockSignals(True)
        self.customer.clear()
        self.customer.addItem("— choose a customer —", None)
        for c in self._customers:
            self.customer.addItem(c.name, c.id)
        self.customer.blockSignals(False)
        self._customer_changed()
        self.select(*chosen)

    # ------------------------------------------------------------ choices

    def customer_id(self) -> str | None:
        value = self.customer.currentData()
        return str(value) if value else None

    def project_id(self) -> str | None:
        value = self.project.currentData()
        return str(value) if value else None

    def task_id(self) -> str | None:
        value = self.task.currentData()
        return str(value) if value else None

    def select(self, customer_id: str | None, project_id: str | None = None,
               task_id: str | None = None) -> None:
        for box, value in ((self.customer, customer_id), (self.project, project_id),
                           (self.task, task_id)):
            index = box.findData(value) if value else 0
            box.setCurrentIndex(max(index, 0))

    def default_billable(self) -> bool:
        task = next((t for t in self._tasks if t.id == self.task_id()), None)
        project = next((p for p in self._projects if p.id == self.project_id()), None)
        for choice in (task.default_billable if task else None,
                       project.default_billable if project else None):
            if choice is not None:
                return choice
        customer = next((c for c in self._customers if c.id == self.customer_id()), None)
        return customer.default_billable if customer else True

    # ------------------------------------------------------------ filters

    def _task_changed(self) -> None:
        self._tooltips()
        emit(self.changed)

    def _customer_changed(self) -> None:
        cid = self.customer_id()
        self.project.blockSignals(True)
        self.project.clear()
        self.project.addItem("(no project)", None)
        for p in self._projects:
            if p.customer_id == cid:
                self.project.addItem(p.name, p.id)
        self.project.blockSignals(False)
        self._project_changed()

    def _project_changed(self) -> None:
        cid, pid = self.customer_id(), self.project_id()
        self.task.blockSignals(True)
        self.task.clear()
        self.task.addItem("(no task)", None)
        for t in self._tasks:
            if t.customer_id == cid and (pid is None or t.project_id == pid):
                self.task.addItem(_task_text(t), t.id)
        self.task.blockSignals(False)
        self._tooltips()
        emit(self.changed)

    def _tooltips(self) -> None:
        # a long name elides in the narrow box: the full text is its tooltip
        for box in (self.customer, self.project, self.task):
            for i in range(box.count()):
                box.setItemData(i, box.itemText(i), Qt.ItemDataRole.ToolTipRole)
            box.setToolTip(box.currentText())


def _task_text(t: dto.Task) -> str:
    where = f"  ({t.project})" if t.project else ""
    return f"{t.label}{where}"
