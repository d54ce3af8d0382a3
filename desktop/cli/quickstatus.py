"""``punchclock status`` answered before the parser and the command groups load.

A status bar runs ``status`` every few seconds; building the argparse parsers
and importing the command modules and :mod:`desktop.core.dto` costs several
times the read (:mod:`desktop.core.quickread`). :func:`run` reads the plain
command lines — ``status`` with ``--json``, ``--format T`` and ``--data-dir D``
(``--opt=value`` too), spelled in full, each option at most once, ``--format``
after the command as argparse wants it — and answers when the lean read does
and the template formats. Anything else (``--as``, abbreviations, a repeated or
missing value, a value starting with ``-``, ``--format`` with ``--json``, a bad
template, no profile, a store to migrate, any error) returns None before
printing anything, and :func:`desktop.cli.entry.main` answers as always — so
this path prints what that one prints, and never decides otherwise (the tests
give both the same cases).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

_VALUED = ("--data-dir", "--format")


def read_argv(argv: Sequence[str]) -> tuple[Path | None, bool, str | None] | None:
    """``(data_dir, json, template)`` of a plain ``status`` command line, or None."""
    data_dir: Path | None = None
    as_json = False
    template: str | None = None
    command = False
    args = iter(argv)
    for arg in args:
        name, eq, value = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        if arg == "status" and not command:
            command = True
        elif arg == "--json":
            as_json = True
        elif name in _VALUED and (command or name == "--data-dir"):
            if not eq:
                value = next(args, "")
            if not value or value.startswith("-"):
                return None
            if name == "--format":
                if template is not None:
                    return None
                template = value
            else:
                if data_dir is not None:
                    return None
                data_dir = Path(value)
        else:
            return None
    return (data_dir, as_json, template) if command else None


def run(argv: Sequence[str]) -> int | None:
    """Print the status and return 0 when this path can answer ``argv``, else
    None with nothing printed (Ctrl-C, or a reader that left, ends it as
    always: :func:`desktop.cli.exits.cut_short`)."""
    from desktop.cli.exits import cut_short

    return cut_short(lambda: _answer(argv))


def _answer(argv: Sequence[str]) -> int | None:
    read = read_argv(argv)
    if read is None:
        return None
    data_dir, as_json, template = read
    try:
        from desktop.cli import statusline
        from desktop.cli.output import Out
        from desktop.core import timeutil
        from desktop.core.paths import default_data_dir
        from desktop.core.quickread import timer_status

        if template is not None and (as_json or statusline.status_format_error(template)):
            return None
        quick = timer_status((data_dir or default_data_dir()).expanduser(), timeutil.utcnow())
        if quick is None:
            return None
        if template is not None:
            statusline.status_format(template, quick.status, quick.timezone)
    except Exception:  # the full path says it (or fails) the way it always did
        return None
    statusline.show_status(Out(as_json), template, quick.status, quick.timezone)
    return 0
