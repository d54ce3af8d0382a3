"""CLI twins of the sync actions: ``login``, ``logout``, ``sync``, ``sync status``
and ``sync attention`` (list, ``--retry ID``, ``--discard ID --yes``).

``sync.client`` (and so ``requests``) is imported inside the commands only:
``desktop.core`` and the rest of the CLI never load it. Once a folder is logged
in, the global ``--as`` is refused: the server decides who acts (standalone
mode only). JSON shapes are in the README.
"""

from __future__ import annotations

import getpass
import socket
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from desktop.cli import Cli, UsageError, _iso
from desktop.core.errors import Forbidden, PunchclockError, ValidationError
from desktop.core.model import SyncState


def add_parsers(sub: Any) -> None:
    c = sub.add_parser("login", help="log this device in to a Punchclock server")
    c.add_argument("url", help="https://punchclock.example.com")
    c.add_argument("--email", required=True)
    c.add_argument(
        "--password-stdin", action="store_true", help="read the password from stdin (one line)"
    )
    c.add_argument("--device-name", default=None, help="default: this computer's name")
    c.add_argument("--ca-bundle", type=Path, help="a CA bundle for a private certificate")

    sub.add_parser("logout", help="log out (revokes this device's token)")

    c = sub.add_parser("sync", help="sync now; `sync status`, `sync attention`")
    ssub = c.add_subparsers(dest="action", parser_class=type(c))
    ssub.add_parser("status", help="where this device stands")
    a = ssub.add_parser("attention", help="changes that need your attention")
    g = a.add_mutually_exclusive_group()
    g.add_argument("--retry", metavar="ID", help="send the local value again")
    g.add_argument("--discard", metavar="ID", help="drop the local value (needs --yes)")
    a.add_argument("--yes", action="store_true", help="confirm --discard")


def logged_in(cli: Cli) -> str | None:
    with cli.app.db.read() as s:
        row = s.get(SyncState, 1)
        return row.server_url if row is not None else None


def check_standalone(cli: Cli) -> None:
    """``--as`` is for standalone mode: refused once the folder is logged in."""
    url = logged_in(cli)
    if url:
        raise Forbidden(f"--as works only on a local-only device; this one is logged in to {url}")


# ----------------------------------------------------------------- commands


def _password(cli: Cli) -> str:
    if cli.args.password_stdin:
        line = sys.stdin.readline().rstrip("\r\n")
        if not line:
            raise ValidationError("no password on stdin")
        return line
    if sys.stdin.isatty():
        return getpass.getpass(f"password for {cli.args.email}: ")
    raise UsageError("punchclock login: stdin is not a terminal; use --password-stdin")


def cmd_login(cli: Cli) -> None:
    from sync.client import account

    a = cli.args
    password = _password(cli)
    result = account.login(
        cli.app.db,
        a.url,
        a.email,
        password,
        device_name=a.device_name or socket.gethostname() or "Punchclock",
        ca_bundle=a.ca_bundle,
    )
    if result.warning:
        cli.out.warn(
            [result.warning, "from the command line that is this one command: use the tray app"]
        )
    u = result.user
    cli.out.emit(
        {
            "server_url": result.server_url,
            "device_id": result.device_id,
            "user": {"id": u.id, "name": u.name, "email": u.email, "role": u.role},
            "token_persistent": result.warning is None,
        },
        f"logged in to {result.server_url} as {u.name} <{u.email}> ({u.role})",
    )


def cmd_logout(cli: Cli) -> None:
    from sync.client import account

    result = account.logout(cli.app.db)
    if result.warning:
        cli.out.warn([result.warning])
    waiting = (
        f"; {result.waiting} unsynced change{'s' if result.waiting != 1 else ''} stay here"
        if result.waiting
        else ""
    )
    cli.out.emit(
        {"server_url": result.server_url, "revoked": result.revoked, "waiting": result.waiting},
        f"logged out of {result.server_url}{waiting}",
    )


def cmd_sync(cli: Cli) -> None:
    action = cli.args.action
    if action == "status":
        _status(cli)
    elif action == "attention":
        _attention(cli)
    else:
        _round(cli)


def _round(cli: Cli) -> None:
    from sync.client import account

    engine = account.connect(cli.app.db)
    try:
        report = engine.sync_once(force=True)
    finally:
        engine.close()
    data = {
        "pushed": report.pushed,
        "pulled": report.pulled,
        "attention": report.attention,
        "new_attention": report.new_attention,
        "waiting": report.waiting,
        "offline": report.offline,
        "error": report.error,
    }
    if report.error:
        if cli.out.as_json:
            cli.out.emit(data, "")
        n = report.waiting
        waiting = f" ({n} change{'s' if n != 1 else ''} waiting)" if n else ""
        raise PunchclockError(f"sync failed: {report.error}{waiting}")
    cli.out.emit(
        data,
        f"pushed {report.pushed}, pulled {report.pulled}, attention {report.attention}"
        + (f", waiting {report.waiting}" if report.waiting else ""),
    )


def _status(cli: Cli) -> None:
    from sync.client.status import read_status, status_text

    st = read_status(cli.app.db)
    text = status_text(st, cli.app.clock())
    data = {
        "status": text,
        "logged_in": st.logged_in,
        "server_url": st.server_url,
        "device_id": st.device_id,
        "waiting": st.waiting,
        "attention": st.attention,
        "last_success_at": _iso(st.last_success_at),
        "last_error_at": _iso(st.last_error_at),
        "last_error": st.last_error,
    }

    def lines() -> str:
        out = [text]
        if st.server_url:
            out.append(f"server: {st.server_url}")
        out.append(f"waiting: {st.waiting}  attention: {st.attention}")
        if st.offline and st.last_error:
            out.append(f"last error: {st.last_error}")
        return "\n".join(out)

    cli.out.emit(data, lines)


def _item_json(item: Any) -> dict[str, Any]:
    return {
        "id": item.id,
        "entity": item.entity,
        "entity_id": item.entity_id,
        "op": item.op,
        "message": item.message,
        "summary": item.summary,
        "fields": list(item.fields) if item.fields is not None else None,
        "data": item.data,
        "created_at": _iso(item.created_at),
    }


def _attention(cli: Cli) -> None:
    from sync.client import attention

    a = cli.args
    db = cli.app.db
    if a.yes and not a.discard:
        raise UsageError("punchclock sync attention: --yes confirms --discard only")
    if a.retry:
        item = attention.retry(db, a.retry, now=cli.app.clock())
        cli.out.emit(_item_json(item), f"queued again: {item.summary} (run `punchclock sync`)")
        return
    if a.discard:
        if not a.yes:
            raise UsageError(
                "punchclock sync attention: discarding drops your local change; "
                "add --yes to confirm"
            )
        item = attention.discard(db, a.discard)
        cli.out.emit(_item_json(item), f"discarded: {item.summary}")
        return
    rows = attention.items(db)
    cli.out.emit(
        [_item_json(i) for i in rows],
        lambda: (
            "\n".join(f"{i.id[:8]}  {i.summary}\n          {i.message}" for i in rows)
            or "nothing needs attention"
        ),
    )


COMMANDS: dict[str, Callable[[Cli], None]] = {
    "login": cmd_login,
    "logout": cmd_logout,
    "sync": cmd_sync,
}
