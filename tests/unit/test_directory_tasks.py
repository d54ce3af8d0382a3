"""Tasks in the local store: who renames, archives, reopens and deletes them
(:mod:`desktop.core.permissions`), and an archived task's entries stay editable."""

from __future__ import annotations

from datetime import date

import pytest

from desktop.core.app import Punchclock
from desktop.core.errors import Forbidden, ValidationError

DAY = date(2026, 11, 24)


@pytest.fixture
def shop(msp: Punchclock) -> Punchclock:
    admin = msp.directory.profile()
    assert admin is not None
    msp.directory.add_user(admin.id, "tom@msp.test", name="Tom Tech", team="Field")
    msp.directory.add_customer(admin.id, "ACME")
    return msp


def _id(app: Punchclock, email: str) -> str:
    return app.directory.user(email).id


def test_a_technician_renames_archives_and_deletes_his_own_unused_task(shop: Punchclock) -> None:
    tom = _id(shop, "tom@msp.test")
    task = shop.directory.add_task(tom, customer="ACME", title="Printer jam", ref="4521")
    assert task.created_by == tom
    renamed = shop.directory.edit_task(tom, "#4521", title="Printer jam, 2nd floor")
    assert renamed.title == "Printer jam, 2nd floor"
    assert shop.directory.edit_task(tom, task.id, status="archived").status == "archived"
    assert shop.directory.edit_task(tom, task.id, status="open").status == "open"
    shop.directory.delete_task(tom, task.id)
    assert [t.id for t in shop.directory.tasks(include_closed=True)] == []


def test_a_technician_can_not_touch_a_colleagues_task(shop: Punchclock) -> None:
    tom, tia = _id(shop, "tom@msp.test"), _id(shop, "tech@msp.test")
    task = shop.directory.add_task(tom, customer="ACME", title="Printer jam")
    with pytest.raises(Forbidden):
        shop.directory.edit_task(tia, task.id, title="Mine now")
    with pytest.raises(Forbidden):
        shop.directory.edit_task(tia, task.id, status="archived")
    with pytest.raises(Forbidden):
        shop.directory.delete_task(tia, task.id)
    assert shop.directory.tasks()[0].title == "Printer jam"


def test_a_used_task_is_renamed_and_archived_by_managers_only(shop: Punchclock) -> None:
    tom, tia = _id(shop, "tom@msp.test"), _id(shop, "tech@msp.test")
    boss = _id(shop, "boss@msp.test")
    task = shop.directory.add_task(tom, customer="ACME", title="Printer jam")
    entry = shop.tracking.log(
        tia, day=DAY, task=task.id, duration_s=3600, description="Cleared the paper path"
    )
    with pytest.raises(Forbidden):
        shop.directory.edit_task(tom, task.id, title="Renamed")
    with pytest.raises(Forbidden):
        shop.directory.edit_task(tom, task.id, status="archived")
    for who in (tom, boss):
        with pytest.raises(ValidationError, match="archive it instead"):
            shop.directory.delete_task(who, task.id)
    assert shop.directory.edit_task(boss, task.id, title="Printer jam (HP 4250)").title == (
        "Printer jam (HP 4250)"
    )
    assert shop.directory.edit_task(boss, task.id, status="archived").status == "archived"
    # The archived task's entry stays editable by its owner.
    saved = shop.tracking.edit(
        tia, entry.entry.id, description="Cleared the paper path and replaced the roller"
    )
    assert saved.entry.description == "Cleared the paper path and replaced the roller"
    assert shop.directory.tasks() == []
    assert [t.status for t in shop.directory.tasks(include_closed=True)] == ["archived"]


def test_a_task_status_is_open_or_archived(shop: Punchclock) -> None:
    tom = _id(shop, "tom@msp.test")
    task = shop.directory.add_task(tom, customer="ACME", title="Printer jam")
    with pytest.raises(ValidationError):
        shop.directory.edit_task(tom, task.id, status="gone")
