"""Tasks through the CLI: edit, archive, reopen and delete follow who opened the
task and whether anyone else logged time on it; refusals are one line."""

from __future__ import annotations

import pytest
from test_cli_workflow import BOSS, Run, run
from test_cli_workflow import TECH as TIA

TOM = "tom@msp.test"
__all__ = ["run"]  # the workflow suite's company (a fixture)


@pytest.fixture
def shop(run: Run) -> Run:
    run("user", "add", TOM, "--name", "Tom Tech", "--team", "Field", "--timezone", "UTC")
    return run


def test_task_edit_archive_reopen_delete(shop: Run) -> None:
    task = shop.json("task", "add", "Printer jam", "--customer", "ACME", "--ref", "4521", who=TOM)
    _, out, _ = shop("task", "edit", "#4521", "--title", "Printer jam, 2nd floor", who=TOM)
    assert out.startswith("task renamed: ")
    assert shop.json("task", "archive", "#4521", who=TOM)["status"] == "archived"
    assert shop.json("task", "list") == []
    assert [t["status"] for t in shop.json("task", "list", "--all")] == ["archived"]
    assert shop.json("task", "reopen", task["id"], who=TOM)["status"] == "open"
    shop("task", "delete", task["id"], who=TOM)
    assert shop.json("task", "list", "--all") == []


def test_task_of_a_colleague_and_task_in_use_are_refused_in_one_line(shop: Run) -> None:
    task = shop.json("task", "add", "Printer jam", "--customer", "ACME", who=TOM)
    code, _, err = shop("task", "edit", task["id"], "--title", "Mine", who=TIA, ok=False)
    assert code == 1
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    shop("log", "--date", "2026-11-24", "--task", task["id"], "--hours", "1",
        "-d", "Cleared the paper path", who=TIA)  # fmt: skip
    code, _, err = shop("task", "archive", task["id"], who=TOM, ok=False)
    assert code == 1
    assert len(err.strip().splitlines()) == 1
    code, _, err = shop("task", "delete", task["id"], who=BOSS, ok=False)
    assert code == 1
    assert "archive it instead" in err and len(err.strip().splitlines()) == 1
    assert shop.json("task", "archive", task["id"], who=BOSS)["status"] == "archived"
