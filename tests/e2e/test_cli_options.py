"""The CLI's house rules: global options before or after the command, every
JSON shape the README documents made by the output module with exactly those
fields, and no module of the package over 400 lines."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from desktop.cli import main, output

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def folder(tmp_path, capsys):
    data = tmp_path / "data"
    assert main(["--data-dir", str(data), "init", "--name", "Ann Tech",
                 "--email", "ann@example.com", "--timezone", "UTC"]) == 0
    assert main(["--data-dir", str(data), "user", "add", "bo@example.com",
                 "--name", "Bo Field-Technician"]) == 0
    assert main(["--data-dir", str(data), "customer", "add", "Northwind Logistics"]) == 0
    assert main(["--data-dir", str(data), "--as", "bo@example.com", "start",
                 "--customer", "Northwind Logistics", "-d", "switch rack"]) == 0
    capsys.readouterr()
    return data


def _run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("where", ["before", "after"])
def test_json_before_or_after_the_command(folder, capsys, where):
    args = ["--json", "status"] if where == "before" else ["status", "--json"]
    code, out, err = _run(capsys, "--data-dir", str(folder), *args)
    assert code == 0, err
    assert json.loads(out) == {"running": False, "entry": None, "elapsed_s": 0, "today_s": 0}


@pytest.mark.parametrize("where", ["before", "after"])
def test_as_before_or_after_the_command(folder, capsys, where):
    as_ = ["--as", "bo@example.com"]
    args = [*as_, "status", "--json"] if where == "before" else ["status", "--json", *as_]
    code, out, err = _run(capsys, "--data-dir", str(folder), *args)
    assert code == 0, err
    data = json.loads(out)
    assert data["running"] is True
    assert data["entry"]["user"] == "bo@example.com"


@pytest.mark.parametrize("where", ["before", "after"])
def test_data_dir_before_or_after_the_command(folder, capsys, where):
    dd = ["--data-dir", str(folder)]
    args = [*dd, "customer", "list", "--json"] if where == "before" else [
        "customer", "list", "--json", *dd]
    code, out, err = _run(capsys, *args)
    assert code == 0, err
    assert [c["name"] for c in json.loads(out)] == ["Northwind Logistics"]


def test_options_after_a_sub_command_and_mixed(folder, capsys):
    code, out, err = _run(
        capsys, "entries", "--week", "2026-W48", "--json", "--as", "bo@example.com",
        "--data-dir", str(folder),
    )
    assert code == 0, err
    assert json.loads(out) == []  # bo's timer runs today, not in 2026-W48
    code, out, err = _run(capsys, "customer", "list", "--data-dir", str(folder), "--json")
    assert code == 0 and json.loads(out)[0]["name"] == "Northwind Logistics"


def test_an_unknown_option_is_still_a_one_line_usage_error(folder, capsys):
    code, out, err = _run(capsys, "--data-dir", str(folder), "status", "--jsn")
    assert code == 2
    assert out == "" and len(err.strip().splitlines()) == 1


def test_help_lists_commands_in_groups(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    text = capsys.readouterr().out
    for title in ("Timer and entries:", "Timesheets and approvals:", "Sync:"):
        assert title in text
    assert text.index("Timer and entries:") < text.index("  start ") < text.index("Sync:")


# --------------------------------------------------------------- README shapes

SHAPES = {
    "entry": output.ENTRY,
    "entry money": output.ENTRY_MONEY,
    "status": output.STATUS,
    "customer": output.CUSTOMER,
    "project": output.PROJECT,
    "task": output.TASK,
    "user": output.USER,
    "team": output.TEAM,
    "week": output.GRID,
    "week row": output.GRID_ROW,
    "sheet": output.SHEET,
    "approval": output.APPROVAL,
    "event": output.EVENT,
    "rate": output.RATE,
    "day off": output.DAY_OFF,
    "policy": output.POLICY,
    "login": output.LOGIN,
    "logout": output.LOGOUT,
    "sync round": output.SYNC_ROUND,
    "sync status": output.SYNC_STATUS,
    "attention item": output.ATTENTION_ITEM,
    "import report": output.IMPORT_REPORT,
    "import refusal": output.IMPORT_REFUSAL,
    "import mapping": output.IMPORT_MAPPING,
}


def readme_shapes() -> dict[str, list[str]]:
    """The bullets of the README's JSON section: name → the fields of its
    first ``{…}`` (nested objects given in parentheses are not counted)."""
    text = (ROOT / "README.md").read_text()
    section = text.split("### JSON output (`--json`)", 1)[1].split("\n## ", 1)[0]
    bullets = re.split(r"\n\* ", "\n" + section.split("\n* ", 1)[1])
    shapes = {}
    for bullet in filter(None, bullets):
        flat = " ".join(bullet.split())
        name = re.match(r"`([^`]+)`", flat)
        fields = re.search(r"`\{([^}]*)\}`", flat)
        assert name and fields, f"README bullet without a name or shape: {flat[:60]}"
        shapes[name.group(1)] = re.findall(r'"(\w+)"', fields.group(1))
    return shapes


def test_every_documented_shape_is_made_by_the_output_module():
    documented = readme_shapes()
    assert set(documented) == set(SHAPES)
    for name, fields in documented.items():
        assert list(SHAPES[name].keys) == fields, name


def test_no_cli_module_over_400_lines():
    sizes = {p.name: len(p.read_text().splitlines()) for p in (ROOT / "desktop/cli").glob("*.py")}
    assert sizes and max(sizes.values()) <= 400, sizes

def _parsers(parser, path=("punchclock",)):
    """Every parser of the command line with its command path."""
    import argparse

    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _parsers(sub, (*path, name))


def test_every_option_of_every_command_has_help_text():
    import argparse

    from desktop.cli.entry import build_parser

    parser, _runs = build_parser()
    missing = []
    for path, p in _parsers(parser):
        for action in p._actions:
            if isinstance(action, argparse._HelpAction | argparse._VersionAction):
                continue
            if isinstance(action, argparse._SubParsersAction):
                # an alias ("task reopen") is the same parser as the name it stands for
                helped = {id(action.choices[c.dest]) for c in action._choices_actions if c.help}
                missing += [f"{' '.join(path)} {n}" for n, sub in action.choices.items()
                            if id(sub) not in helped and not sub.description]
                continue
            if not action.help or action.help == argparse.SUPPRESS:
                what = "/".join(action.option_strings) or action.dest
                missing.append(f"{' '.join(path)} {what}")
    assert missing == [], "\n".join(missing)
