"""``punchclock import`` end to end: the report in both forms, --dry-run
writes nothing, a second run adds nothing, a bad row in the middle refuses
the file (exit 1, the row named on stderr, nothing written) unless --partial,
a --map file made from a dry run, one-line errors, and the progress bar."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from desktop.cli import main
from desktop.cli.imports import ProgressBar

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "imports"
WEEK = ["--from", "2026-11-23", "--to", "2026-11-29"]


@pytest.fixture
def folder(ann_folder: Path) -> Path:
    return ann_folder


def run(capsys, folder, *args: str) -> tuple[int, str, str]:
    code = main(["--data-dir", str(folder), *args])
    out, err = capsys.readouterr()
    return code, out, err


def entries(capsys, folder) -> list[dict]:
    code, out, err = run(capsys, folder, "entries", *WEEK, "--json")
    assert code == 0, err
    return json.loads(out)


@pytest.mark.parametrize(
    ("source", "name", "n"),
    [
        ("toggl", "toggl.csv", 3),
        ("toggl", "toggl_12h.csv", 2),
        ("clockify", "clockify.csv", 2),
        ("clockify", "clockify_decimal_comma.csv", 2),
        ("harvest", "harvest.csv", 2),
        ("kimai", "kimai.csv", 2),
        ("kimai", "kimai_de.csv", 1),
        ("watson", "watson_frames.json", 2),
        ("timewarrior", "timew_export.json", 2),
    ],
)
def test_every_source_imports_once(folder, capsys, source, name, n):
    path = str(FIXTURES / name)
    code, out, err = run(capsys, folder, "import", source, path, "--dry-run", "--json")
    assert code == 0, err
    report = json.loads(out)
    assert (report["dry_run"], report["added"], report["refused"]) == (True, n, [])
    assert entries(capsys, folder) == []
    code, out, err = run(capsys, folder, "import", source, path)
    assert code == 0, err
    assert out.startswith(f"imported {n} entr") and err == ""
    assert len(entries(capsys, folder)) == n
    code, out, err = run(capsys, folder, "import", source, path, "--json")
    assert code == 0 and json.loads(out)["added"] == 0 and json.loads(out)["duplicates"] == n
    assert len(entries(capsys, folder)) == n


def test_dry_run_prints_the_mapping_proposal(folder, capsys):
    code, out, err = run(
        capsys, folder, "import", "toggl", str(FIXTURES / "toggl.csv"), "--dry-run"
    )
    assert code == 0, err
    assert (
        out.splitlines()[0] == "would import 3 entries (2:30) of 3 rows for ann@example.com "
        "from toggl"
    )
    assert (
        "  ACME Corp › Server migration  →  ACME Corp › Server migration  (1 row)  new "
        "customer, project, task" in out
    )
    assert "nothing written" in out


def test_a_bad_row_in_the_middle_refuses_the_file(folder, capsys, tmp_path):
    lines = (FIXTURES / "kimai.csv").read_text().splitlines()
    lines.insert(2, lines[1].replace("2026-11-23", "2026-11-31"))
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join(lines) + "\n")
    code, out, err = run(capsys, folder, "import", "kimai", str(bad))
    assert code == 1 and out == ""
    assert err.splitlines() == [
        "punchclock: nothing imported: 1 of 3 rows refused (fix them, or import the rest "
        "with --partial)",
        "  line 3: can't read start date \"2026-11-31\" (the file's dates look like 2026-11-23)",
    ]
    assert entries(capsys, folder) == []
    code, out, err = run(capsys, folder, "customer", "list", "--json")
    assert json.loads(out) == []
    code, out, err = run(capsys, folder, "import", "kimai", str(bad), "--partial")
    assert code == 0 and "refused: line 3: can't read start date" in out
    assert len(entries(capsys, folder)) == 2


def test_a_map_file_from_a_dry_run(folder, capsys, tmp_path):
    path = str(FIXTURES / "watson_frames.json")
    code, out, err = run(capsys, folder, "import", "watson", path, "--dry-run", "--json")
    plan = json.loads(out)
    for item in plan["mapping"]:
        if item["from"]["customer"] == "Globex":
            item["to"] = {"customer": "Globex Corporation", "project": "Support", "task": None}
    mapfile = tmp_path / "map.json"
    mapfile.write_text(json.dumps(plan))
    code, out, err = run(capsys, folder, "import", "watson", path, "--map", str(mapfile), "--json")
    assert code == 0, err
    got = {(e["customer"], e["project"]) for e in entries(capsys, folder)}
    assert got == {("ACME Corp", "Server migration"), ("Globex Corporation", "Support")}


def test_one_line_errors(folder, capsys, tmp_path):
    code, _, err = run(capsys, folder, "import", "toggl", str(tmp_path / "nope.csv"))
    assert code == 1 and len(err.splitlines()) == 1 and "can't read" in err
    code, _, err = run(capsys, folder, "import", "toggl", str(FIXTURES / "harvest.csv"))
    assert code == 1 and 'line 1: this is not the expected export: no column "Start date"' in err
    code, _, err = run(capsys, folder, "import", "jira", str(FIXTURES / "harvest.csv"))
    assert code == 2 and len(err.splitlines()) == 1
    (tmp_path / "map.json").write_text("{not json")
    code, _, err = run(
        capsys,
        folder,
        "import",
        "toggl",
        str(FIXTURES / "toggl.csv"),
        "--map",
        str(tmp_path / "map.json"),
    )
    assert code == 1 and "the map file is not JSON" in err
    code, _, err = run(
        capsys,
        folder,
        "import",
        "toggl",
        str(FIXTURES / "toggl.csv"),
        "--user",
        "nobody@example.com",
    )
    assert code == 1 and 'no user "nobody@example.com"' in err
    assert entries(capsys, folder) == []


def test_the_progress_bar(monkeypatch):
    err = io.StringIO()
    monkeypatch.setattr("sys.stderr", err)
    bar = ProgressBar()
    bar(10, 100)  # small files: no bar
    assert err.getvalue() == ""
    bar(2500, 5000)
    bar(5000, 5000)
    bar.close()
    assert err.getvalue() == (
        "\r[" + "#" * 15 + "." * 15 + "]    2500/5000 rows\r[" + "#" * 30 + "]    5000/5000 rows\n"
    )
