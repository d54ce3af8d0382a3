"""The Approvals window (managers, admins): model, view and dialogs."""

from desktop.ui.windows.approvals.view import ApprovalsWindow

__all__ = ["ApprovalsWindow"]
