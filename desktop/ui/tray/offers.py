"""What the popup offers when a search matches nothing: "Create task ‹text›
for ‹customer›…" (everyone may add tasks) and "Create customer ‹text›…" (for
those who may add customers, :func:`desktop.core.permissions.can_manage_customers`).

The customer is the one the text names first ("acme label printer" → ACME
Logistics, task "label printer"; :func:`desktop.core.fuzzy.split_customer`),
else the running timer's, else the most recent one's. Each offer opens the
Manage window's dialog pre-filled; once saved, the popup reads its targets
again and the search shows the new task (or customer), ready for Enter.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDialog, QPushButton, QVBoxLayout, QWidget

from desktop.core import dto, fuzzy, permissions
from desktop.core.errors import PunchclockError
from desktop.ui.qtcompat import emit
from desktop.ui.state import TrackerState

ELIDE_AT = 48


def _short(text: str) -> str:
    return text if len(text) <= ELIDE_AT else text[: ELIDE_AT - 1] + "…"


class CreateOffers(QWidget):
    """The two offers under the popup's results (hidden while something matches)."""

    created = Signal(str)  # the search text that finds what was made

    def __init__(self, state: TrackerState, reload: Callable[[], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.reload = reload
        self.task_button = QPushButton()
        self.customer_button = QPushButton()
        for b in (self.task_button, self.customer_button):
            b.setFlat(True)
            b.setStyleSheet("text-align: left;")
        self.task_button.clicked.connect(self.create_task)
        self.customer_button.clicked.connect(self.create_customer)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.task_button)
        box.addWidget(self.customer_button)
        self.text = ""
        self.customer: dto.Customer | None = None
        self.title = ""
        self.dialogs: list[QDialog] = []  # open now: the popup stays while they are
        self.hide()

    def show_for(self, text: str, matches: int) -> None:
        """The popup's search now reads ``text`` and lists ``matches`` targets."""
        self.text = text.strip()
        profile = self.state.snapshot.profile
        if matches or not self.text or profile is None:
            self.hide()
            return
        try:
            customers = self.state.app.directory.customers()
        except PunchclockError:
            self.hide()
            return
        named, title = fuzzy.split_customer(self.text, customers)
        self.customer = named or self._context_customer(customers)
        self.title = title if named else self.text
        target = f" for {self.customer.name}" if self.customer else ""
        self.task_button.setText(f"+ Create task “{_short(self.title)}”{target}…")
        self.task_button.setToolTip(f"A new task “{self.title}”{target}")
        may = permissions.can_manage_customers(profile)
        self.customer_button.setVisible(may and named is None)
        self.customer_button.setText(f"+ Create customer “{_short(self.text)}”…")
        self.show()

    def _context_customer(self, customers: list[dto.Customer]) -> dto.Customer | None:
        snap = self.state.snapshot
        wanted = snap.running.customer_id if snap.running else (
            snap.recent[0].customer_id if snap.recent else None)
        return next((c for c in customers if c.id == wanted), None)

    def create_task(self) -> QDialog:
        from desktop.ui.windows.manage.dialogs import TaskDialog

        dialog = TaskDialog(self.state, title=self.title,
                            customer_id=self.customer.id if self.customer else None)
        dialog.saved.connect(lambda t: self._made(f"#{t.external_ref}" if t.external_ref
                                                  else t.title))
        return self._open(dialog)

    def create_customer(self) -> QDialog:
        from desktop.ui.windows.manage.dialogs import CustomerDialog

        dialog = CustomerDialog(self.state, name=self.text)
        dialog.saved.connect(lambda c: self._made(c.name))
        return self._open(dialog)

    def _open(self, dialog: QDialog) -> QDialog:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialogs.append(dialog)
        dialog.finished.connect(lambda _r, d=dialog: self.dialogs.remove(d))
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        return dialog

    def _made(self, search: str) -> None:
        self.reload()
        emit(self.created, search)
