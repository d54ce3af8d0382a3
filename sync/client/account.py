"""Logging this device in and out, and opening an engine for the logged-in
device.

Login (``POST /auth/login``) binds the data folder to a server account:

* The server's user id may differ from the local profile's (made by ``init``):
  the local profile user — and every row that references it, queued outbox
  payloads included — is re-keyed to the server's id in ONE transaction before
  anything is pushed, and the profile preference follows. The local profile
  takes the server's name, email, role, team and timezone; its queued
  ``create`` is dropped (the server already has the user).
* A folder whose profile was already synced as another account is refused
  (log out and use another ``--data-dir``).
* Logging in to another server or account than last time starts the pull
  from the beginning.
* The token goes to the keyring (:mod:`sync.client.credentials`).

Logout revokes the token on the server (when reachable), deletes it locally
and leaves the data in place: the device is "Local only" again.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from requests.adapters import HTTPAdapter
from sqlalchemy import delete, select

from desktop.core.db import Database
from desktop.core.errors import PunchclockError
from desktop.core.model import Outbox, Preference, SyncState, User
from desktop.core.services.common import PROFILE_KEY
from sync import protocol
from sync.client import credentials, store
from sync.client.engine import SyncEngine, SyncReport
from sync.client.http import ApiClient, Offline, SyncError, normalize_url

ACCOUNT_KEY = "sync.account"
CA_BUNDLE_KEY = "sync.ca_bundle"
DEFAULT_SCHEDULE = [8 * 3600] * 5 + [0, 0]


class NotLoggedIn(PunchclockError):
    code = "not_logged_in"


@dataclass(frozen=True)
class LoginResult:
    user: protocol.UserOut
    server_url: str
    device_id: str
    warning: str | None


@dataclass(frozen=True)
class LogoutResult:
    server_url: str
    revoked: bool
    waiting: int
    warning: str | None


def logged_in_url(db: Database) -> str | None:
    """The server this folder is logged in to (None: local only)."""
    with db.read() as s:
        row = s.get(SyncState, 1)
        return row.server_url if row is not None else None


def login(
    db: Database,
    url: str,
    email: str,
    password: str,
    *,
    device_name: str,
    ca_bundle: Path | None = None,
    adapter: HTTPAdapter | None = None,
) -> LoginResult:
    server_url = normalize_url(url)
    replica = store.Replica(db)
    try:
        with replica.write() as s:
            state = store.sync_state(s)
            device_id = state.device_id
            if state.server_url and state.server_url != server_url:
                raise SyncError(
                    f"already logged in to {state.server_url}; run `punchclock logout` first"
                )
        try:
            request = protocol.LoginRequest(
                email=email.strip(),
                password=password,
                device_name=device_name[:100] or "Punchclock",
                device_id=device_id,
            )
        except ValueError as exc:
            raise SyncError("give an email address and a password") from exc
        api = ApiClient(server_url, ca_bundle=ca_bundle, adapter=adapter)
        try:
            response = api.login(request)
        finally:
            api.close()
        try:
            with replica.write() as s:
                _bind(s, server_url, response, ca_bundle)
        except BaseException:
            _revoke_quietly(server_url, response.token, ca_bundle, adapter)
            raise
        saved = credentials.save(server_url, response.device_id, response.token)
        return LoginResult(response.user, server_url, response.device_id, saved.warning)
    finally:
        replica.close()


def _bind(
    s: Any, server_url: str, response: protocol.LoginResponse, ca_bundle: Path | None
) -> None:
    user = response.user
    state = store.sync_state(s)
    profile = s.get(Preference, PROFILE_KEY)
    local_id = str(profile.value) if profile is not None else None
    local = s.get(User, local_id) if local_id else None
    if local is not None and local.id != user.id and local.version > 0:
        raise SyncError(
            f"this data folder is synced for {local.email}; log out and use another --data-dir"
        )
    previous = s.get(Preference, ACCOUNT_KEY)
    account = {"server_url": server_url, "user_id": user.id}
    if previous is None or previous.value != account:
        state.pull_cursor = 0
    if local is not None:
        store.rekey_user(s, local.id, user.id)
    # A local user with the server account's email is the same person: merged.
    same = s.scalar(select(User).where(User.email == user.email, User.id != user.id))
    if same is not None:
        store.rekey_user(s, same.id, user.id)
    row = s.get(User, user.id)
    if row is None:
        row = User(
            id=user.id,
            name=user.name,
            email=user.email,
            role=user.role,
            team_id=user.team_id,
            timezone=user.timezone,
            work_schedule=list(DEFAULT_SCHEDULE),
        )
        s.add(row)
    else:
        row.name, row.email, row.role = user.name, user.email, user.role
        row.team_id, row.timezone = user.team_id, user.timezone
    s.execute(
        delete(Outbox).where(
            Outbox.entity == "user",
            Outbox.entity_id == user.id,
            Outbox.op == "create",
            Outbox.state.in_(("pending", "attention")),
        )
    )
    s.merge(Preference(key=PROFILE_KEY, value=user.id))
    s.merge(Preference(key=ACCOUNT_KEY, value=account))
    s.merge(Preference(key=CA_BUNDLE_KEY, value=str(ca_bundle) if ca_bundle else None))
    state.server_url = server_url
    state.device_id = response.device_id
    state.last_error = None


def _revoke_quietly(
    server_url: str, token: str, ca_bundle: Path | None, adapter: HTTPAdapter | None
) -> None:
    api = ApiClient(server_url, token, ca_bundle=ca_bundle, adapter=adapter, retries=0)
    try:
        api.logout()
    except SyncError:
        pass
    finally:
        api.close()


def logout(db: Database, *, adapter: HTTPAdapter | None = None) -> LogoutResult:
    replica = store.Replica(db)
    try:
        with replica.write() as s:
            state = store.sync_state(s)
            url, device_id = state.server_url, state.device_id
            ca = _ca_bundle(s)
            waiting = len(list(s.scalars(select(Outbox.id).where(Outbox.state != "done"))))
        if not url:
            raise NotLoggedIn("not logged in (this device is local only)")
        token = credentials.load(url, device_id)
        revoked, warning = False, None
        if token:
            api = ApiClient(url, token, ca_bundle=ca, adapter=adapter, retries=1)
            try:
                api.logout()
                revoked = True
            except Offline:
                warning = "the server could not be reached: the token was deleted here only"
            except SyncError as exc:
                revoked = "not logged in" in exc.message
                if not revoked:
                    warning = f"the server did not confirm the logout: {exc.message}"
            finally:
                api.close()
        credentials.delete(url, device_id)
        with replica.write() as s:
            store.sync_state(s).server_url = None
        return LogoutResult(url, revoked, waiting, warning)
    finally:
        replica.close()


def _ca_bundle(s: Any) -> Path | None:
    pref = s.get(Preference, CA_BUNDLE_KEY)
    return Path(pref.value) if pref is not None and pref.value else None


def connect(db: Database, *, adapter: HTTPAdapter | None = None, **engine_kw: Any) -> SyncEngine:
    """An engine for the logged-in device; :class:`NotLoggedIn` otherwise."""
    replica = store.Replica(db)
    try:
        with replica.write() as s:
            state = store.sync_state(s)
            url, device_id, ca = state.server_url, state.device_id, _ca_bundle(s)
    finally:
        replica.close()
    if not url:
        raise NotLoggedIn("not logged in: run `punchclock login URL --email EMAIL` first")
    token = credentials.load(url, device_id)
    if not token:
        why = credentials.problem(url, device_id) or credentials.GONE_FROM_KEYRING
        raise NotLoggedIn(f"{why}; run `punchclock login` again")
    return SyncEngine(db, ApiClient(url, token, ca_bundle=ca, adapter=adapter), **engine_kw)


def sync_round(db: Database, *, force: bool = False, **kw: Any) -> SyncReport:
    """One round for the logged-in device (what the scheduler and the CLI run);
    not logged in is a report with an error, not an exception."""
    try:
        engine = connect(db, **kw)
    except NotLoggedIn as exc:
        return SyncReport(error=exc.message)
    try:
        return engine.sync_once(force=force)
    finally:
        engine.close()
