"""The Manage window's command-line twins: customer, project and task edit,
rename, archive, unarchive and delete."""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import Run


def test_rename_edit_archive_unarchive_a_customer(run: Run) -> None:
    code, out, err = run("customer", "rename", "ACME", "ACME Logistics")
    assert (code, err) == (0, "")
    assert out.startswith("customer renamed: ACME Logistics (")
    data = run.json("customer", "edit", "ACME Logistics", "--round-to", "15", "--non-billable")
    assert (data["round_increment_min"], data["default_billable"]) == (15, False)
    assert run("customer", "archive", "ACME Logistics")[0] == 0
    assert "ACME" not in run("customer", "list")[1]
    assert "ACME Logistics  [non-billable]  [round 15m]  [archived]" in run(
        "customer", "list", "--all")[1]
    assert run("project", "list")[1] == "no projects\n"
    assert run.json("project", "list", "--all")[0]["name"] == "Server migration"
    assert run("customer", "unarchive", "ACME Logistics")[0] == 0
    assert "ACME Logistics" in run("customer", "list")[1]


def test_project_and_task_twins(run: Run) -> None:
    data = run.json("project", "edit", "Server migration", "--non-billable", "--budget-hours", "40")
    assert (data["default_billable"], data["budget_s"]) == (False, 40 * 3600)
    data = run.json("project", "rename", "Server migration", "Datacenter move",
                    "--customer", "ACME")
    assert data["name"] == "Datacenter move"
    data = run.json("task", "edit", "4521", "--ref", "4600")
    assert data["external_ref"] == "4600"
    data = run.json("task", "rename", "#4600", "Migrate DC01 to Azure")
    assert data["title"] == "Migrate DC01 to Azure"
    assert run.json("task", "archive", "4600")["status"] == "archived"
    assert run("task", "list")[1] == "no tasks\n"
    assert run.json("task", "unarchive", "4600")["status"] == "open"


def test_delete_only_what_is_unused(run: Run) -> None:
    assert run("log", "--customer", "ACME", "--hours", "1", "-d", "patched the servers")[0] == 0
    code, out, err = run("customer", "delete", "ACME")
    assert (code, out) == (1, "")
    assert err == 'punchclock: customer "ACME" has 1 time entry; archive it instead\n'
    code, out, err = run("customer", "delete", "Globex")
    assert code == 0, err
    assert out.startswith("customer deleted: Globex (")
    assert "Globex" not in run("customer", "list")[1]


def test_edit_with_nothing_to_change_is_a_usage_error(run: Run) -> None:
    for args in (("customer", "edit", "ACME"), ("project", "edit", "Server migration"),
                 ("task", "edit", "4521")):
        code, out, err = run(*args)
        assert (code, out) == (2, "")
        assert "nothing to change" in err


def test_manage_without_a_display_names_the_cli_twins(run: Run, monkeypatch: Any) -> None:
    for name in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(name, raising=False)
    code, out, err = run("manage")
    assert (code, out) == (1, "")
    assert err == ("punchclock: no window here (no graphical session: DISPLAY is not set); "
                   "use `punchclock customer|project|task list`\n")
