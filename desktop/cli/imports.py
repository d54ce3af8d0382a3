"""``import``: time, customers, projects and tasks from another tracker's
export — Toggl Track, Clockify, Harvest, Kimai (CSV), Watson (its frames file)
and Timewarrior (``timew export``). The rules are
:mod:`desktop.core.services.imports`; the formats are :mod:`desktop.core.imports`.

A progress bar goes to stderr while a large file is written, only when stderr
is a terminal.
"""

from __future__ import annotations

import sys
from pathlib import Path

from desktop.cli import output
from desktop.cli.base import Cli, Commands

TITLE = "Import"
SOURCES = ("toggl", "clockify", "harvest", "kimai", "watson", "timewarrior")
BAR_WIDTH = 30
BAR_MIN_ROWS = 2000


def add_parsers(commands: Commands) -> None:
    c = commands.add(
        "import",
        "import time from toggl, clockify, harvest, kimai, watson or timewarrior",
        cmd_import,
    )
    c.add_argument("source", choices=SOURCES, help="the tool the file comes from")
    c.add_argument("file", type=Path, help="the export (CSV), frames file or `timew export` JSON")
    c.add_argument("--user", metavar="EMAIL", help="whose time it is (default: you; admins only)")
    c.add_argument(
        "--map",
        type=Path,
        metavar="FILE",
        help="where the file's names go: a --dry-run --json report, edited",
    )
    c.add_argument("--dry-run", action="store_true", help="show what would happen; write nothing")
    c.add_argument(
        "--partial", action="store_true", help="write the good rows even when some are refused"
    )


class ProgressBar:
    """``[#####.....]  12000/50000 rows`` on stderr, redrawn in place."""

    def __init__(self) -> None:
        self.shown = False

    def __call__(self, done: int, total: int) -> None:
        if total < BAR_MIN_ROWS:
            return
        filled = BAR_WIDTH * done // max(total, 1)
        bar = "#" * filled + "." * (BAR_WIDTH - filled)
        sys.stderr.write(f"\r[{bar}] {done:>7}/{total} rows")
        sys.stderr.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown:
            sys.stderr.write("\n")
            sys.stderr.flush()


def cmd_import(cli: Cli) -> None:
    from desktop.core.imports import read_export
    from desktop.core.services.imports import load_map

    a = cli.args
    mapping = load_map(read_export(a.map)) if a.map else None
    text = read_export(a.file)
    bar = ProgressBar() if sys.stderr.isatty() else None
    try:
        report = cli.app.imports.run(
            cli.actor_id,
            a.source,
            text,
            user=a.user,
            mapping=mapping,
            dry_run=a.dry_run,
            partial=a.partial,
            progress=bar,
        )
    finally:
        if bar is not None:
            bar.close()
    cli.out.emit(output.IMPORT_REPORT(report), lambda: output.import_text(report))
