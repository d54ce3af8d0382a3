"""Accounting exports: ``export csv|iif|qbo|xero`` (and ``export qbo-mapping``,
the QuickBooks Online name → id file), ``unlock`` of exported entries and the
``accounting`` settings the exports use."""

from __future__ import annotations

from pathlib import Path

from desktop.cli import report_output as out
from desktop.cli.base import Cli, CommandParser, Commands, period, period_args

TITLE = "Accounting exports"
FORMATS = ["csv", "iif", "qbo", "xero", "qbo-mapping"]
SETTINGS = {
    "xero_account": "xero_account_code",
    "xero_tax_type": "xero_tax_type",
    "invoice_prefix": "invoice_prefix",
    "terms_days": "payment_terms_days",
    "item": "service_item",
    "company_name": "company_name",
}


def add_parsers(commands: Commands) -> None:
    c = commands.add("export", "approved billable time for accounting", cmd_export)
    c.add_argument("format", choices=FORMATS, help="the accounting format")
    period_args(c)
    c.add_argument("--out", required=True, type=Path, metavar="FILE", help="the file to write")
    c.add_argument("--mark-exported", action="store_true", help="stamp what was exported")
    c.add_argument("--include-exported", action="store_true", help="entries exported before too")
    c.add_argument("--per", choices=["entry", "task"], default="entry",
                   help="one line per entry (default) or per task and day")
    c.add_argument("--mapping", type=Path, metavar="FILE", help="qbo: name → id file")

    c = commands.add("unlock", "clear the exported stamp of entries (admins)", cmd_unlock)
    c.add_argument("entry", nargs="+", help="entry ids (the first 8 characters are enough)")

    c = commands.add("accounting", "settings of the accounting exports", cmd_accounting)
    sub = c.add_subparsers(dest="action", required=True, parser_class=CommandParser)
    sub.add_parser("show", help="the settings in force")
    a = sub.add_parser("set", help="change them (admins)")
    a.add_argument("--xero-account", metavar="CODE", help="Xero sales account code")
    a.add_argument("--xero-tax-type", metavar="NAME", help="Xero tax type, exactly as in Xero")
    a.add_argument("--invoice-prefix", help="invoice numbers start with this")
    a.add_argument("--terms-days", type=int, help="payment terms: due this many days later")
    a.add_argument("--item", metavar="NAME", help="the QuickBooks service item")
    a.add_argument("--company-name", help="the QuickBooks company name (IIF header)")


def cmd_export(cli: Cli) -> None:
    a = cli.args
    me = cli.me()
    start, end = period(cli)
    if a.format == "qbo-mapping":
        mapping = cli.app.exports.qbo_mapping_template(me.id, start, end, a.out)
        missing = sum(v is None for section in mapping.values() for v in section.values())
        cli.out.emit(mapping, f"{a.out}: {missing} QuickBooks ids to fill in")
        return
    result = cli.app.exports.export(
        me.id,
        a.format,
        start,
        end,
        a.out,
        per=a.per,
        mark_exported=a.mark_exported,
        include_exported=a.include_exported,
        mapping=a.mapping,
    )
    cli.out.emit(out.EXPORT(result), out.export_text(result))


def cmd_unlock(cli: Cli) -> None:
    n = cli.app.exports.unlock(cli.me().id, cli.args.entry)
    cli.out.emit({"unlocked": n}, f"unlocked {n} entr{'y' if n == 1 else 'ies'}")


def cmd_accounting(cli: Cli) -> None:
    from dataclasses import asdict

    a = cli.args
    if a.action == "set":
        changes = {
            field: getattr(a, arg) for arg, field in SETTINGS.items() if getattr(a, arg) is not None
        }
        settings = cli.app.company.set_accounting(cli.me().id, **changes)
    else:
        settings = cli.app.company.accounting()
    shown = asdict(settings)
    cli.out.emit(shown, "\n".join(f"{k}: {v}" for k, v in shown.items()))
