"""Where the device token lives: the OS keyring, or this process only.

The token is stored with ``keyring`` under the service ``Punchclock`` and the
user name ``<server url>#<device id>`` (one entry per data folder, so two
profiles on one machine never share a token). When no usable backend exists
(``keyring.backends.fail``, a locked or broken backend) the token is kept in
memory for this process only and the caller is told so (``persistent`` is
false): it is never written to a file in plain text. A later process then
finds no token: :func:`problem` says why (no keyring, so the login lasted one
process; the entry is gone from the keyring; the keyring can't be read), and
the status line says "Log in again".
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import keyring
from keyring.errors import KeyringError, PasswordDeleteError

SERVICE = "Punchclock"
NO_KEYRING = (
    "no usable keyring on this system: the login lasts for this session only "
    "(the token is not stored on disk)"
)

GONE_NO_KEYRING = (
    "no keyring on this system: a login lasts only the process that made it "
    "(the token is never written to disk)"
)
GONE_FROM_KEYRING = "the login token is not in the keyring (removed, or another keyring is in use)"

# Tokens that could not go into a keyring: this process only.
_session: dict[str, str] = {}


@dataclass(frozen=True)
class Saved:
    persistent: bool
    warning: str | None = None


def account(server_url: str, device_id: str) -> str:
    return f"{server_url}#{device_id}"


def _usable() -> bool:
    try:
        backend = keyring.get_keyring()
    except Exception:  # a broken keyring configuration is "no keyring"
        return False
    module = type(backend).__module__
    if module.startswith("keyring.backends.fail"):
        return False
    priority = getattr(backend, "priority", 1)
    try:
        return float(priority) > 0
    except (TypeError, ValueError):
        return True


def available() -> bool:
    """Whether a token can outlive this process (a usable keyring backend)."""
    return _usable()


def save(server_url: str, device_id: str, token: str) -> Saved:
    name = account(server_url, device_id)
    if _usable():
        try:
            keyring.set_password(SERVICE, name, token)
            _session.pop(name, None)
            return Saved(True)
        except (KeyringError, RuntimeError, OSError) as exc:
            _session[name] = token
            return Saved(False, f"{NO_KEYRING} ({exc})")
    _session[name] = token
    return Saved(False, NO_KEYRING)


def _lookup(server_url: str, device_id: str) -> tuple[str | None, str | None]:
    """The device's token, or None and why there is none."""
    name = account(server_url, device_id)
    if name in _session:
        return _session[name], None
    if not _usable():
        return None, GONE_NO_KEYRING
    try:
        token = keyring.get_password(SERVICE, name)
    except (KeyringError, RuntimeError, OSError) as exc:
        return None, f"the keyring could not be read ({exc})"
    return (token, None) if token else (None, GONE_FROM_KEYRING)


def load(server_url: str, device_id: str) -> str | None:
    return _lookup(server_url, device_id)[0]


def problem(server_url: str, device_id: str) -> str | None:
    """Why this process has no token for the device (None: it has one)."""
    return _lookup(server_url, device_id)[1]


def delete(server_url: str, device_id: str) -> None:
    name = account(server_url, device_id)
    _session.pop(name, None)
    if not _usable():
        return
    with contextlib.suppress(PasswordDeleteError, KeyringError, RuntimeError, OSError):
        keyring.delete_password(SERVICE, name)
