"""Passwords, device tokens and login rate limiting.

Rules:

* Passwords are hashed with argon2id (argon2-cffi's defaults); a login with an
  unknown email still runs one hash, so the answer takes as long either way.
* A login issues a per-device bearer token: 32 random bytes (URL-safe text).
  Only its sha256 is stored. One row per (user, client device id): logging in
  again from the same device replaces that device's token. Tokens expire after
  ``token_ttl`` and are revoked by logout or by the user from any device.
* Failed logins are recorded in the database (so every worker sees them).
  Within ``window_s`` (60 s) a login is refused with 429 once there were
  ``per_address_account`` (5) failures for that email from that address,
  ``per_account`` (20) failures for that email from anywhere, or
  ``per_address`` (100) failures from that address for any emails. The
  per-address ceiling is high on purpose: a whole office behind one proxy or
  NAT shares an address, and one person's typos lock out only that person
  (from there); guessing at one account from many addresses still stops at
  ``per_account``.
* Every authenticated request updates the device's ``last_seen_at`` at most
  once a minute.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, delete, func, insert, or_, select, update

from sync.server.db.models import ENTITY_TABLES, credential, device, login_failure

_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("punchclock-dummy-password")
_user = ENTITY_TABLES["user"]
SEEN_EVERY = timedelta(minutes=1)


class AuthError(Exception):
    """A refused authentication: ``status`` (401/429), ``code`` and a one-line message."""

    def __init__(self, status: int, code: str, message: str, retry_after: int | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.retry_after = status, code, message, retry_after


@dataclass(frozen=True)
class LoginLimits:
    per_address_account: int = 5
    per_account: int = 20
    per_address: int = 100
    window_s: int = 60


@dataclass(frozen=True)
class Session:
    """An authenticated request: the user and the device row of its token."""

    user_id: str
    device_row_id: str
    device_id: str


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def set_password(conn: Connection, user_id: str, password: str, now: datetime) -> None:
    hashed = hash_password(password)
    if conn.execute(select(credential.c.user_id).where(credential.c.user_id == user_id)).first():
        conn.execute(
            update(credential)
            .where(credential.c.user_id == user_id)
            .values(password_hash=hashed, updated_at=now)
        )
    else:
        conn.execute(
            insert(credential).values(user_id=user_id, password_hash=hashed, updated_at=now)
        )


def _verify(hashed: str, password: str) -> bool:
    try:
        return _hasher.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False


def check_rate_limit(
    conn: Connection, email: str, address: str, now: datetime, limits: LoginLimits
) -> None:
    since = now - timedelta(seconds=limits.window_s)
    at_address = login_failure.c.address == address[:100]
    for_account = login_failure.c.email == email

    def failures(*where: Any) -> int:
        found = conn.scalar(
            select(func.count())
            .select_from(login_failure)
            .where(login_failure.c.at > since, *where)
        )
        return int(found or 0)

    if (
        failures(at_address, for_account) >= limits.per_address_account
        or failures(for_account) >= limits.per_account
        or failures(at_address) >= limits.per_address
    ):
        raise AuthError(
            429,
            "rate_limited",
            f"too many failed logins; try again in {limits.window_s} seconds",
            retry_after=limits.window_s,
        )


def record_failure(
    conn: Connection, email: str, address: str, now: datetime, limits: LoginLimits
) -> None:
    conn.execute(insert(login_failure).values(email=email, address=address[:100], at=now))
    old = now - timedelta(seconds=max(limits.window_s * 10, 3600))
    conn.execute(delete(login_failure).where(login_failure.c.at < old))


def verify_login(conn: Connection, email: str, password: str) -> str | None:
    """The user id when ``email``/``password`` match an active user, else None."""
    row = conn.execute(
        select(_user.c.id, credential.c.password_hash)
        .join(credential, credential.c.user_id == _user.c.id)
        .where(
            func.lower(_user.c.email) == email,
            _user.c.deleted_at.is_(None),
            _user.c.active.is_(True),
        )
    ).first()
    if row is None:
        _verify(_DUMMY_HASH, password)
        return None
    return str(row.id) if _verify(row.password_hash, password) else None


def issue_token(
    conn: Connection, user_id: str, device_id: str, name: str, now: datetime, ttl: timedelta
) -> str:
    """A new token for (user, device); replaces that device's previous one."""
    token = secrets.token_urlsafe(32)
    values: dict[str, Any] = {
        "name": name,
        "token_hash": token_hash(token),
        "created_at": now,
        "last_seen_at": now,
        "expires_at": now + ttl,
        "revoked_at": None,
    }
    existing = conn.execute(
        select(device.c.id).where(device.c.user_id == user_id, device.c.device_id == device_id)
    ).first()
    if existing is None:
        conn.execute(
            insert(device).values(
                id=str(uuid.uuid4()), user_id=user_id, device_id=device_id, **values
            )
        )
    else:
        conn.execute(update(device).where(device.c.id == existing.id).values(**values))
    return token


def authenticate(conn: Connection, token: str | None, now: datetime) -> tuple[Session, bool]:
    """The session of a bearer token, and whether ``last_seen_at`` is due an update.
    Raises AuthError(401) for a missing, unknown, revoked or expired token."""
    if not token:
        raise AuthError(401, "unauthenticated", "sign in first: no bearer token was sent")
    row = conn.execute(select(device).where(device.c.token_hash == token_hash(token))).first()
    if row is None:
        raise AuthError(401, "unauthenticated", "the token is not valid; sign in again")
    if row.revoked_at is not None:
        raise AuthError(401, "token_revoked", "this device was signed out; sign in again")
    if row.expires_at <= now:
        raise AuthError(401, "token_expired", "the token has expired; sign in again")
    due = row.last_seen_at is None or now - row.last_seen_at >= SEEN_EVERY
    return Session(row.user_id, row.id, row.device_id), due


def touch(conn: Connection, device_row_id: str, now: datetime) -> None:
    conn.execute(update(device).where(device.c.id == device_row_id).values(last_seen_at=now))


def revoke(conn: Connection, user_id: str, device_id: str, now: datetime) -> bool:
    """Revoke one of the user's devices; False when the user has no such device."""
    done = conn.execute(
        update(device)
        .where(device.c.user_id == user_id, device.c.device_id == device_id)
        .values(revoked_at=func.coalesce(device.c.revoked_at, now))
    )
    return bool(done.rowcount)


def devices_of(conn: Connection, user_id: str) -> list[Any]:
    return list(
        conn.execute(
            select(device).where(device.c.user_id == user_id).order_by(device.c.created_at)
        )
    )


def failures_for(conn: Connection, email: str) -> int:
    return int(
        conn.scalar(
            select(func.count())
            .select_from(login_failure)
            .where(or_(login_failure.c.email == email))
        )
        or 0
    )
