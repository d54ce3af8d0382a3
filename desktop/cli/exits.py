"""How a command's process ends when it is cut short, the same on every path
(the lean ``status``, :mod:`desktop.cli.quickstatus`, and the full one): Ctrl-C
exits 130, and a reader that left (``punchclock entries | head``) ends it
quietly with 0. Standard library only."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

EXIT_INTERRUPTED = 130


def cut_short(run: Callable[[], T]) -> T | int:
    """``run()``'s exit code, or how an interrupted or unread command ends."""
    try:
        return run()
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # the reader left; say nothing more
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
