"""The Timesheet window (every user): model, view and dialogs."""

from desktop.ui.windows.timesheet.view import TimesheetWindow

__all__ = ["TimesheetWindow"]
