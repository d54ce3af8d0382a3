"""The HTTP client: timeouts, retries on connection errors and 5xx only, TLS
always verified (a private CA bundle may be given), bearer auth, one-line errors."""

from __future__ import annotations

import http.server
import json
import ssl
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest

from sync import protocol
from sync.client.http import (
    ApiClient,
    ApiRefusal,
    AuthFailure,
    Offline,
    ServerFailure,
    SyncError,
    normalize_url,
)

EMPTY_PAGE = {"changes": [], "cursor": 0, "has_more": False}


class Scripted(http.server.BaseHTTPRequestHandler):
    """Answers each request with the next (status, body) of ``script``."""

    script: ClassVar[list[tuple[int, Any]]] = []
    seen: ClassVar[list[dict[str, Any]]] = []

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        type(self).seen.append(
            {"method": self.command, "path": self.path, "auth": self.headers.get("Authorization")}
        )
        status, body = type(self).script.pop(0) if type(self).script else (200, EMPTY_PAGE)
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = _answer

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def scripted() -> Iterator[tuple[str, type[Scripted]]]:
    handler = type("H", (Scripted,), {"script": [], "seen": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", handler
    server.shutdown()
    server.server_close()


def fast(url: str, **kw: Any) -> ApiClient:
    return ApiClient(url, "tok", backoff_s=0.001, timeout=(2, 5), **kw)


def test_5xx_is_retried_then_succeeds(scripted: tuple[str, type[Scripted]]) -> None:
    url, h = scripted
    h.script += [(503, {}), (500, {})]
    page = fast(url).changes(0)
    assert page.cursor == 0 and len(h.seen) == 3
    assert h.seen[0]["auth"] == "Bearer tok"
    assert h.seen[0]["path"].startswith("/api/v1/sync/changes?since=0")


def test_5xx_that_persists_is_a_server_failure(scripted: tuple[str, type[Scripted]]) -> None:
    url, h = scripted
    h.script += [(500, {})] * 10
    with pytest.raises(ServerFailure):
        fast(url, retries=2).changes(0)
    assert len(h.seen) == 3


@pytest.mark.parametrize("status", [400, 404, 409, 413, 422, 429])
def test_4xx_is_never_retried(scripted: tuple[str, type[Scripted]], status: int) -> None:
    url, h = scripted
    h.script.append((status, {"code": "invalid", "message": "bad thing"}))
    with pytest.raises(ApiRefusal) as err:
        fast(url).push(protocol.PushRequest(device_id="d", mutations=[]))
    assert len(h.seen) == 1
    assert err.value.status == status and err.value.api_code == "invalid"
    assert "bad thing" in str(err.value) and "\n" not in str(err.value)


def test_401_says_log_in_again(scripted: tuple[str, type[Scripted]]) -> None:
    url, h = scripted
    h.script.append((401, {"code": "token_revoked", "message": "the token was revoked"}))
    with pytest.raises(AuthFailure, match="punchclock login"):
        fast(url).me()
    assert len(h.seen) == 1


def test_connection_refused_is_offline_after_retries() -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(Offline, match="can't reach"):
        fast(f"http://127.0.0.1:{port}").changes(0)


def test_urls_are_checked() -> None:
    assert normalize_url("https://pc.example.com/") == "https://pc.example.com"
    assert normalize_url("https://pc.example.com/api/v1") == "https://pc.example.com"
    for bad in ("pc.example.com", "ftp://x", "https://"):
        with pytest.raises(SyncError):
            normalize_url(bad)
    # Clear text only to this machine: the password and token would cross the network.
    assert normalize_url("http://127.0.0.1:8765") == "http://127.0.0.1:8765"
    assert normalize_url("http://localhost:8765/") == "http://localhost:8765"
    assert normalize_url("http://[::1]:8765") == "http://[::1]:8765"
    for clear in ("http://pc.example.com", "http://192.0.2.7:8765"):
        with pytest.raises(SyncError, match="https"):
            normalize_url(clear)


def test_verification_is_always_on_and_a_missing_bundle_is_refused(tmp_path: Path) -> None:
    assert ApiClient("https://pc.example.com").session.verify is True
    with pytest.raises(SyncError, match="does not exist"):
        ApiClient("https://pc.example.com", ca_bundle=tmp_path / "nope.pem")


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    handler = type("H", (Scripted,), {"script": [], "seen": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"https://127.0.0.1:{server.server_address[1]}", cert
    server.shutdown()
    server.server_close()


def test_self_signed_server_is_refused_unless_its_ca_is_given(
    tls_server: tuple[str, Path],
) -> None:
    url, cert = tls_server
    with pytest.raises(SyncError, match="certificate"):
        fast(url).changes(0)
    assert fast(url, ca_bundle=cert).changes(0).has_more is False
