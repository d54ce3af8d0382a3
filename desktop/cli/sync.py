"""Sync with a Punchclock server: ``login``, ``logout``, ``sync``, ``sync
status`` and ``sync attention`` (list, ``--retry ID``, ``--discard ID --yes``).

``sync.client`` (and so ``requests``) is imported inside the commands only:
``desktop.core`` and the rest of the CLI never load it. Once a folder is logged
in, the global ``--as`` is refused: the server decides who acts (standalone
mode only).
"""

from __future__ import annotations

import getpass
import socket
import sys
from pathlib import Path

from desktop.cli import output
from desktop.cli.base import Cli, CommandParser, Commands, UsageError
from desktop.core.errors import PunchclockError, ValidationError

TITLE = "Sync"


def add_parsers(commands: Commands) -> None:
    c = commands.add("login", "log this device in to a Punchclock server", cmd_login)
    c.add_argument("url", help="https://punchclock.example.com")
    c.add_argument("--email", required=True, help="your account on the server")
    c.add_argument(
        "--password-stdin", action="store_true", help="read the password from stdin (one line)"
    )
    c.add_argument("--device-name", default=None, help="default: this computer's name")
    c.add_argument("--ca-bundle", type=Path, help="a CA bundle for a private certificate")

    commands.add("logout", "log out (revokes this device's token)", cmd_logout)

    c = commands.add("sync", "sync now; `sync status`, `sync attention`", cmd_sync)
    ssub = c.add_subparsers(dest="action", parser_class=CommandParser)
    ssub.add_parser("status", help="where this device stands")
    a = ssub.add_parser("attention", help="changes that need your attention")
    g = a.add_mutually_exclusive_group()
    g.add_argument("--retry", metavar="ID", help="send the local value again")
    g.add_argument("--discard", metavar="ID", help="drop the local value (needs --yes)")
    a.add_argument("--yes", action="store_true", help="confirm --discard")


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
        output.LOGIN(result), f"logged in to {result.server_url} as {u.name} <{u.email}> ({u.role})"
    )


def cmd_logout(cli: Cli) -> None:
    from sync.client import account

    result = account.logout(cli.app.db)
    if result.warning:
        cli.out.warn([result.warning])
    waiting = (
        f"; {output.plural(result.waiting, 'unsynced change')} stay here" if result.waiting else ""
    )
    cli.out.emit(output.LOGOUT(result), f"logged out of {result.server_url}{waiting}")


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
    data = output.SYNC_ROUND(report)
    if report.error:
        if cli.out.as_json:
            cli.out.emit(data, "")
        n = report.waiting
        waiting = f" ({output.plural(n, 'change')} waiting)" if n else ""
        raise PunchclockError(f"sync failed: {report.error}{waiting}")
    cli.out.emit(
        data,
        f"pushed {report.pushed}, pulled {report.pulled}, attention {report.attention}"
        + (f", waiting {report.waiting}" if report.waiting else ""),
    )


def _status(cli: Cli) -> None:
    from sync.client.status import read_status, status_text

    st = read_status(cli.app.db, check_token=True)
    text = status_text(st, cli.app.clock())

    def lines() -> str:
        out = [text]
        if st.login_problem:
            out.append(f"why: {st.login_problem}")
        if st.server_url:
            out.append(f"server: {st.server_url}")
        out.append(f"waiting: {st.waiting}  attention: {st.attention}")
        if st.offline and st.last_error:
            out.append(f"last error: {st.last_error}")
        return "\n".join(out)

    cli.out.emit(output.SYNC_STATUS(st, status=text), lines)


def _attention(cli: Cli) -> None:
    from sync.client import attention

    a = cli.args
    db = cli.app.db
    if a.yes and not a.discard:
        raise UsageError("punchclock sync attention: --yes confirms --discard only")
    if a.retry:
        item = attention.retry(db, a.retry, now=cli.app.clock())
        cli.out.emit(
            output.ATTENTION_ITEM(item), f"queued again: {item.summary} (run `punchclock sync`)"
        )
        return
    if a.discard:
        if not a.yes:
            raise UsageError(
                "punchclock sync attention: discarding drops your local change; "
                "add --yes to confirm"
            )
        item = attention.discard(db, a.discard)
        cli.out.emit(output.ATTENTION_ITEM(item), f"discarded: {item.summary}")
        return
    rows = attention.items(db)
    cli.out.emit(
        output.ATTENTION_ITEM.many(rows),
        lambda: output.lines(
            rows, lambda i: f"{i.id[:8]}  {i.summary}\n          {i.message}",
            "nothing needs attention",
        ),
    )
