"""Add or change one customer, project or task (the Manage window's dialogs,
and "Create task…" / "Create customer…" from the popup's search).

Each dialog is a ``QFormLayout`` whose Save writes through the core off the
GUI thread (:meth:`TrackerState.run`); a refusal (a name taken, a ticket in
use, not allowed) shows inline under the form — the line keeps its space —
and the dialog stays open. ``saved`` carries what was written.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop.core import dto
from desktop.core.app import Punchclock
from desktop.ui.qtcompat import emit
from desktop.ui.state import TrackerState
from desktop.ui.widgets import ErrorLabel

FIELD_WIDTH = 320


class _FormDialog(QDialog):
    saved = Signal(object)  # the dto written
    save: Callable[[], None]  # each dialog's Save

    def __init__(self, state: TrackerState, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.state = state
        self.form = QFormLayout()
        self.error = ErrorLabel()
        # the error line keeps its height, so nothing jumps when it appears
        self.error.setMinimumHeight(self.error.fontMetrics().height() * 2)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.buttons.accepted.connect(lambda: self.save())
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

    def _field(self, label: str, widget: QWidget) -> None:
        widget.setMinimumWidth(FIELD_WIDTH)
        self.form.addRow(label, widget)

    def _write(self, fn: Callable[[Punchclock], Any]) -> None:
        self.error.show_message("")
        self.save_button.setEnabled(False)

        def done(result: Any) -> None:
            emit(self.saved, result)
            self.accept()

        def failed(exc: Any) -> None:
            self.save_button.setEnabled(True)
            self.error.show_message(exc.message)

        self.state.run(fn, on_done=done, on_error=failed)



def _fill_customers(box: QComboBox, app: Punchclock, chosen: str | None) -> None:
    box.addItem("— choose a customer —", None)
    for c in app.directory.customers():
        box.addItem(c.name, c.id)
    box.setCurrentIndex(max(box.findData(chosen), 0) if chosen else 0)


class CustomerDialog(_FormDialog):
    """A new customer (``customer`` None) or changes to one."""

    def __init__(self, state: TrackerState, customer: dto.Customer | None = None, *,
                 name: str = "", parent: QWidget | None = None) -> None:
        super().__init__(state, "Change customer" if customer else "New customer", parent)
        self.customer = customer
        self.name = QLineEdit(customer.name if customer else name)
        self.internal = QCheckBox("Your own company (internal work)")
        self.billable = QCheckBox("New entries are billable")
        self.round_to = QSpinBox()
        self.minimum = QSpinBox()
        for box in (self.round_to, self.minimum):
            box.setRange(0, 24 * 60)
            box.setSuffix(" min")
            box.setSpecialValueText("none")
        self._field("&Name", self.name)
        self._field("&Kind", self.internal)
        self._field("&Billing", self.billable)
        self._field("&Round up to", self.round_to)
        self._field("&Minimum", self.minimum)
        if customer is not None:
            self.internal.setChecked(customer.is_internal)
            self.billable.setChecked(customer.default_billable)
            self.round_to.setValue(customer.round_increment_min)
            self.minimum.setValue(customer.round_minimum_min)
        else:
            self.billable.setChecked(True)
            self.internal.toggled.connect(lambda on: self.billable.setChecked(not on))

    def save(self) -> None:
        name, internal, billable = self.name.text(), self.internal.isChecked(), \
            self.billable.isChecked()
        increment, minimum = self.round_to.value(), self.minimum.value()
        if self.customer is None:
            self._write(lambda app: app.directory.add_customer(
                None, name, internal=internal, billable=billable,
                round_increment_min=increment, round_minimum_min=minimum))
        else:
            cid = self.customer.id
            self._write(lambda app: app.directory.change_customer(
                None, cid, name=name, internal=internal, billable=billable,
                round_increment_min=increment, round_minimum_min=minimum))


BILLABLE_CHOICES = (("As the customer", None), ("Billable", True), ("Non-billable", False))


class ProjectDialog(_FormDialog):
    """A new project of a customer, or changes to one (its customer stays)."""

    def __init__(self, state: TrackerState, project: dto.Project | None = None, *,
                 customer_id: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(state, "Change project" if project else "New project", parent)
        self.project = project
        self.customer = QComboBox()
        _fill_customers(self.customer, state.app, project.customer_id if project else customer_id)
        if project is not None:
            if self.customer.findData(project.customer_id) < 0:  # an archived customer
                self.customer.addItem(project.customer, project.customer_id)
                self.customer.setCurrentIndex(self.customer.count() - 1)
            self.customer.setEnabled(False)
        self.name = QLineEdit(project.name if project else "")
        self.billable = QComboBox()
        for text, value in BILLABLE_CHOICES:
            self.billable.addItem(text, value)
        if project is not None:
            self.billable.setCurrentIndex(
                [v for _t, v in BILLABLE_CHOICES].index(project.default_billable))
        self._field("&Customer", self.customer)
        self._field("&Name", self.name)
        self._field("&Billing", self.billable)

    def save(self) -> None:
        name, billable = self.name.text(), self.billable.currentData()
        if self.project is not None:
            pid = self.project.id
            self._write(lambda app: app.directory.change_project(
                None, pid, name=name, billable=billable))
            return
        customer = self.customer.currentData()
        if customer is None:
            self.error.show_message("choose the customer the project is for")
            return
        self._write(lambda app: app.directory.add_project(None, customer, name,
                                                          billable=billable))


class TaskDialog(_FormDialog):
    """A new task (optionally in a project, with a ticket number), or changes
    to one's title and ticket. ``title`` and ``customer_id`` pre-fill a new one
    (the popup's "Create task ‹text› for ‹customer›…")."""

    def __init__(self, state: TrackerState, task: dto.Task | None = None, *,
                 title: str = "", customer_id: str | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(state, "Change task" if task else "New task", parent)
        self.task = task
        app = state.app
        self._projects = app.directory.projects()
        self.customer = QComboBox()
        _fill_customers(self.customer, app, task.customer_id if task else customer_id)
        self.project = QComboBox()
        self.title = QLineEdit(task.title if task else title)
        self.ticket = QLineEdit(task.external_ref or "" if task else "")
        self.ticket.setPlaceholderText("optional, e.g. 5566")
        self._field("&Customer", self.customer)
        self._field("&Project", self.project)
        self._field("&Title", self.title)
        self._field("Tic&ket", self.ticket)
        self.customer.currentIndexChanged.connect(lambda _i: self._fill_projects())
        self._fill_projects()
        if task is not None:
            for box, value, text in ((self.customer, task.customer_id, task.customer),
                                     (self.project, task.project_id, task.project)):
                if value and box.findData(value) < 0:  # archived
                    box.addItem(text or "", value)
                box.setCurrentIndex(max(box.findData(value), 0))
                box.setEnabled(False)

    def _fill_projects(self) -> None:
        cid = self.customer.currentData()
        self.project.clear()
        self.project.addItem("(no project)", None)
        for p in self._projects:
            if p.customer_id == cid:
                self.project.addItem(p.name, p.id)

    def save(self) -> None:
        title, ticket = self.title.text(), self.ticket.text().strip() or None
        if self.task is not None:
            tid = self.task.id
            self._write(lambda app: app.directory.edit_task(
                None, tid, title=title, ref=ticket if ticket else None))
            return
        customer, project = self.customer.currentData(), self.project.currentData()
        if customer is None:
            self.error.show_message("choose the customer the task is for")
            return
        self._write(lambda app: app.directory.add_task(
            None, customer=customer, project=project, title=title, ref=ticket))

