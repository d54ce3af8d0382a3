"""``punchclock status --format``: one line for a status bar (waybar, polybar,
i3blocks, tmux), over documented fields (the README lists the same, and a
test compares the two)."""

from __future__ import annotations

from typing import Any

from desktop.cli.output import STATUS, Out, hm, local_time, status_text
from desktop.core.entry_dto import TimerStatus

STATUS_FIELDS: dict[str, str] = {
    "state": "running or idle",
    "customer": "the running timer's customer (empty when idle)",
    "project": "its project (empty when none)",
    "task": "its task's title (empty when none)",
    "task_ref": "its task's ticket number (empty when none)",
    "path": "customer › project › task, as the tray shows it",
    "description": "the running entry's description",
    "started": "local start time, HH:MM (empty when idle)",
    "elapsed": "the running timer's time, H:MM (0:00 when idle)",
    "elapsed_s": "the same in seconds",
    "today": "today's total including the running timer, H:MM",
    "today_s": "the same in seconds",
}
"""The fields of ``punchclock status --format`` (the README lists the same)."""


def status_fields(status: TimerStatus, tz: str) -> dict[str, Any]:
    e = status.running
    return {
        "state": "running" if e else "idle",
        "customer": e.customer if e else "",
        "project": (e.project or "") if e else "",
        "task": (e.task or "") if e else "",
        "task_ref": (e.task_ref or "") if e else "",
        "path": e.path if e else "",
        "description": e.description if e else "",
        "started": local_time(e.started_at, tz) if e else "",
        "elapsed": hm(status.elapsed_s),
        "elapsed_s": status.elapsed_s,
        "today": hm(status.today_s),
        "today_s": status.today_s,
    }


def status_format(template: str, status: TimerStatus, tz: str) -> str:
    """``template`` with the :data:`STATUS_FIELDS` filled in (str.format syntax)."""
    return template.format_map(status_fields(status, tz))


def status_format_error(template: str) -> str | None:
    """Why ``template`` can't be used (an unknown field, bad syntax), or None.
    Checked on an idle status, so the answer never depends on the timer."""
    try:
        status_format(template, TimerStatus(None, 0, 0), "UTC")
    except KeyError as exc:
        return f"unknown field {{{exc.args[0]}}} in --format; known: {', '.join(STATUS_FIELDS)}"
    except (ValueError, IndexError, AttributeError, TypeError) as exc:
        return f"bad --format template: {exc}"
    return None


def show_status(out: Out, template: str | None, status: TimerStatus, tz: str) -> None:
    """Print the status: the ``--format`` line, else the JSON document or the text."""
    if template is not None:
        print(status_format(template, status, tz))
        return
    out.emit(STATUS(status), status_text(status.running, status.elapsed_s, status.today_s, tz))
