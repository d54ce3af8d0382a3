"""``punchclock`` — the headless twin of every UI action, and the entry point.

Layout: :mod:`~desktop.cli.base` (parsers, ``UsageError``, exit codes, the
``Cli`` context), :mod:`~desktop.cli.output` (every JSON shape and human line),
one module per group of commands (``tracking``, ``directory``, ``timesheets``,
``company``, ``sync``) importing only those two, and :mod:`~desktop.cli.entry`
(the parser with every group, and ``main``). Before any of them loads,
:func:`main` hands the command to a running tray app
(:mod:`~desktop.cli.handoff`) or answers a plain ``status`` without the parser
(:mod:`~desktop.cli.quickstatus`).
"""

from __future__ import annotations

from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    """Hand the command to the running tray app when it runs on the same data
    folder (:mod:`desktop.cli.handoff`), else run it here."""
    import sys

    from desktop.cli.handoff import hand_off
    from desktop.cli.text import argv_problem

    args = sys.argv[1:] if argv is None else list(argv)
    # Arguments that are not text are never handed off nor read lean: the
    # parser refuses them.
    if argv_problem(args) is None:
        code = hand_off(args)
        if code is None and "status" in args:
            from desktop.cli.quickstatus import run as quick_status

            code = quick_status(args)  # None: the full path answers
        if code is not None:
            return code
    from desktop.cli.entry import main as run

    return run(argv)
