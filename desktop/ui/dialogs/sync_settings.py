"""The Settings dialog's Sync tab: log this device in to a Punchclock server.

Logging in and out takes effect at once (it is not part of the dialog's Save)
and runs off the GUI thread through :class:`~desktop.ui.sync_link.SyncLink`.
What the client refuses — a bad address, a wrong password, an unreachable
server, an untrusted certificate — is shown inline in one line; the password
is never stored, and the token goes to the system keyring (or, without one,
lives for this session only).
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.ui.sync_link import SyncLink
from desktop.ui.widgets import ErrorLabel
from sync.client.account import LoginResult, LogoutResult

KEYRING_OK = "The login token is kept in the system keyring."
KEYRING_NONE = ("No usable keyring on this system: the login lasts for this session only "
                "(the token is never written to disk).")


class SyncTab(QWidget):
    def __init__(self, link: SyncLink, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.link = link
        self.account = QLabel()
        self.account.setWordWrap(True)
        self.status = QLabel()
        self.server = QLineEdit(placeholderText="https://punchclock.example.com")
        self.email = QLineEdit(placeholderText="you@example.com")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.login_button = QPushButton("&Log in")
        self.logout_button = QPushButton("Log &out")
        self.login_button.clicked.connect(self.log_in)
        self.logout_button.clicked.connect(self.log_out)
        self.password.returnPressed.connect(self.log_in)
        self.keyring = QLabel()
        self.keyring.setWordWrap(True)
        self.error = ErrorLabel()
        self.notice = QLabel()
        self.notice.setWordWrap(True)
        self.notice.hide()

        form = QFormLayout()
        form.addRow("&Server", self.server)
        form.addRow("&Email", self.email)
        form.addRow("&Password", self.password)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.login_button)
        buttons.addWidget(self.logout_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.account)
        layout.addWidget(self.status)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.error)
        layout.addWidget(self.notice)
        layout.addWidget(self.keyring)
        layout.addStretch(1)

        profile = link.state.snapshot.profile
        self.server.setText(link.status.server_url or "")
        self.email.setText(profile.email if profile else "")
        self._busy = False
        link.changed.connect(self.show_state)
        self.show_state()

    # ---------------------------------------------------------------- view

    def show_state(self) -> None:
        link, st = self.link, self.link.status
        profile = link.state.app.directory.profile() if st.logged_in else None
        if st.logged_in:
            who = f"{profile.name} &lt;{profile.email}&gt; ({profile.role})" if profile else "?"
            device = (st.device_id or "")[:8]
            self.account.setText(f"Signed in to <b>{st.server_url}</b> as {who}<br>"
                                 f"This computer is device <tt>{device}</tt>.")
            self.status.setText(f"Status: {link.text}")
        else:
            self.account.setText("Not signed in: everything stays on this computer "
                                 "(local only).")
            self.status.setText("")
        self.status.setVisible(st.logged_in)
        relogin = st.logged_in and link.token_missing
        self.server.setReadOnly(st.logged_in)
        self.email.setEnabled(not st.logged_in or relogin)
        self.password.setEnabled(not st.logged_in or relogin)
        self.login_button.setText("&Log in again" if relogin else "&Log in")
        self.login_button.setEnabled(not self._busy and (not st.logged_in or relogin))
        self.logout_button.setEnabled(not self._busy and st.logged_in)
        self.keyring.setText(KEYRING_OK if link.keyring_available() else KEYRING_NONE)

    def _set_busy(self, busy: bool, what: str = "") -> None:
        self._busy = busy
        if busy:
            self.error.clear_message()
            self.notice.setText(what)
            self.notice.show()
        self.show_state()

    # ------------------------------------------------------------- actions

    def log_in(self) -> None:
        if self._busy or not self.login_button.isEnabled():
            return
        self._set_busy(True, "Logging in…")
        self.link.login(self.server.text(), self.email.text(), self.password.text(),
                        self._logged_in, self._refused)

    def _logged_in(self, result: LoginResult) -> None:
        self.password.clear()
        self.server.setText(result.server_url)
        self._set_busy(False)
        u = result.user
        lines = [f"Logged in as {u.name}. Syncing in the background."]
        if result.warning:
            lines.append(f"Note: {result.warning}.")
        self.notice.setText("\n".join(lines))

    def log_out(self) -> None:
        if self._busy:
            return
        self._set_busy(True, "Logging out…")
        self.link.logout(self._logged_out, self._refused)

    def _logged_out(self, result: LogoutResult) -> None:
        self._set_busy(False)
        lines = [f"Logged out of {result.server_url}; your data stays on this computer."]
        if result.waiting:
            lines.append(f"{result.waiting} unsynced change(s) will be sent after the "
                         "next login.")
        if result.warning:
            lines.append(f"Note: {result.warning}.")
        self.notice.setText("\n".join(lines))

    def _refused(self, message: str) -> None:
        self._set_busy(False)
        self.notice.hide()
        self.error.show_message(message)
