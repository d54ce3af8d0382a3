"""The command line as text, before anything reads it (stdlib only, so the
hand-off to the running app checks it too at no cost).

* Every argument must be UTF-8. Python decodes ``sys.argv`` with
  ``surrogateescape``: each byte that is not UTF-8 arrives as a lone surrogate
  (U+DC80..U+DCFF), which no database, JSON or server would take later.
  :func:`argv_problem` finds the first such argument and says which byte it is,
  as typed.
* What an error echoes of the input has its C0 and C1 control characters
  escaped (:func:`one_line`), so a message stays one line and never drives the
  terminal.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

_CONTROLS = {c: f"\\x{c:02x}" for c in (*range(0x20), *range(0x7F, 0xA0))} | {
    0x09: "\\t",
    0x0A: "\\n",
    0x0D: "\\r",
}


def one_line(text: str) -> str:
    """``text`` with its control characters escaped (what stderr shows of input)."""
    return text.translate(_CONTROLS)


def argv_problem(argv: Sequence[str]) -> str | None:
    """The refusal of the first argument that is not UTF-8 text, or None."""
    for number, arg in enumerate(argv, 1):
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError as exc:
            raw = os.fsencode(arg)
            at = len(arg[: exc.start].encode("utf-8", "surrogateescape"))
            shown = one_line(raw.decode("utf-8", "backslashreplace"))
            return (
                f'punchclock: argument {number} ("{shown}") is not valid UTF-8 text '
                f"(byte 0x{raw[at]:02X} at position {at + 1})"
            )
    return None
