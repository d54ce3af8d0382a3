"""Accounting exports on the hand-computed fixture, each file read back by an
independent reader; --mark-exported, the crash window, the exported lock and
bad input."""

from __future__ import annotations

import csv
import io
import json
import os
import re
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from reports_world import END, START, H, M, admin_id, build, uid

from desktop.core import dto
from desktop.core.app import Punchclock
from desktop.core.errors import Forbidden, Locked, ValidationError
from desktop.core.exports import writers

TOTAL_MINOR = 119_500 + 60_000 + 252_000  # Tia + Ned + Rob (see test_reports_fixture)
TOTAL_BILLED_S = (10 * H + 55 * M) + (7 * H + 30 * M) + 28 * H
# cost rates 30.00 and 35.00 must appear nowhere (40.00 is also one of Ned's amounts)
COST_TEXT = re.compile(r"(?<![\d.])(30\.00|35\.00|3000|3500)(?![\d])")


@pytest.fixture
def pc(msp: Punchclock) -> Punchclock:
    build(msp)
    return msp


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Where exports go (``tmp_path`` holds the database)."""
    out = tmp_path / "exports"
    out.mkdir()
    return out


def _export(pc: Punchclock, fmt: str, out: Path, **kw: Any) -> dto.ExportResult:
    return pc.exports.export(admin_id(pc), fmt, START, END, out, **kw)


def _no_cost(data: bytes, encoding: str = "utf-8-sig") -> None:
    text = data.decode(encoding)
    assert "cost" not in text.lower()
    assert not COST_TEXT.search(text), COST_TEXT.search(text)


def test_csv_reads_back(pc: Punchclock, folder: Path) -> None:
    out = folder / "time.csv"
    result = _export(pc, "csv", out)
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # spreadsheets read it as UTF-8
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(rows) == result.lines == result.entries == 12
    assert sum(Decimal(r["amount"]) for r in rows) == Decimal(TOTAL_MINOR) / 100
    billed = sum(round(Decimal(r["billed_hours"]) * 3600) for r in rows)
    assert billed == TOTAL_BILLED_S == result.billed_s
    first = next(r for r in rows if r["raw_hours"] == "0.3333")  # Tia's 20 minutes on ACME
    assert (first["billed_hours"], first["rate"], first["amount"]) == ("0.5000", "100.00", "50.00")
    assert first["technician_email"] == "tech@msp.test" and first["currency"] == "EUR"
    _no_cost(data)


def test_csv_per_task_joins_a_day(pc: Punchclock, folder: Path) -> None:
    out = folder / "time.csv"
    result = _export(pc, "csv", out, per="task")
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    # Tia's two ACME entries of Monday become one line: 0:30 + 2:15 = 2:45 → 275.00
    assert result.lines == 11 and result.entries == 12
    monday = [r for r in rows if r["date"] == "2026-11-02" and r["customer"] == "ACME"]
    tia = next(r for r in monday if r["technician"] == "Tia Tech")
    assert (tia["billed_hours"], tia["amount"], len(tia["entries"].split())) == (
        "2.7500",
        "275.00",
        2,
    )


def test_iif_reads_back(pc: Punchclock, folder: Path) -> None:
    out = folder / "time.iif"
    _export(pc, "iif", out)
    data = out.read_bytes()
    lines = data.decode("cp1252").split("\r\n")
    assert lines[-1] == ""
    table = [ln.split("\t") for ln in lines[:-1]]
    assert table[0] == list(writers.IIF_TIMERHDR) and table[1][0] == "TIMERHDR"
    header = table[2]
    assert header == [
        "!TIMEACT", "DATE", "JOB", "EMP", "ITEM", "PITEM", "DURATION", "PROJ", "NOTE",
        "BILLINGSTATUS",
    ]  # fmt: skip
    acts = [dict(zip(header[1:], row[1:], strict=True)) for row in table[3:]]
    assert all(row[0] == "TIMEACT" for row in table[3:]) and len(acts) == 12
    minutes = 0
    for act in acts:
        assert re.fullmatch(r"\d\d/\d\d/\d\d", act["DATE"])
        m = re.fullmatch(r"(\d\d):(\d\d)", act["DURATION"])
        assert m and int(m[2]) < 60 and int(m[1]) <= 23
        minutes += int(m[1]) * 60 + int(m[2])
        assert act["BILLINGSTATUS"] == "1" and act["ITEM"] == "Services"
    assert minutes * 60 == TOTAL_BILLED_S
    tia = [a for a in acts if a["EMP"] == "Tia Tech" and a["DATE"] == "11/02/26"]
    assert sorted(a["DURATION"] for a in tia) == ["00:30", "02:15"]
    assert {a["JOB"] for a in acts} == {"ACME", "Globex"}
    _no_cost(data, "cp1252")


def test_iif_splits_above_23_59() -> None:
    assert writers.iif_durations(24 * H) == [1439, 1]
    assert writers.iif_durations(1439 * 60) == [1439]
    assert writers.iif_durations(30) == [1] and writers.iif_durations(29) == [0]
    line = dto.ExportLine(
        ("e1",), "ACME", "Move", None, "4521", "Tia", "t@x", date(2026, 11, 2), 24 * H,
        24 * H, 10000, 240000, "all\tnight\nlong",
    )  # fmt: skip
    text = writers.iif_file([line], company="MSP", item="Labor", created_epoch=0).decode("cp1252")
    acts = [ln.split("\t") for ln in text.split("\r\n") if ln.startswith("TIMEACT")]
    assert [(a[2], a[6], a[8]) for a in acts] == [
        ("ACME:Move", "23:59", "#4521 all night long"),
        ("ACME:Move", "00:01", "#4521 all night long"),
    ]


QBO_SCHEMA: dict[str, Any] = {
    "TxnDate": str,
    "NameOf": ("Employee",),
    "EmployeeRef": {"value": str, "name": str},
    "CustomerRef": {"value": str, "name": str},
    "ItemRef": {"value": str, "name": str},
    "Hours": int,
    "Minutes": int,
    "BillableStatus": ("Billable", "NotBillable", "HasBeenBilled"),
    "HourlyRate": (int, float),
    "Description": str,
}


def _check(obj: Any, schema: Any, where: str = "") -> None:
    if isinstance(schema, dict):
        assert isinstance(obj, dict) and set(obj) == set(schema), where
        for key, sub in schema.items():
            _check(obj[key], sub, f"{where}.{key}")
    elif isinstance(schema, tuple) and all(isinstance(x, str) for x in schema):
        assert obj in schema, where
    else:
        assert isinstance(obj, schema) and not isinstance(obj, bool), where


def test_qbo_reads_back_with_a_mapping(pc: Punchclock, folder: Path) -> None:
    out = folder / "time.json"
    with pytest.raises(ValidationError, match="no QuickBooks mapping"):
        _export(pc, "qbo", out)
    mapping = folder / "qbo-mapping.json"
    template = pc.exports.qbo_mapping_template(admin_id(pc), START, END, mapping)
    assert template["customers"] == {"ACME": None, "Globex": None}
    with pytest.raises(ValidationError, match="has no id for employee") as info:
        _export(pc, "qbo", out)
    assert "\n" not in str(info.value) and not out.exists()
    filled = json.loads(mapping.read_text())
    for section in filled.values():
        for n, key in enumerate(sorted(section), 1):
            section[key] = str(n)
    mapping.write_text(json.dumps(filled))
    _export(pc, "qbo", out)
    data = out.read_bytes()
    objects = json.loads(data, parse_float=Decimal)
    assert len(objects) == 12
    for obj in objects:
        _check({**obj, "HourlyRate": float(obj["HourlyRate"])}, QBO_SCHEMA)
        assert 0 <= obj["Minutes"] < 60 and obj["TxnDate"][:4] == "2026"
    total_minutes = sum(o["Hours"] * 60 + o["Minutes"] for o in objects)
    assert total_minutes * 60 == TOTAL_BILLED_S
    amount = sum(Decimal(o["Hours"] * 60 + o["Minutes"]) / 60 * o["HourlyRate"] for o in objects)
    assert amount.quantize(Decimal("0.01")) == Decimal(TOTAL_MINOR) / 100
    assert {o["EmployeeRef"]["value"] for o in objects} == {"1", "2", "3"}
    assert b'"HourlyRate": 120.00' in data  # a number written from the cents
    _no_cost(data, "utf-8")


def test_xero_reads_back(pc: Punchclock, folder: Path) -> None:
    admin = admin_id(pc)
    pc.company.set_accounting(admin, xero_account_code="4000", xero_tax_type="Tax Exempt")
    out = folder / "invoices.csv"
    result = _export(pc, "xero", out)
    assert result.paths == (str(out),)
    data = out.read_bytes()
    reader = csv.reader(io.StringIO(data.decode("utf-8-sig")))
    header = next(reader)
    assert header == list(writers.XERO_HEADER)
    assert [h for h in header if h.startswith("*")] == [
        "*ContactName", "*InvoiceNumber", "*InvoiceDate", "*DueDate", "*Description",
        "*Quantity", "*UnitAmount", "*AccountCode", "*TaxType",
    ]  # fmt: skip
    rows = [dict(zip(header, r, strict=True)) for r in reader]
    numbers: dict[str, set[str]] = {}
    for r in rows:
        numbers.setdefault(r["*ContactName"], set()).add(r["*InvoiceNumber"])
    assert all(len(v) == 1 for v in numbers.values())  # one invoice per customer
    assert len({n for v in numbers.values() for n in v}) == len(numbers) == 2
    assert {r["*AccountCode"] for r in rows} == {"4000"}
    assert {r["*TaxType"] for r in rows} == {"Tax Exempt"}
    assert {(r["*InvoiceDate"], r["*DueDate"], r["Currency"]) for r in rows} == {
        ("27/11/2026", "27/12/2026", "EUR")
    }
    total = sum(Decimal(r["*Quantity"]) * Decimal(r["*UnitAmount"]) for r in rows)
    assert total.quantize(Decimal("0.01")) == Decimal(TOTAL_MINOR) / 100
    assert len([r for r in rows if r["*ContactName"] == "ACME"]) == 5
    _no_cost(data)


def test_xero_splits_past_500_invoices() -> None:
    lines = [
        dto.ExportLine(
            (f"e{i}",),
            f"Customer {i:04d}",
            None,
            None,
            None,
            "Tia",
            "t@x",
            date(2026, 11, 2),
            H,
            H,
            10000,
            10000,
            "work",
        )
        for i in range(501)
    ]
    settings = writers.XeroSettings("200", "Tax on Sales", "PC-", date(2026, 11, 30), 14, "", "EUR")
    files = writers.xero_files(lines, settings)
    counts = [len(list(csv.reader(io.StringIO(f.decode("utf-8-sig"))))) - 1 for f in files]
    assert counts == [500, 1]
    last = list(csv.reader(io.StringIO(files[1].decode("utf-8-sig"))))[1]
    assert last[10] == "PC-20261130-501"


def test_mark_exported_twice_exports_nothing_the_second_time(pc: Punchclock, folder: Path) -> None:
    first = _export(pc, "csv", folder / "a.csv", mark_exported=True)
    assert (first.entries, first.marked) == (12, 12)
    second = _export(pc, "csv", folder / "b.csv", mark_exported=True)
    assert (second.lines, second.entries, second.marked, second.amount_minor) == (0, 0, 0, 0)
    assert len((folder / "b.csv").read_text(encoding="utf-8-sig").splitlines()) == 1
    again = _export(pc, "csv", folder / "c.csv", include_exported=True)
    assert (again.entries, again.marked) == (12, 0)
    # the stamp goes up with the next sync, like any change
    from desktop.core.model import Outbox

    with pc.db.read() as s:
        stamps = [o for o in s.query(Outbox) if "exported_at" in o.payload.get("fields", [])]
    assert len(stamps) == 12


def test_a_crash_before_the_rename_marks_nothing(
    pc: Punchclock, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = folder / "time.csv"

    def crash(src: object, dst: object) -> None:
        raise OSError("power cut")

    monkeypatch.setattr("desktop.core.exports.service.os.replace", crash)
    with pytest.raises(OSError, match="power cut"):
        _export(pc, "csv", out, mark_exported=True)
    assert os.listdir(folder) == []  # no file under the target name, no temporary left
    monkeypatch.undo()
    assert len(pc.exports.lines(admin_id(pc), START, END)) == 12  # nothing was marked


def test_exported_entries_are_locked(pc: Punchclock, folder: Path) -> None:
    ids = {
        e.user: e.id for e in pc.tracking.entries(uid(pc, "tech@msp.test"), start=START, end=END)
    }
    _export(pc, "csv", folder / "a.csv", mark_exported=True)
    admin = admin_id(pc)
    pc.timesheets.reopen(admin, "tech@msp.test", START, "fix a description")
    tia = uid(pc, "tech@msp.test")
    entry = ids["tech@msp.test"]
    with pytest.raises(Locked) as info:
        pc.tracking.edit(tia, entry, description="more words about the work")
    assert str(info.value).startswith(f"entry {entry[:8]} was exported to accounting on ")
    assert "\n" not in str(info.value)
    with pytest.raises(Locked):
        pc.tracking.delete(tia, entry)
    with pytest.raises(Forbidden):
        pc.exports.unlock(tia, [entry])
    assert pc.exports.unlock(admin, [entry]) == 1
    pc.tracking.edit(tia, entry, description="more words about the work")


@pytest.mark.parametrize(
    ("who", "fmt", "start", "end", "out", "error"),
    [
        ("admin", "csv", END, START, "x.csv", ValidationError),
        ("admin", "csv", date(2020, 1, 1), date(2026, 1, 1), "x.csv", ValidationError),
        ("admin", "pdf", START, END, "x.csv", ValidationError),
        ("admin", "csv", START, END, "missing/x.csv", ValidationError),
        ("admin", "csv", START, END, ".", ValidationError),
        ("tech@msp.test", "csv", START, END, "x.csv", Forbidden),
        ("boss@msp.test", "xero", START, END, "x.csv", Forbidden),
    ],
    ids=["from after to", "over 5 years", "unknown format", "no folder", "a folder", "tech",
         "manager"],
)  # fmt: skip
def test_bad_input_writes_nothing(
    pc: Punchclock, tmp_path: Path, who: str, fmt: str, start: date, end: date, out: str,
    error: type[Exception],
) -> None:  # fmt: skip
    actor = admin_id(pc) if who == "admin" else uid(pc, who)
    target = tmp_path / "out"
    target.mkdir()
    with pytest.raises(error) as info:
        pc.exports.export(actor, fmt, start, end, target / out, mark_exported=True)
    assert "\n" not in str(info.value)
    assert os.listdir(target) == []
    assert len(pc.exports.lines(admin_id(pc), START, END)) == 12


def test_an_entry_without_a_rate_refuses_the_export(pc: Punchclock, folder: Path) -> None:
    admin = admin_id(pc)
    pc.directory.add_user(admin, "new@msp.test", name="New Hire", team="Field")
    new = uid(pc, "new@msp.test")
    pc.tracking.log(new, day=START, customer="Globex", duration_s=H, description="onboarding call")
    pc.timesheets.submit(new, START)
    pc.timesheets.approve(uid(pc, "boss@msp.test"), "new@msp.test", START)
    with pytest.raises(ValidationError, match="has no billing rate in effect"):
        _export(pc, "csv", folder / "x.csv", mark_exported=True)
    assert not (folder / "x.csv").exists()
