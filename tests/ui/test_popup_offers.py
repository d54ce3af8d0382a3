"""A popup search that matches nothing offers "Create task ‹text› for
‹customer›…" (everyone) and "Create customer…" (managers and admins); a
created task is found by the search right away."""

from __future__ import annotations

from typing import Any

import pytest

from desktop.core import fuzzy
from desktop.ui.tray.popup import TimerPopup
from desktop.ui.windows.manage.dialogs import CustomerDialog, TaskDialog


@pytest.fixture
def popup(qtbot: Any, state: Any) -> TimerPopup:
    p = TimerPopup(state)
    qtbot.addWidget(p)
    p.show()
    return p


def test_split_customer_takes_the_leading_words_that_name_one_customer(app: Any) -> None:
    customers = app.directory.customers()
    acme, = (c for c in customers if c.name == "ACME")
    split = fuzzy.split_customer("acme label printer jams", customers)
    assert split == (acme, "label printer jams")
    assert fuzzy.split_customer("label printer jams", customers) == (None, "label printer jams")
    assert fuzzy.split_customer("acme", customers) == (None, "acme")  # nothing left for a title


def test_no_match_offers_a_task_for_the_named_customer(qtbot: Any, popup: TimerPopup,
                                                       app: Any, settle: Any) -> None:
    popup.search.setText("mig")
    assert not popup.offers.isVisible()  # something matches
    popup.search.setText("acme label printer jams")
    assert popup.results.count() == 0
    assert popup.offers.isVisible()
    assert popup.offers.task_button.text() == "+ Create task “label printer jams” for ACME…"
    assert not popup.offers.customer_button.isVisible()  # the text names a customer
    dialog = popup.offers.create_task()
    assert isinstance(dialog, TaskDialog)
    assert (dialog.customer.currentText(), dialog.title.text()) == ("ACME", "label printer jams")
    dialog.ticket.setText("5566")
    with qtbot.waitSignal(dialog.finished, timeout=5000):
        dialog.save_button.click()
    assert popup.search.text() == "#5566"
    assert popup.results.count() == 1
    assert "label printer jams" in popup.results.item(0).text()
    assert not popup.offers.isVisible()


def test_without_a_named_customer_the_running_one_is_offered(qtbot: Any, popup: TimerPopup,
                                                             state: Any, settle: Any) -> None:
    state.start(customer="Globex")
    settle()
    popup.search.setText("reset the vpn token")
    assert popup.offers.task_button.text() == "+ Create task “reset the vpn token” for Globex…"
    assert popup.offers.customer_button.isVisible()  # Ann is an admin
    dialog = popup.offers.create_customer()
    assert isinstance(dialog, CustomerDialog)
    assert dialog.name.text() == "reset the vpn token"
    dialog.reject()


def test_technicians_are_not_offered_a_customer(qtbot: Any, app: Any, state: Any) -> None:
    me = app.directory.profile()
    app.directory.add_user(me.id, "tia@example.com", name="Tia Tech")
    app.directory.init_profile(name="Tia Tech", email="tia@example.com")
    state.refresh()
    popup = TimerPopup(state)
    qtbot.addWidget(popup)
    popup.show()
    popup.search.setText("Initech")
    assert popup.offers.task_button.isVisible()
    assert not popup.offers.customer_button.isVisible()
