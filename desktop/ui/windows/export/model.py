"""The export preview's table: per customer, the entries, lines, billed hours
and amount the core's preview (:mod:`desktop.core.exports.preview`) reports."""

from __future__ import annotations

from desktop.ui.windows.reports.models import Column, ReportModel, hours_text, money_text

FORMATS = (
    ("csv", "CSV", "csv"),
    ("iif", "QuickBooks Desktop (IIF)", "iif"),
    ("qbo", "QuickBooks Online (JSON)", "json"),
    ("xero", "Xero sales invoices (CSV)", "csv"),
)

PREVIEW_COLUMNS = (
    Column("Customer", lambda r: r.customer, lambda r: r.customer.lower(), numeric=False),
    Column("Entries", lambda r: str(r.entries), lambda r: r.entries),
    Column("Lines", lambda r: str(r.lines), lambda r: r.lines),
    Column("Billed hours", lambda r: hours_text(r.billed_s), lambda r: r.billed_s),
    Column("Amount", lambda r: money_text(r.amount_minor), lambda r: r.amount_minor),
)


class PreviewModel(ReportModel):
    def __init__(self, parent: object = None) -> None:
        super().__init__(PREVIEW_COLUMNS, parent)
