"""The HTTP side of the sync client: one ``requests`` session per server.

* Every request has a timeout (connect, read).
* Connection errors, read errors (the server went away after receiving the
  request) and 5xx answers are retried with exponential backoff by urllib3's
  ``Retry`` — every method, POST included: a push is idempotent because the
  server stores each mutation's result under (device, mutation id). 4xx answers
  are never retried.
* TLS verification is always on. A custom CA bundle (a private MSP CA) may be
  given as a path; there is no way to switch verification off.
* The token travels as ``Authorization: Bearer …``.

Errors are :class:`SyncError` subclasses (one-line messages): :class:`Offline`
(no connection), :class:`ServerFailure` (5xx after the retries),
:class:`AuthFailure` (401: log in again) and :class:`ApiRefusal` (any other 4xx,
with the server's ``ErrorOut`` code and message).
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import requests
from pydantic import ValidationError as PydanticError
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from desktop.core.errors import PunchclockError
from sync import protocol

CONNECT_TIMEOUT_S = 5.0
READ_TIMEOUT_S = 60.0
RETRIES = 3
BACKOFF_S = 0.5
USER_AGENT = "punchclock-desktop/0.1"


class SyncError(PunchclockError):
    code = "sync"


class Offline(SyncError):
    """The server can't be reached (no network, refused, timed out)."""

    code = "offline"


class ServerFailure(SyncError):
    """The server answered 5xx even after the retries."""

    code = "server_error"

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class AuthFailure(SyncError):
    """401: the token is missing, expired or revoked."""

    code = "auth"


class ApiRefusal(SyncError):
    """Any other 4xx, with the server's code and message."""

    def __init__(self, message: str, status: int, api_code: str) -> None:
        super().__init__(message)
        self.status = status
        self.api_code = api_code


def normalize_url(url: str) -> str:
    """``https://host[:port][/prefix]`` without a trailing slash; refuses what
    isn't an http(s) URL, and plain http to anything but this machine (the
    password and the token would cross the network in clear text)."""
    text = url.strip().rstrip("/")
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SyncError(f'"{url}" is not a server address (https://host[:port])')
    if parts.scheme == "http" and not _is_loopback(parts.hostname or ""):
        raise SyncError(f'"{url}" is not encrypted; use https:// (plain http only for localhost)')
    if text.endswith(protocol.API_PREFIX):
        text = text[: -len(protocol.API_PREFIX)]
    return text


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def make_retry(retries: int = RETRIES, backoff_s: float = BACKOFF_S) -> Retry:
    return Retry(
        total=retries,
        connect=retries,
        read=retries,
        status=retries,
        other=0,
        allowed_methods=None,  # every verb: push is idempotent by mutation id
        status_forcelist=(500, 502, 503, 504),
        backoff_factor=backoff_s,
        raise_on_status=False,
        respect_retry_after_header=True,
    )


class ApiClient:
    """Typed calls to ``/api/v1`` (shapes from :mod:`sync.protocol`)."""

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        ca_bundle: Path | str | None = None,
        retries: int = RETRIES,
        backoff_s: float = BACKOFF_S,
        timeout: tuple[float, float] = (CONNECT_TIMEOUT_S, READ_TIMEOUT_S),
        adapter: HTTPAdapter | None = None,
    ) -> None:
        self.base_url = normalize_url(base_url)
        self.timeout = timeout
        self.session = requests.Session()
        self.verify: bool | str = True
        if ca_bundle is not None:
            bundle = Path(ca_bundle).expanduser()
            if not bundle.is_file():
                raise SyncError(f"the CA bundle {bundle} does not exist")
            self.verify = str(bundle)
        self.session.verify = self.verify
        mount = adapter or HTTPAdapter(max_retries=make_retry(retries, backoff_s))
        self.session.mount("http://", mount)
        self.session.mount("https://", mount)
        self.session.headers["User-Agent"] = USER_AGENT
        self.set_token(token)

    def set_token(self, token: str | None) -> None:
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"
        else:
            self.session.headers.pop("Authorization", None)

    def close(self) -> None:
        self.session.close()

    # ---------------------------------------------------------------- calls

    def login(self, request: protocol.LoginRequest) -> protocol.LoginResponse:
        body = self._call("POST", "/auth/login", json=request.model_dump(mode="json"))
        return protocol.LoginResponse.model_validate(body)

    def logout(self) -> None:
        self._call("POST", "/auth/logout")

    def me(self) -> protocol.UserOut:
        return protocol.UserOut.model_validate(self._call("GET", "/me"))

    def push(self, request: protocol.PushRequest) -> protocol.PushResponse:
        body = self._call("POST", "/sync/push", json=request.model_dump(mode="json"))
        return protocol.PushResponse.model_validate(body)

    def changes(
        self, since: int, limit: int = protocol.DEFAULT_PULL_LIMIT, *, echoes: bool = True
    ) -> protocol.ChangesResponse:
        """A page of changes; ``echoes`` False leaves out the rows this device
        pushed itself and got back in full in the push results."""
        params: dict[str, Any] = {"since": since, "limit": limit, "gone": "true"}
        if not echoes:
            params["echoes"] = "false"
        body = self._call("GET", "/sync/changes", params=params)
        return protocol.ChangesResponse.model_validate(body)

    def record(self, entity: str, entity_id: str) -> protocol.Record | None:
        """The server's copy of one row; ``None`` if there is none this reader may see."""
        try:
            body = self._call("GET", f"/records/{entity}/{quote(entity_id, safe='')}")
        except ApiRefusal as exc:
            if exc.status == 404:
                return None
            raise
        return protocol.Record.model_validate(body)

    # ------------------------------------------------------------- plumbing

    def _call(self, method: str, path: str, **kw: Any) -> Any:
        url = f"{self.base_url}{protocol.API_PREFIX}{path}"
        # Certificate checks are always on. The bundle is passed per request because
        # requests lets $REQUESTS_CA_BUNDLE override a session-level one.
        kw["verify"] = self.verify
        try:
            response = self.session.request(method, url, timeout=self.timeout, **kw)
        except requests.exceptions.SSLError as exc:
            raise SyncError(f"the server's certificate can't be trusted: {_reason(exc)}") from exc
        except requests.exceptions.RetryError as exc:
            raise ServerFailure(f"the server keeps failing: {_reason(exc)}", 500) from exc
        except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as exc:
            raise Offline(f"can't reach {self.base_url}: {_reason(exc)}") from exc
        except requests.exceptions.RequestException as exc:
            raise SyncError(f"request to {self.base_url} failed: {_reason(exc)}") from exc
        return _body(response)


def _body(response: requests.Response) -> Any:
    status = response.status_code
    if status >= 500:
        raise ServerFailure(f"the server failed (HTTP {status})", status)
    if status >= 400:
        code, message = "http_error", f"HTTP {status}"
        try:
            err = protocol.ErrorOut.model_validate(response.json())
            code, message = err.code, err.message
        except (ValueError, PydanticError):
            pass
        if status == 401:
            raise AuthFailure(f"not logged in on the server ({message}); run `punchclock login`")
        raise ApiRefusal(f"the server refused: {message}", status, code)
    if status == 204 or not response.content:
        return None
    try:
        return response.json()
    except ValueError as exc:
        raise ServerFailure("the server sent an answer that is not JSON", status) from exc


_REASONS = (
    ("refused", "connection refused"),
    ("reset by peer", "connection reset"),
    ("timed out", "timed out"),
    ("Name or service not known", "unknown host"),
    ("getaddrinfo", "unknown host"),
    ("Temporary failure in name resolution", "no name resolution (offline?)"),
    ("Network is unreachable", "network unreachable"),
    ("Connection aborted", "connection lost"),
    ("RemoteDisconnected", "connection lost"),
    ("CERTIFICATE_VERIFY_FAILED", "certificate verify failed"),
    ("self-signed", "self-signed certificate"),
    ("hostname mismatch", "hostname mismatch"),
)


def _reason(exc: Exception) -> str:
    """A short reason for a requests/urllib3 error (one line)."""
    text = str(exc)
    found = [short for marker, short in _REASONS if marker in text]
    if found:
        return "; ".join(dict.fromkeys(found))
    return " ".join(text.split())[:160] or type(exc).__name__
