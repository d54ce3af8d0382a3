"""The tray itself: the icon and its menu, the timer popup, and the controller
that wires them to the core, the dialogs and the windows."""
