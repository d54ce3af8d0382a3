"""Modal dialogs opened from the tray: Log time, Settings (with its Sync tab),
the first-run welcome and the idle-time question."""
