"""Log time: every refusal shows inline and writes nothing; Save and Save & new."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from PySide6.QtCore import QDate

from desktop.ui.dialogs.log_time import LogTimeDialog

TODAY = date(2026, 11, 25)


@pytest.fixture
def dialog(qtbot: Any, state: Any) -> LogTimeDialog:
    dlg = LogTimeDialog(state)
    qtbot.addWidget(dlg)
    dlg.show()
    return dlg


def entries(app: Any) -> list[Any]:
    return app.tracking.entries(None, start=date(2026, 1, 1), end=date(2026, 12, 31))


def fill(dlg: LogTimeDialog, customer: str | None = "ACME", hours: str = "",
         start: str = "", end: str = "", description: str = "") -> None:
    if customer:
        dlg.picker.customer.setCurrentIndex(dlg.picker.customer.findText(customer))
    dlg.hours.setText(hours)
    dlg.start_time.setText(start)
    dlg.end_time.setText(end)
    dlg.description.setText(description)


def test_defaults_to_today_in_the_users_timezone(dialog: LogTimeDialog) -> None:
    assert dialog.date.date() == QDate(2026, 11, 25)


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"customer": None, "hours": "1"}, "choose the customer"),
        ({"hours": ""}, "a duration is required"),
        ({"hours": "abc"}, 'can\'t read "abc" as hours'),
        ({"hours": "0"}, "is zero"),
        ({"hours": "-1"}, "is negative"),
        ({"hours": "25"}, "more than 24 hours"),
        ({"hours": "0:90"}, "minutes must be below 60"),
        ({"hours": "1.23456"}, "too many decimals"),
        ({"start": "09:00"}, "give both a from and a to time"),
        ({"end": "10:00"}, "give both a from and a to time"),
        ({"start": "25:00", "end": "26:00"}, "as a time of day"),
        ({"start": "10:00", "end": "09:00"}, "is not after the start"),
        ({"start": "10:00", "end": "10:00"}, "is not after the start"),
        ({"hours": "1", "start": "09:00", "end": "10:00"}, "not both"),
        ({"hours": "1", "description": "beep \x07"}, "control character"),
        ({"hours": "1", "description": "x" * 2001}, "the limit is 2000"),
    ],
)
def test_bad_input_is_refused_inline(qtbot: Any, dialog: LogTimeDialog, app: Any,
                                     settle: Any, form: dict[str, Any], message: str) -> None:
    fill(dialog, **form)
    dialog.save_button.click()
    settle()
    assert dialog.error.isVisible()
    assert message.lower() in dialog.error.text().lower()
    assert dialog.isVisible()
    assert entries(app) == []


def test_a_day_over_24_hours_is_refused(qtbot: Any, dialog: LogTimeDialog, app: Any,
                                        settle: Any) -> None:
    app.tracking.log(None, day=TODAY, customer="Globex", duration_s=20 * 3600,
                     description="datacenter move weekend")
    fill(dialog, hours="5")
    dialog.save_button.click()
    settle()
    assert "can't pass 24:00" in dialog.error.text()
    assert len(entries(app)) == 1


def test_project_and_task_follow_the_customer(dialog: LogTimeDialog) -> None:
    fill(dialog, customer="Globex")
    assert dialog.picker.project.count() == 1  # "(no project)"
    fill(dialog, customer="ACME")
    assert dialog.picker.project.itemText(1) == "Server migration"
    assert "#4521 Migrate DC01" in dialog.picker.task.itemText(1)


def test_billable_defaults_from_the_customer_until_touched(dialog: LogTimeDialog) -> None:
    fill(dialog, customer="Northwind")  # internal: not billable
    assert not dialog.billable.isChecked()
    fill(dialog, customer="ACME")
    assert dialog.billable.isChecked()
    dialog.billable.click()  # the user decides now
    fill(dialog, customer="Globex")
    assert not dialog.billable.isChecked()


def test_save_writes_confirms_in_place_then_closes(qtbot: Any, dialog: LogTimeDialog, app: Any,
                                                   settle: Any) -> None:
    fill(dialog, hours="1h30m", description="Patched the DC01 controller")
    dialog.picker.task.setCurrentIndex(1)
    with qtbot.waitSignal(dialog.accepted, timeout=5000):
        dialog.save_button.click()
        qtbot.waitUntil(lambda: dialog.notice.isVisible())
        assert dialog.notice.text() == (
            "Saved 1:30 for ACME › Server migration › #4521 Migrate DC01 on Wed 25 Nov.")
    [entry] = entries(app)
    assert (entry.duration_s, entry.task_ref, entry.description, entry.source) == (
        5400, "4521", "Patched the DC01 controller", "manual")
    assert entry.work_date == TODAY


def test_save_and_new_keeps_the_dialog_and_the_customer(qtbot: Any, dialog: LogTimeDialog,
                                                        app: Any, settle: Any) -> None:
    dialog.date.setDate(QDate(2026, 11, 24))
    fill(dialog, start="09:00", end="10:15", description="Morning patch round on FS01")
    dialog.save_new_button.click()
    settle()
    assert dialog.isVisible()
    assert dialog.hours.text() == dialog.start_time.text() == dialog.description.text() == ""
    assert dialog.picker.customer.currentText() == "ACME"
    assert dialog.notice.text() == "Saved 1:15 for ACME on Tue 24 Nov."
    fill(dialog, hours="0.5", description="Afternoon patch round")
    dialog.save_new_button.click()
    settle()
    rows = entries(app)
    assert sorted((e.work_date.day, e.duration_s) for e in rows) == [(24, 1800), (24, 4500)]


def test_overlap_is_saved_with_a_visible_note(qtbot: Any, dialog: LogTimeDialog, app: Any,
                                              settle: Any) -> None:
    app.tracking.log(None, day=TODAY, customer="Globex", start=_t(9), end=_t(10),
                     description="datacenter move weekend")
    fill(dialog, start="09:30", end="10:30", description="Replaced the core switch")
    dialog.save_button.click()
    settle()
    assert dialog.isVisible()
    assert "overlaps" in dialog.warning.text()
    assert len(entries(app)) == 2


def _t(hour: int) -> Any:
    from datetime import time

    return time(hour, 0)


def test_the_date_shows_weekday_and_date(dialog: LogTimeDialog) -> None:
    assert dialog.date.text() == "Wed 25 Nov 2026"


@pytest.mark.parametrize("section", [0, 1, 2, 3])  # weekday, day, month, year
def test_down_in_the_date_field_moves_one_day_whatever_section(
        qtbot: Any, dialog: LogTimeDialog, section: int) -> None:
    from PySide6.QtCore import Qt

    dialog.date.setFocus()
    dialog.date.setCurrentSectionIndex(section)
    qtbot.keyClick(dialog.date, Qt.Key.Key_Down)
    assert dialog.date.date() == QDate(2026, 11, 24)
    qtbot.keyClick(dialog.date, Qt.Key.Key_Up)
    qtbot.keyClick(dialog.date, Qt.Key.Key_Up)
    assert dialog.date.date() == QDate(2026, 11, 26)


def test_a_future_date_asks_first(qtbot: Any, dialog: LogTimeDialog, app: Any,
                                  settle: Any) -> None:
    asked: list[str] = []
    dialog.ask = lambda _title, question: asked.append(question) or False
    dialog.date.setDate(QDate(2026, 11, 30))
    fill(dialog, hours="1", description="Planned switch replacement")
    dialog.save_button.click()
    settle()
    assert asked == ["Mon 30 Nov 2026 is after today. Log time for that day anyway?"]
    assert entries(app) == [] and dialog.isVisible()
    dialog.ask = lambda _title, _question: True
    dialog.save_new_button.click()
    settle()
    [entry] = entries(app)
    assert entry.work_date == date(2026, 11, 30)
    # today and the past are never asked about
    dialog.ask = lambda _title, _question: pytest.fail("asked about a past date")
    dialog.date.setDate(QDate(2026, 11, 25))
    fill(dialog, hours="1", description="Patched the print server")
    dialog.save_new_button.click()
    settle()
    assert len(entries(app)) == 2


def test_billable_without_description_is_refused_with_the_cli_message(
        dialog: LogTimeDialog, app: Any, settle: Any) -> None:
    from desktop.core.rules import EMPTY_BILLABLE

    fill(dialog, hours="1")
    dialog.save_button.click()
    settle()
    assert dialog.error.text() == EMPTY_BILLABLE
    assert entries(app) == []
    dialog.billable.click()  # not billable: no description needed
    dialog.save_button.click()
    settle()
    assert len(entries(app)) == 1


def test_a_vague_description_saves_with_an_inline_warning(
        qtbot: Any, dialog: LogTimeDialog, app: Any, settle: Any) -> None:
    fill(dialog, hours="1", description="stuff")
    dialog.save_button.click()
    settle()
    assert len(entries(app)) == 1
    assert dialog.warning.isVisible() and "too vague" in dialog.warning.text()
    qtbot.wait(50)
    assert dialog.isVisible()  # a warning stays until closed
    assert dialog.save_button.text() == "&Close"


def test_labels_and_fields_line_up_and_the_error_line_keeps_its_space(
        dialog: LogTimeDialog, settle: Any) -> None:
    xs = {w.mapTo(dialog, w.rect().topLeft()).x()
          for w in (dialog.date, dialog.picker.customer, dialog.picker.task, dialog.hours,
                    dialog.description)}
    assert len(xs) == 1
    def buttons_y() -> int:
        return dialog.save_button.mapTo(dialog, dialog.save_button.rect().topLeft()).y()

    before = buttons_y()
    fill(dialog, customer=None, hours="1")
    dialog.save_button.click()
    settle()
    assert dialog.error.isVisible()
    assert buttons_y() == before
