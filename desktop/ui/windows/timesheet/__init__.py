"""The Timesheet window: model, view and dialogs (import the view from
``desktop.ui.windows.timesheet.view``; this package stays light for the tray)."""
