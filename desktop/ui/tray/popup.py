"""The timer popup: what runs now, stop it, today's entries, or find something
and start it.

Keyboard-only use: the search box has focus on open; typing filters, Down/Up
move through the results, Enter starts the highlighted one; Esc hides the
popup. Alt+S stops, Alt+C continues the last entry, Alt+L opens Log time.
The elapsed clock is computed from the stored start and ticks only while the
popup is visible. Today's entries sit under the timer
(:mod:`desktop.ui.tray.popup_today`): click one to edit it, ▶ continues it,
✕ deletes it with an undo.

Layout: the popup is as wide as its content needs, between ``MIN_WIDTH`` and
``MAX_WIDTH``; beyond that long names elide with the full text in their
tooltip, and nothing scrolls sideways. A task shows as "#5566 Teams phone
rollout" wherever it appears (header, Continue, search results, today).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QHideEvent, QKeyEvent, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core import dto, fuzzy
from desktop.core.errors import PunchclockError
from desktop.ui.dialogs.log_time import LogTimeDialog
from desktop.ui.state import TrackerState
from desktop.ui.tray.offers import CreateOffers
from desktop.ui.tray.popup_today import TodayPanel
from desktop.ui.widgets import ElidedLabel, ErrorLabel, clock_text

MIN_WIDTH = 380
MAX_WIDTH = 640


class TimerPopup(QWidget):
    log_time_requested = Signal()

    def __init__(self, state: TrackerState, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Tool | Qt.WindowType.WindowStaysOnTopHint)
        self.setWindowTitle("Punchclock")
        self.setObjectName("timerPopup")
        self.state = state
        self._candidates: list[fuzzy.Target] = []

        self.dialogs: list[LogTimeDialog] = []  # its own edit forms, open now
        self.path_label = ElidedLabel()
        bold = QFont(self.path_label.font())
        bold.setBold(True)
        self.path_label.setFont(bold)
        self.elapsed_label = QLabel()
        big = QFont(self.elapsed_label.font())
        big.setPointSizeF(big.pointSizeF() * 1.8)
        self.elapsed_label.setFont(big)
        self.description = QLineEdit(placeholderText="What are you working on?")
        self.billable = QCheckBox("&Billable")
        self.stop_button = QPushButton("&Stop")
        self.search = QLineEdit(placeholderText="Start: customer, project, task or #ticket")
        self.search.setClearButtonEnabled(True)
        self.results = QListWidget()
        self.results.setMinimumHeight(150)
        self.results.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.results.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.results.setWordWrap(False)
        self.continue_button = QPushButton()
        self.today_panel = TodayPanel(state)
        self.today_label = self.today_panel.totals
        self.log_button = QPushButton("&Log time…")
        self.error = ErrorLabel()
        self.notice = QLabel()
        self.notice.setWordWrap(True)
        self.notice.hide()

        running_row = QHBoxLayout()
        running_row.addWidget(self.elapsed_label, 1)
        running_row.addWidget(self.stop_button)
        edit_row = QHBoxLayout()
        edit_row.addWidget(self.description, 1)
        edit_row.addWidget(self.billable)
        footer = QHBoxLayout()
        footer.addStretch(1)
        footer.addWidget(self.log_button)
        layout = self._layout = QVBoxLayout(self)
        layout.addWidget(self.path_label)
        layout.addLayout(running_row)
        layout.addLayout(edit_row)
        layout.addWidget(self.today_panel)
        layout.addWidget(self.search)
        layout.addWidget(self.results)
        self.offers = CreateOffers(state, reload=self.load_targets)
        self.offers.created.connect(self.search.setText)
        layout.addWidget(self.offers)
        layout.addWidget(self.continue_button)
        layout.addWidget(self.notice)
        layout.addWidget(self.error)
        layout.addLayout(footer)
        self.setFixedWidth(MIN_WIDTH)

        self._tick = QTimer(self)
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self._update_clock)

        self.stop_button.clicked.connect(self._stop)
        self.continue_button.clicked.connect(self._continue)
        self.log_button.clicked.connect(self.log_time_requested)
        self.description.editingFinished.connect(self._description_edited)
        self.billable.toggled.connect(self._billable_toggled)
        self.search.textChanged.connect(self._filter)
        self.search.returnPressed.connect(self.start_selected)
        self.search.installEventFilter(self)
        self.results.itemActivated.connect(lambda _item: self.start_selected())
        self.today_panel.edit_requested.connect(self.edit_entry)
        self.today_panel.continue_requested.connect(self.continue_entry)
        self.today_panel.said.connect(self._say)
        self.today_panel.refused.connect(self.error.show_message)
        state.changed.connect(self.update_view)
        self.update_view()

    # ---------------------------------------------------------------- view

    def update_view(self) -> None:
        snap = self.state.snapshot
        running = snap.running
        self.stop_button.setEnabled(running is not None)
        self.description.setEnabled(running is not None)
        self.billable.setEnabled(running is not None)
        if running is None:
            self.path_label.set_full_text("No timer running")
            self.description.clear()
        else:
            self.path_label.set_full_text(running.label)
            if not self.description.hasFocus():
                self.description.setText(running.description)
            self.billable.blockSignals(True)
            self.billable.setChecked(running.billable)
            self.billable.blockSignals(False)
        last = snap.last_stopped
        self.continue_button.setVisible(last is not None and running is None)
        self.continue_button.setToolTip(f"Continue {last.label}" if last else "")
        self._read_today()
        self._fit_width()
        self._update_clock()

    def _read_today(self) -> None:
        profile = self.state.snapshot.profile
        today = None
        if profile is not None:
            try:
                today = self.state.app.tracking.today(profile.id)
            except PunchclockError as exc:
                self.error.show_message(exc.message)
        self.today_panel.show_today(today, profile.timezone if profile else "UTC",
                                    self.state.now())

    def _fit_width(self) -> None:
        """As wide as the content needs, within MIN_WIDTH..MAX_WIDTH; past that
        the texts elide (tooltips keep them whole)."""
        fm = self.fontMetrics()
        bold = self.path_label.fontMetrics()
        wanted = [
            bold.horizontalAdvance(self.path_label.full_text),
            self.today_panel.table.content_width(),
            fm.horizontalAdvance(self.continue_button.toolTip()) + 24,
            *(fm.horizontalAdvance(self.results.item(i).text()) + 24
              for i in range(self.results.count())),
        ]
        margins = self._layout.contentsMargins()
        width = max(wanted) + margins.left() + margins.right()
        self.setFixedWidth(min(max(width, MIN_WIDTH), MAX_WIDTH))
        self._elide_continue()

    def _elide_continue(self) -> None:
        full = self.continue_button.toolTip()
        room = self.width() - self._layout.contentsMargins().left() * 2 - 24
        text = self.continue_button.fontMetrics().elidedText(full, Qt.TextElideMode.ElideRight,
                                                             room)
        self.continue_button.setText("&" + text if text else "")

    def _update_clock(self) -> None:
        snap = self.state.snapshot
        now = self.state.now()
        running = snap.running
        self.elapsed_label.setText(clock_text(running.elapsed_s(now)) if running else "0:00:00")
        self.today_panel.tick(now)

    def load_targets(self) -> None:
        d = self.state.app.directory
        try:
            self._candidates = fuzzy.targets(d.customers(), d.projects(), d.tasks())
        except PunchclockError as exc:
            self.error.show_message(exc.message)
            self._candidates = []
        self._filter(self.search.text())

    def _filter(self, text: str) -> None:
        recent = [fuzzy.from_combination(c) for c in self.state.snapshot.recent]
        self.results.clear()
        for target in fuzzy.search(text, self._candidates, recent):
            item = QListWidgetItem(target.path)
            item.setToolTip(target.path)
            item.setData(Qt.ItemDataRole.UserRole, target)
            self.results.addItem(item)
        if self.results.count():
            self.results.setCurrentRow(0)
        self.offers.show_for(text, self.results.count())
        self._fit_width()

    # ------------------------------------------------------------- actions

    def start_selected(self) -> None:
        item = self.results.currentItem()
        if item is None:
            self.error.show_message("nothing matches; try fewer letters")
            return
        target: fuzzy.Target = item.data(Qt.ItemDataRole.UserRole)
        self.error.clear_message()
        # a recent combination restarts with its last description (editable)
        said = next((c.description for c in self.state.snapshot.recent
                     if (c.customer_id, c.project_id, c.task_id) == target.key), "")

        def started(saved: dto.SavedEntry) -> None:
            self.search.clear()
            self._tell(saved)

        self.state.start(customer=target.customer_id, project=target.project_id,
                         task=target.task_id, description=said, on_done=started,
                         on_error=lambda e: self.error.show_message(e.message))

    def _stop(self) -> None:
        self.state.stop(on_done=self._tell, on_error=lambda e: self.error.show_message(e.message))

    def _continue(self) -> None:
        self.state.continue_last(on_done=self._tell,
                                 on_error=lambda e: self.error.show_message(e.message))

    def continue_entry(self, entry: dto.Entry) -> None:
        """A new timer on ``entry``'s target with its description and billable."""
        self.error.clear_message()
        self.state.start(customer=entry.customer_id, project=entry.project_id,
                         task=entry.task_id, description=entry.description,
                         billable=entry.billable, on_done=self._tell,
                         on_error=lambda e: self.error.show_message(e.message))

    def edit_entry(self, entry: dto.Entry) -> LogTimeDialog:
        """The Log time form, filled in with ``entry``; Save changes it."""
        self.error.clear_message()
        dialog = LogTimeDialog(self.state, self, title="Edit entry")
        dialog.edit_entry(entry)
        self.dialogs.append(dialog)
        dialog.finished.connect(lambda _r, d=dialog: self._dialog_closed(d))
        dialog.show()
        return dialog

    def _dialog_closed(self, dialog: LogTimeDialog) -> None:
        if dialog in self.dialogs:
            self.dialogs.remove(dialog)
        dialog.deleteLater()

    def _say(self, text: str) -> None:
        self.notice.setText(text)
        self.notice.setVisible(bool(text))

    def _tell(self, saved: dto.SavedEntry) -> None:
        """Say what a start or stop did beyond the obvious: a timer under a minute
        dropped, a description the policy warns about, an overlap."""
        lines = []
        if saved.dropped is not None:
            lines.append(f"{saved.dropped.label} ran under a minute: dropped, not kept.")
        lines += list(saved.warnings)
        self.notice.setText("\n".join(lines))
        self.notice.setVisible(bool(lines))

    def _description_edited(self) -> None:
        running = self.state.snapshot.running
        if running is not None and self.description.text() != running.description:
            self.state.edit_running(description=self.description.text(), on_done=self._tell,
                                    on_error=lambda e: self.error.show_message(e.message))

    def _billable_toggled(self, checked: bool) -> None:
        self.state.edit_running(billable=checked,
                                on_error=lambda e: self.error.show_message(e.message))

    # -------------------------------------------------------------- events

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.search and isinstance(event, QKeyEvent) and \
                event.type() == QEvent.Type.KeyPress and \
                event.key() in (Qt.Key.Key_Down, Qt.Key.Key_Up):
            step = 1 if event.key() == Qt.Key.Key_Down else -1
            row = min(max(self.results.currentRow() + step, 0), self.results.count() - 1)
            self.results.setCurrentRow(row)
            return True
        return super().eventFilter(watched, event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.hide()
            return
        super().keyPressEvent(event)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.load_targets()
        self.update_view()
        self._tick.start()
        self.search.setFocus()

    def hideEvent(self, event: QHideEvent) -> None:
        self._tick.stop()
        super().hideEvent(event)

    @property
    def ticking(self) -> bool:
        return self._tick.isActive()
