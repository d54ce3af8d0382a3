"""Changing the directory: rename, edit, archive, unarchive and delete of
customers, projects and tasks — who may, what an archived row does to the
pickers, and that a row in use is never deleted."""

from __future__ import annotations

from datetime import date

import pytest

from desktop.core.errors import Forbidden, ValidationError
from desktop.core.model import Outbox


@pytest.fixture
def tech(app):
    me = app.directory.profile()
    return app.directory.add_user(me.id, "tia@example.com", name="Tia Tech").id


def _log(app, user_id, **target):
    app.tracking.log(user_id, day=date(2026, 11, 24), duration_s=3600,
                     description="patched the file servers", **target)


def _queued(app, entity, op):
    from sqlalchemy import select

    with app.db.read() as s:
        return [r for r in s.scalars(select(Outbox)) if r.entity == entity and r.op == op]


def test_rename_and_edit_a_customer(app):
    c = app.directory.change_customer(None, "ACME", name="ACME Logistics", round_increment_min=15,
                                      round_minimum_min=30, billable=False, internal=True)
    assert (c.name, c.round_increment_min, c.round_minimum_min) == ("ACME Logistics", 15, 30)
    assert (c.default_billable, c.is_internal) == (False, True)
    assert [x.name for x in app.directory.customers()][:1] == ["ACME Logistics"]
    assert _queued(app, "customer", "update")


def test_a_rename_keeps_names_unique(app):
    with pytest.raises(ValidationError, match='"Globex" already exists'):
        app.directory.change_customer(None, "ACME", name="globex")
    app.directory.add_project(None, "ACME", "Backups")
    with pytest.raises(ValidationError, match='already has a project "Backups"'):
        app.directory.change_project(None, "Server migration", name="BACKUPS")
    with pytest.raises(ValidationError, match="between 0 and 1440"):
        app.directory.change_customer(None, "ACME", round_increment_min=-1)


def test_project_billable_can_go_back_to_the_customers(app):
    p = app.directory.change_project(None, "Server migration", billable=False)
    assert p.default_billable is False
    p = app.directory.change_project(None, "Server migration", billable=None)
    assert p.default_billable is None


def test_task_ticket_and_title(app):
    t = app.directory.edit_task(None, "4521", title="Migrate DC01 and DC02", ref="#4522")
    assert (t.title, t.external_ref) == ("Migrate DC01 and DC02", "4522")
    t = app.directory.edit_task(None, "4522", ref=None)
    assert t.external_ref is None
    app.directory.add_task(None, customer="Globex", title="Printer", ref="77")
    with pytest.raises(ValidationError, match="#77 is already"):
        app.directory.edit_task(None, "Migrate DC01 and DC02", ref="77")


def test_archiving_a_customer_takes_its_projects_and_tasks_out_of_the_pickers(app):
    app.directory.set_archived(None, "customer", "ACME", True)
    assert "ACME" not in [c.name for c in app.directory.customers()]
    assert app.directory.projects() == []
    assert [t.title for t in app.directory.tasks()] == []
    app.directory.set_archived(None, "customer", "ACME", False)
    assert [t.title for t in app.directory.tasks()] == ["Migrate DC01"]


def test_an_archived_task_keeps_its_entries(app):
    me = app.directory.profile()
    _log(app, me.id, task="4521")
    t = app.directory.set_archived(None, "task", "4521", True)
    assert t.status == "archived"
    assert app.directory.tasks() == []
    assert len(app.tracking.entries(me.id, start=date(2026, 11, 23), end=date(2026, 11, 29))) == 1


def test_a_row_in_use_is_never_deleted(app):
    me = app.directory.profile()
    _log(app, me.id, task="4521")
    for kind, ref in (("task", "4521"), ("project", "Server migration"), ("customer", "ACME")):
        with pytest.raises(ValidationError, match="1 time entry; archive it instead"):
            app.directory.delete(None, kind, ref)
    assert app.directory.customers()[0].name == "ACME"


def test_deleting_an_unused_customer_deletes_its_projects_and_tasks(app):
    app.directory.delete(None, "customer", "ACME")
    assert [c.name for c in app.directory.customers()] == ["Globex", "Northwind"]
    assert app.directory.tasks() == [] and app.directory.projects() == []
    assert {(r.entity, r.op) for r in _queued(app, "task", "delete")} == {("task", "delete")}
    app.directory.add_customer(None, "ACME")  # the name is free again


def test_a_customer_with_rate_overrides_is_archived_not_deleted(app):
    app.rates.set_rate(None, "ann@example.com", kind="billing", amount_minor=12000,
                       effective_from=date(2026, 1, 1), customer="Globex")
    with pytest.raises(ValidationError, match="rate overrides"):
        app.directory.delete(None, "customer", "Globex")


def test_technicians_change_only_their_own_unused_tasks(app, tech):
    with pytest.raises(Forbidden):
        app.directory.change_customer(tech, "ACME", name="Acme")
    with pytest.raises(Forbidden):
        app.directory.set_archived(tech, "project", "Server migration", True)
    with pytest.raises(Forbidden):
        app.directory.edit_task(tech, "4521", title="mine now")  # created by Ann
    own = app.directory.add_task(tech, customer="Globex", title="Reset VPN")
    app.directory.edit_task(tech, own.id, title="Reset VPN token")
    _log(app, app.directory.profile().id, task=own.id)  # Ann logs time on it
    with pytest.raises(Forbidden):
        app.directory.set_archived(tech, "task", own.id, True)


def test_manage_lists_count_entries_and_say_what_the_reader_may_do(app, tech):
    me = app.directory.profile()
    _log(app, me.id, task="4521")
    mine = app.directory.add_task(tech, customer="Globex", title="Reset VPN")
    app.directory.set_archived(None, "customer", "Northwind", True)
    admin = app.directory.manage_lists(me.id)
    assert [(i.item.name, i.entries, i.can_delete, i.active) for i in admin.customers] == [
        ("ACME", 1, False, True), ("Globex", 0, True, True), ("Northwind", 0, True, False)]
    seen = app.directory.manage_lists(tech)
    assert not seen.can_manage_customers and seen.can_create_task
    assert {i.item.title: (i.can_edit, i.can_delete) for i in seen.tasks} == {
        "Migrate DC01": (False, False), mine.title: (True, True)}
