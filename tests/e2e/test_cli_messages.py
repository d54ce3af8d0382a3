"""What the command line says: the closest names when a lookup misses, the
user column and ``--user`` of ``entries``, short ids, and each thing said once."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import Run


@pytest.fixture
def run(tmp_path, capsys) -> Run:
    r = Run(tmp_path / "data", capsys)
    for args in (
        ["init", "--name", "Ann Admin", "--email", "ann@example.com", "--timezone", "UTC"],
        ["customer", "add", "ACME Logistics"],
        ["customer", "add", "Birchwood Dental"],
        ["project", "add", "--customer", "ACME Logistics", "Server migration"],
        ["task", "add", "--customer", "ACME Logistics", "Printer on 2nd floor offline"],
        ["user", "add", "bo@example.com", "--name", "Bo Tech"],
        ["user", "add", "cy@example.com", "--name", "Cy Tech"],
        ["--as", "bo@example.com", "log", "--customer", "ACME Logistics", "--hours", "1",
         "-d", "replaced the toner"],
        ["log", "--customer", "Birchwood Dental", "--hours", "2", "-d", "patched the servers"],
    ):
        code, _, err = r(*args)
        assert code == 0, err
    return r


@pytest.mark.parametrize(("args", "said"), [
    (["log", "--customer", "ACME", "--hours", "1", "-d", "x"],
     'no customer "ACME"; did you mean "ACME Logistics"?'),
    (["log", "--customer", "Acne Logistics", "--hours", "1", "-d", "x"],
     'no customer "Acne Logistics"; did you mean "ACME Logistics"?'),
    (["log", "--customer", "ACME Logistics", "--project", "Migratoin", "--hours", "1", "-d", "x"],
     'no project "Migratoin"; did you mean "Server migration"?'),
    (["log", "--customer", "ACME Logistics", "--task", "printer", "--hours", "1", "-d", "x"],
     'no task "printer"; did you mean "Printer on 2nd floor offline"?'),
    (["entries", "--user", "boo@example.com"],
     'no user "boo@example.com"; did you mean "bo@example.com"?'),
    (["log", "--customer", "Zeppelin", "--hours", "1", "-d", "x"], 'no customer "Zeppelin"\n'),
])
def test_a_lookup_that_misses_names_the_closest(run, args, said):
    code, out, err = run(*args)
    assert code == 1
    assert out == ""
    assert err == f"punchclock: {said}" + ("" if said.endswith("\n") else "\n")


def test_entries_of_several_people_show_who(run):
    code, out, err = run("entries", "--all-users")
    assert code == 0, err
    rows = out.splitlines()[:-1]
    assert len(rows) == 2
    assert {r.split()[1] for r in rows} == {"ann@example.com", "bo@example.com"}


def test_entries_of_one_person_have_no_user_column(run):
    code, out, _ = run("entries")
    assert code == 0
    assert "ann@example.com" not in out
    assert out.splitlines()[0].split()[1].count("-") == 2  # the date follows the id


def test_entries_user_picks_one_person(run):
    code, out, err = run("entries", "--user", "bo@example.com")
    assert code == 0, err
    assert "replaced the toner" in out
    assert "patched the servers" not in out
    data = run.json("entries", "--user", "bo@example.com")
    assert [e["user"] for e in data] == ["bo@example.com"]


def test_entries_user_is_refused_for_someone_you_cant_read(run):
    code, out, err = run("--as", "cy@example.com", "entries", "--user", "bo@example.com")
    assert code == 1
    assert out == ""
    assert err == "punchclock: you can't see the entries of bo@example.com\n"


def test_a_missing_entry_is_named_by_its_short_id(run):
    code, _, err = run("delete", "0123abcd-0000-4000-8000-000000000000")
    assert code == 1
    assert err == 'punchclock: no entry "0123abcd"\n'


@pytest.mark.parametrize(("command", "said"), [
    ("submit", "submitted"), ("recall", "recalled (now draft)"),
])
def test_week_transitions_say_it_once(run, command, said):
    if command == "recall":
        run("submit")
    code, out, err = run(command)
    assert code == 0, err
    assert out.endswith(f"of ann@example.com {said}\n")
    assert out.count("submitted") <= 1
