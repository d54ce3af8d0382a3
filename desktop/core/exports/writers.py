"""Pure writers of the accounting formats: export lines in, file contents out.

No database, no file system: :class:`desktop.core.exports.service.ExportService`
picks the lines and writes the bytes atomically. Nothing here knows about cost
(an :class:`~desktop.core.dto.ExportLine` carries none).

* **CSV** (:func:`csv_file`): UTF-8 with a byte-order mark (so spreadsheets
  read it as UTF-8), a header, CRLF rows; hours as decimal hours with 4
  decimals, money with 2. A text cell starting with ``= + - @`` (or a tab/CR)
  gets a leading ``'`` so a spreadsheet never runs it as a formula.
* **QuickBooks Desktop IIF, timer import** (:func:`iif_file`): tab-separated,
  Windows-1252 (what QuickBooks Desktop reads; other characters become ``?``),
  a ``!TIMERHDR`` block then ``!TIMEACT`` rows: DATE ``MM/DD/YY``, JOB
  ``Customer:Project`` (the customer alone without a project), EMP (the
  technician's name), ITEM (the service item setting), PITEM blank, DURATION
  billed ``HH:MM`` (rounded to the nearest minute; a line above 23:59 is split
  into rows of at most 23:59), PROJ (class) blank, NOTE on one line, at most
  1,000 characters, BILLINGSTATUS 1.
* **QuickBooks Online TimeActivity** (:func:`qbo_file`): a JSON array, one
  object per line: TxnDate, NameOf "Employee", EmployeeRef, CustomerRef,
  ItemRef (``{"value", "name"}`` from the mapping), Hours + Minutes (billed,
  nearest minute), BillableStatus "Billable", HourlyRate (a JSON number with
  2 decimals, written from the integer cents, never through float),
  Description.
* **Xero sales invoices CSV** (:func:`xero_files`): Xero's template columns;
  one draft invoice per customer, its InvoiceNumber (prefix, the period's
  last day, the customer's place in name order) repeated on every line;
  Quantity = billed hours (4 decimals), UnitAmount = rate; AccountCode and
  TaxType from the company's accounting settings; at most 500 invoices per
  file (more customers: more files).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from desktop.core.dto import ExportLine
from desktop.core.money import format_amount

FORMATS = ("csv", "iif", "qbo", "xero")
MAX_IIF_MIN = 23 * 60 + 59
MAX_NOTE = 1000
XERO_MAX_INVOICES = 500
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

CSV_HEADER = (
    "customer",
    "project",
    "ticket",
    "task",
    "technician",
    "technician_email",
    "date",
    "raw_hours",
    "billed_hours",
    "rate",
    "amount",
    "currency",
    "description",
    "entries",
)

XERO_HEADER = (
    "*ContactName",
    "EmailAddress",
    "POAddressLine1",
    "POAddressLine2",
    "POAddressLine3",
    "POAddressLine4",
    "POCity",
    "PORegion",
    "POPostalCode",
    "POCountry",
    "*InvoiceNumber",
    "Reference",
    "*InvoiceDate",
    "*DueDate",
    "InventoryItemCode",
    "*Description",
    "*Quantity",
    "*UnitAmount",
    "Discount",
    "*AccountCode",
    "*TaxType",
    "TrackingName1",
    "TrackingOption1",
    "TrackingName2",
    "TrackingOption2",
    "Currency",
    "BrandingTheme",
)

IIF_TIMERHDR = (
    "!TIMERHDR",
    "VER",
    "REL",
    "COMPANYNAME",
    "IMPORTEDBEFORE",
    "FROMTIMER",
    "COMPANYCREATETIME",
)
IIF_TIMEACT = (
    "!TIMEACT",
    "DATE",
    "JOB",
    "EMP",
    "ITEM",
    "PITEM",
    "DURATION",
    "PROJ",
    "NOTE",
    "BILLINGSTATUS",
)


def hours_text(seconds: int) -> str:
    """Decimal hours with 4 decimals, half-up: 1200 s → "0.3333"."""
    value = (Decimal(seconds) / 3600).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    return f"{value:.4f}"


def whole_minutes(seconds: int) -> int:
    """Seconds to the nearest minute (half-up)."""
    return (seconds + 30) // 60


def one_line(text: str, limit: int | None = None) -> str:
    """Tabs and line breaks become spaces, runs of spaces collapse."""
    cleaned = " ".join(text.replace("\t", " ").replace("\r", " ").replace("\n", " ").split())
    return cleaned if limit is None else cleaned[:limit]


def _cell(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_START) else text


def _note(line: ExportLine) -> str:
    prefix = f"#{line.ticket} " if line.ticket else ""
    return one_line(prefix + line.description)


def _rate(line: ExportLine) -> str:
    return "" if line.rate_minor is None else format_amount(line.rate_minor)


# ------------------------------------------------------------------- CSV


def csv_file(lines: Iterable[ExportLine], currency: str) -> bytes:
    out = io.StringIO(newline="")
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(CSV_HEADER)
    for line in lines:
        w.writerow(
            (
                _cell(line.customer),
                _cell(line.project or ""),
                _cell(line.ticket or ""),
                _cell(line.task or ""),
                _cell(line.technician),
                _cell(line.technician_email),
                line.work_date.isoformat(),
                hours_text(line.raw_s),
                hours_text(line.billed_s),
                _rate(line),
                format_amount(line.amount_minor),
                currency,
                _cell(one_line(line.description)),
                " ".join(line.entry_ids),
            )
        )
    return out.getvalue().encode("utf-8-sig")


# ------------------------------------------------------------------- IIF


def iif_durations(billed_s: int) -> list[int]:
    """Billed time in whole minutes, split into pieces of at most 23:59."""
    minutes = whole_minutes(billed_s)
    pieces = []
    while minutes > MAX_IIF_MIN:
        pieces.append(MAX_IIF_MIN)
        minutes -= MAX_IIF_MIN
    if minutes or not pieces:
        pieces.append(minutes)
    return pieces


def iif_file(lines: Iterable[ExportLine], *, company: str, item: str, created_epoch: int) -> bytes:
    rows: list[Sequence[str]] = [
        IIF_TIMERHDR,
        ("TIMERHDR", "8", "0", one_line(company), "N", "Y", str(created_epoch)),
        IIF_TIMEACT,
    ]
    for line in lines:
        job = one_line(line.customer) + (f":{one_line(line.project)}" if line.project else "")
        for minutes in iif_durations(line.billed_s):
            rows.append(
                (
                    "TIMEACT",
                    line.work_date.strftime("%m/%d/%y"),
                    job,
                    one_line(line.technician),
                    one_line(item),
                    "",
                    f"{minutes // 60:02d}:{minutes % 60:02d}",
                    "",
                    _note(line)[:MAX_NOTE],
                    "1",
                )
            )
    text = "".join("\t".join(r) + "\r\n" for r in rows)
    return text.encode("cp1252", errors="replace")


# ------------------------------------------------------------------- QBO


@dataclass(frozen=True)
class QboMapping:
    """Punchclock names → QuickBooks Online ids: employees by email,
    customers by name (``Customer`` or ``Customer:Project``), items by name."""

    employees: Mapping[str, str]
    customers: Mapping[str, str]
    items: Mapping[str, str]


def qbo_customer_key(line: ExportLine) -> str:
    return line.customer + (f":{line.project}" if line.project else "")


def qbo_missing(
    lines: Iterable[ExportLine], mapping: QboMapping, item: str
) -> dict[str, list[str]]:
    """Names the mapping has no ref for, per section."""
    missing: dict[str, list[str]] = {"employees": [], "customers": [], "items": []}
    for line in lines:
        for section, key, table in (
            ("employees", line.technician_email, mapping.employees),
            ("customers", qbo_customer_key(line), mapping.customers),
            ("items", item, mapping.items),
        ):
            if key not in table and key not in missing[section]:
                # a customer:project falls back to the customer's ref
                if section == "customers" and line.customer in table:
                    continue
                missing[section].append(key)
    return {k: v for k, v in missing.items() if v}


def qbo_file(lines: Iterable[ExportLine], mapping: QboMapping, item: str) -> bytes:
    objects = []
    rates: dict[str, str] = {}
    for line in lines:
        minutes = whole_minutes(line.billed_s)
        key = qbo_customer_key(line)
        customer = mapping.customers.get(key) or mapping.customers[line.customer]
        token = f"@@rate{len(rates)}@@"
        rates[token] = format_amount(line.rate_minor or 0)
        objects.append(
            {
                "TxnDate": line.work_date.isoformat(),
                "NameOf": "Employee",
                "EmployeeRef": {
                    "value": mapping.employees[line.technician_email],
                    "name": line.technician,
                },
                "CustomerRef": {"value": customer, "name": key},
                "ItemRef": {"value": mapping.items[item], "name": item},
                "Hours": minutes // 60,
                "Minutes": minutes % 60,
                "BillableStatus": "Billable",
                "HourlyRate": token,
                "Description": _note(line)[:4000],
            }
        )
    text = json.dumps(objects, indent=2, ensure_ascii=False)
    for token, amount in rates.items():  # a JSON number from the cents, no float
        text = text.replace(f'"{token}"', amount)
    return (text + "\n").encode("utf-8")


# ------------------------------------------------------------------ Xero


@dataclass(frozen=True)
class XeroSettings:
    account_code: str
    tax_type: str
    invoice_prefix: str
    invoice_date: date
    payment_terms_days: int
    reference: str
    currency: str
    period_end: date | None = None  # invoice numbers name the period (default: the date)


def xero_files(lines: Sequence[ExportLine], settings: XeroSettings) -> list[bytes]:
    """One invoice per customer (customers in name order), at most 500 per file."""
    by_customer: dict[str, list[ExportLine]] = {}
    for line in lines:
        by_customer.setdefault(line.customer, []).append(line)
    customers = sorted(by_customer, key=str.lower)
    due = settings.invoice_date + timedelta(days=settings.payment_terms_days)
    files = []
    for first in range(0, max(len(customers), 1), XERO_MAX_INVOICES):
        out = io.StringIO(newline="")
        w = csv.writer(out, lineterminator="\r\n")
        w.writerow(XERO_HEADER)
        for n, customer in enumerate(customers[first : first + XERO_MAX_INVOICES], first + 1):
            named = settings.period_end or settings.invoice_date
            number = f"{settings.invoice_prefix}{named:%Y%m%d}-{n:03d}"
            for line in by_customer[customer]:
                what = " ".join(
                    x
                    for x in (
                        line.work_date.isoformat(),
                        line.technician,
                        "—",
                        line.project or "",
                        f"#{line.ticket}" if line.ticket else "",
                        one_line(line.description),
                    )
                    if x
                )
                row = dict.fromkeys(XERO_HEADER, "")
                row.update(
                    {
                        "*ContactName": _cell(customer),
                        "*InvoiceNumber": number,
                        "Reference": _cell(settings.reference),
                        "*InvoiceDate": settings.invoice_date.strftime("%d/%m/%Y"),
                        "*DueDate": due.strftime("%d/%m/%Y"),
                        "*Description": _cell(what),
                        "*Quantity": hours_text(line.billed_s),
                        "*UnitAmount": _rate(line),
                        "*AccountCode": settings.account_code,
                        "*TaxType": settings.tax_type,
                        "Currency": settings.currency,
                    }
                )
                w.writerow([row[h] for h in XERO_HEADER])
        files.append(out.getvalue().encode("utf-8-sig"))
    return files
