"""Known Punchclock errors.

Rule: every error a user can cause is a ``PunchclockError`` subclass. It is shown as
one line (its message), never as a traceback. ``code`` is a stable machine-readable
name used by the CLI, UI and server. ``problems`` optionally lists every individual
problem (e.g. all reasons a week can't be submitted), each tied to its entry.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One problem found while validating, tied to an entry when there is one."""

    entry_id: str | None
    code: str
    message: str


class PunchclockError(Exception):
    """A "known" error: shown to the user as one line, never a traceback."""

    code = "error"

    def __init__(self, message: str, *, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.problems: list[Problem] = list(problems) if problems else []

    def __str__(self) -> str:
        return self.message


class ValidationError(PunchclockError):
    code = "validation"


class NotFound(PunchclockError):
    code = "not_found"


class Forbidden(PunchclockError):
    code = "forbidden"


class Locked(PunchclockError):
    code = "locked"


class Conflict(PunchclockError):
    code = "conflict"


class NoProfile(PunchclockError):
    code = "no_profile"
