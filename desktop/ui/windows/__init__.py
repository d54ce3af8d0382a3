"""The application's windows, one module or package each (its model, its view
and its dialogs together): Needs attention, and the manager's windows."""
