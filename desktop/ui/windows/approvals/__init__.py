"""The Approvals window: model, view and dialogs (import the view from
``desktop.ui.windows.approvals.view``; this package stays light for the tray)."""
