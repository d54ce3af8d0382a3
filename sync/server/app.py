"""The Punchclock server's HTTP API (FastAPI): ``create_app(database_url)``.

Stateless: every request opens its own transaction(s) on the shared database,
so several workers (processes or hosts) can serve one database. The schema is
migrated on start (``migrate=True``).

Bad input never reaches a 500: bodies over :data:`sync.protocol.MAX_BODY_BYTES`
(by Content-Length or by the bytes actually received) are refused with 413
before parsing; more than :data:`sync.protocol.MAX_MUTATIONS` mutations → 413;
malformed JSON, a body that is not UTF-8, wrong types, unknown fields and
dates not written ``YYYY-MM-DD`` → 422 ``invalid``; a method a path doesn't
serve (``TRACE``, ``PUT`` …) → 405 with an ``Allow`` header; every error body
is :class:`sync.protocol.ErrorOut`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from desktop.core.timeutil import utcnow
from sync import protocol as p
from sync.server import auth, changes
from sync.server.apply import Applier, Fault
from sync.server.db.database import ServerDatabase
from sync.server.policy import Principal, load_principal

Clock = Callable[[], datetime]
EntityName = Literal[
    "customer", "project", "task", "team", "user", "rate", "time_entry", "timesheet",
    "timesheet_event", "holiday", "company_setting",
]  # fmt: skip

_bearer = HTTPBearer(auto_error=False, description="the device token from /auth/login")


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers


def _err(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    body = p.ErrorOut(code=code, message=message).model_dump()
    return JSONResponse(body, status_code=status, headers=headers)


_E = {"model": p.ErrorOut}
_AUTHED: dict[int | str, dict[str, Any]] = {401: _E, 422: _E}


class BodyLimit:
    """Pure ASGI middleware: refuse bodies over ``limit`` bytes with 413, by the
    Content-Length header and by counting what actually arrives."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        too_big = _err(413, "too_large", f"the request body is over {self.limit} bytes")
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = -1
                if declared < 0 or declared > self.limit:
                    await too_big(scope, receive, send)
                    return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                await too_big(scope, receive, send)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


@dataclass(frozen=True)
class _Ctx:
    db: ServerDatabase
    clock: Clock


def _ctx(request: Request) -> _Ctx:
    ctx: _Ctx = request.app.state.ctx
    return ctx


def session(
    request: Request,
    creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> auth.Session:
    """The bearer token's session (401 ErrorOut when missing, unknown, revoked, expired)."""
    ctx = _ctx(request)
    now = ctx.clock()
    try:
        with ctx.db.read() as conn:
            sess, due = auth.authenticate(conn, creds.credentials if creds else None, now)
    except auth.AuthError as exc:
        raise ApiError(exc.status, exc.code, exc.message, {"WWW-Authenticate": "Bearer"}) from None
    if due:
        with ctx.db.write(revisions=False) as conn:
            auth.touch(conn, sess.device_row_id, now)
    return sess


Sess = Annotated[auth.Session, Depends(session)]


def principal(request: Request, sess: Sess) -> Principal:
    with _ctx(request).db.read() as conn:
        who = load_principal(conn, sess.user_id)
    if who is None:
        raise ApiError(401, "unauthenticated", "this account is disabled")
    return who


Who = Annotated[Principal, Depends(principal)]


def _json_body(model: BaseModel, **dump: Any) -> Response:
    """A response body serialized once by pydantic (the ``response_model`` of the
    route documents it), instead of FastAPI's validate-and-encode round trip."""
    return Response(model.model_dump_json(**dump), media_type="application/json")


def create_app(
    database_url: str,
    *,
    clock: Clock = utcnow,
    migrate: bool = True,
    token_ttl: timedelta = timedelta(days=365),
    login_limits: auth.LoginLimits | None = None,
    fault: Fault | None = None,
) -> FastAPI:
    """The API on ``database_url``. ``clock`` (tests), ``fault`` (called before each
    mutation; an exception there becomes a 500 — for client fault tests)."""
    db = ServerDatabase(database_url)
    if migrate:
        db.upgrade()
    limits = login_limits or auth.LoginLimits()
    applier = Applier(db, clock, fault)
    app = FastAPI(
        title="Punchclock server",
        version=str(p.PROTOCOL_VERSION),
        openapi_url=f"{p.API_PREFIX}/openapi.json",
        docs_url=f"{p.API_PREFIX}/docs",
        redoc_url=None,
    )
    app.state.db = db
    app.state.ctx = _Ctx(db, clock)
    app.add_middleware(BodyLimit, limit=p.MAX_BODY_BYTES)

    @app.exception_handler(ApiError)
    async def _api_error(_r: Request, exc: ApiError) -> JSONResponse:
        return _err(exc.status, exc.code, exc.message, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        for e in errors:
            if e.get("type") == "too_long" and tuple(e.get("loc", ())) == ("body", "mutations"):
                return _err(413, "too_large", f"at most {p.MAX_MUTATIONS} mutations per push")
        first = errors[0] if errors else {"loc": (), "msg": "invalid request"}
        where = ".".join(str(x) for x in first.get("loc", ()) if x != "body") or "body"
        return _err(422, "invalid", f"{where}: {first.get('msg', 'invalid')}"[:300])

    @app.exception_handler(StarletteHTTPException)
    async def _http(_r: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400:  # FastAPI's "error parsing the body": a body not UTF-8
            return _err(422, "invalid", "body: the request body is not JSON text in UTF-8")
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "error")
        return _err(exc.status_code, code, str(exc.detail), dict(exc.headers or {}))

    @app.exception_handler(Exception)
    async def _crash(_r: Request, _exc: Exception) -> JSONResponse:
        return _err(500, "internal", "the server failed; the request may be retried")

    # --------------------------------------------------------------- auth

    @app.post(
        f"{p.API_PREFIX}/auth/login",
        response_model=p.LoginResponse,
        responses={401: _E, 422: _E, 429: _E, 413: _E},
        tags=["auth"],
    )
    def login(body: p.LoginRequest, request: Request) -> p.LoginResponse:
        email = body.email.strip().lower()
        address = request.client.host if request.client else "unknown"
        now = clock()
        with db.read() as conn:
            try:
                auth.check_rate_limit(conn, email, address, now, limits)
            except auth.AuthError as exc:
                raise ApiError(
                    429, exc.code, exc.message, {"Retry-After": str(exc.retry_after)}
                ) from None
            user_id = auth.verify_login(conn, email, body.password)
        if user_id is None:
            with db.write(revisions=False) as conn:
                auth.record_failure(conn, email, address, now, limits)
            raise ApiError(401, "invalid_credentials", "wrong email or password")
        with db.write(revisions=False) as conn:
            token = auth.issue_token(
                conn, user_id, body.device_id, body.device_name, now, token_ttl
            )
            user = _user_out(conn, user_id)
        return p.LoginResponse(token=token, device_id=body.device_id, user=user)

    @app.post(f"{p.API_PREFIX}/auth/logout", status_code=204, responses=_AUTHED, tags=["auth"])
    def logout(sess: Sess) -> Response:
        with db.write(revisions=False) as conn:
            auth.revoke(conn, sess.user_id, sess.device_id, clock())
        return Response(status_code=204)

    @app.get(
        f"{p.API_PREFIX}/auth/devices",
        response_model=list[p.DeviceOut],
        responses=_AUTHED,
        tags=["auth"],
    )
    def devices(sess: Sess) -> list[p.DeviceOut]:
        with db.read() as conn:
            rows = auth.devices_of(conn, sess.user_id)
        return [
            p.DeviceOut(
                id=r.device_id,
                name=r.name,
                created_at=r.created_at,
                last_seen_at=r.last_seen_at,
                revoked=r.revoked_at is not None or r.expires_at <= clock(),
                current=r.id == sess.device_row_id,
            )
            for r in rows
        ]

    @app.delete(
        f"{p.API_PREFIX}/auth/devices/{{device_id}}",
        status_code=204,
        responses={**_AUTHED, 404: _E},
        tags=["auth"],
    )
    def revoke_device(
        device_id: Annotated[p.CleanStr, Path(max_length=36)], sess: Sess
    ) -> Response:
        with db.write(revisions=False) as conn:
            if not auth.revoke(conn, sess.user_id, device_id, clock()):
                raise ApiError(404, "not_found", "you have no device with that id")
        return Response(status_code=204)

    @app.get(f"{p.API_PREFIX}/me", response_model=p.UserOut, responses=_AUTHED, tags=["auth"])
    def me(who: Who) -> p.UserOut:
        with db.read() as conn:
            return _user_out(conn, who.id)

    # --------------------------------------------------------------- sync

    @app.post(
        f"{p.API_PREFIX}/sync/push",
        response_model=p.PushResponse,
        responses={**_AUTHED, 403: _E, 413: _E},
        tags=["sync"],
    )
    def push(body: p.PushRequest, sess: Sess, who: Who) -> Response:
        if body.device_id != sess.device_id:
            raise ApiError(403, "forbidden", "device_id is not the device this token was issued to")
        results = applier.push(who.id, sess.device_id, body.mutations, origin=sess.device_row_id)
        return _json_body(p.PushResponse(results=results))

    @app.get(
        f"{p.API_PREFIX}/sync/changes",
        response_model=p.ChangesResponse,
        responses=_AUTHED,
        tags=["sync"],
    )
    def pull(
        who: Who,
        sess: Sess,
        since: Annotated[int, Query(ge=0, le=2**62)] = 0,
        limit: Annotated[int, Query(ge=1, le=p.MAX_PULL_LIMIT)] = p.DEFAULT_PULL_LIMIT,
        echoes: bool = True,
        gone: bool = False,
    ) -> Response:
        skip = None if echoes else sess.device_row_id
        with db.read() as conn:
            page = changes.changes(conn, who, since, limit, skip_origin=skip, withdrawals=gone)
        if gone:
            return _json_body(page)
        # a version-1 client reads no ``gone`` key in its changes
        return _json_body(page, exclude={"changes": {"__all__": {"gone"}}})

    @app.get(
        f"{p.API_PREFIX}/records/{{entity}}",
        response_model=p.RecordsResponse,
        responses=_AUTHED,
        tags=["records"],
    )
    def records(
        entity: EntityName,
        who: Who,
        user_id: Annotated[p.CleanStr | None, Query(max_length=36)] = None,
        work_date_from: p.IsoDate | None = None,
        work_date_to: p.IsoDate | None = None,
        limit: Annotated[int, Query(ge=1, le=p.MAX_PULL_LIMIT)] = p.DEFAULT_PULL_LIMIT,
        offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
    ) -> p.RecordsResponse:
        with db.read() as conn:
            return changes.list_records(
                conn,
                who,
                entity,
                user_id=user_id,
                date_from=work_date_from,
                date_to=work_date_to,
                limit=limit,
                offset=offset,
            )

    @app.get(
        f"{p.API_PREFIX}/records/{{entity}}/{{entity_id}}",
        response_model=p.Record,
        responses={**_AUTHED, 404: _E},
        tags=["records"],
    )
    def record(
        entity: EntityName, entity_id: Annotated[p.CleanStr, Path(max_length=64)], who: Who
    ) -> p.Record:
        with db.read() as conn:
            found = changes.get_record(conn, who, entity, entity_id)
        if found is None:
            raise ApiError(404, "not_found", f"no {entity} {entity_id} that you may see")
        return found

    @app.get(f"{p.API_PREFIX}/health", tags=["meta"])
    def health() -> dict[str, Any]:
        return {"ok": True, "protocol": p.PROTOCOL_VERSION}

    return app


WORKER_DATABASE_ENV = "PUNCHCLOCK_SERVER_WORKER_DATABASE"


def app_from_environment() -> FastAPI:
    """One worker of ``punchclock-server serve --workers N``: the database the
    command put in :data:`WORKER_DATABASE_ENV`, already migrated by it."""
    return create_app(os.environ[WORKER_DATABASE_ENV], migrate=False)


def _user_out(conn: Any, user_id: str) -> p.UserOut:
    from sync.server.rows import get_row

    row = get_row(conn, "user", user_id)
    assert row is not None
    return p.UserOut(
        id=row["id"],
        name=row["name"],
        email=row["email"],
        role=row["role"],
        team_id=row["team_id"],
        timezone=row["timezone"],
    )
