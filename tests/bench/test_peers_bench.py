"""Punchclock side by side with its peers and floors, figures into BENCHMARKS.md.

`make bench` installs the peers for this run only (not project dependencies):
Watson (``td-watson``) into ``build/bench-venv``, Timewarrior from Debian
(``timewarrior``, in the Makefile's DEBIAN_PACKAGES). Floors: ``python -c
pass``, a bare PySide6 tray (``bare_tray.py``, in test_tray_bench.py), a FastAPI
endpoint returning a constant, SQLite's insert rate in one transaction.

Every pair is measured alternately (A B A B …) and the medians of
``PUNCHCLOCK_BENCH_ROUNDS`` runs (default 7) are compared; whole-process wall
times, the way a status bar or a shell runs them.

* the command line: ``status`` with a timer running, and ``start`` / ``stop``
  / ``log``, with the tray app running (the command is handed to it) and
  without (``PUNCHCLOCK_NO_APP=1``), against ``watson`` and ``timew``;
* one year of data (8 technicians × 250 days × 6 entries): each tool loads the
  same technician's entries its own way (Punchclock: ``punchclock import
  watson`` of every technician's frames; Watson: its frames file; Timewarrior:
  its monthly data files), then the utilization report over that
  technician's year against ``watson report`` and ``timew summary``.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import psutil
import pytest

from tests.bench.report import write_section

pytestmark = [pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
BENCH_VENV = ROOT / "build" / "bench-venv"
WATSON = BENCH_VENV / "bin" / "watson"
SAVED = ROOT / "test-output" / "bench-peers.json"
START, END = "<!-- peers:start -->", "<!-- peers:end -->"
ROUNDS = int(os.environ.get("PUNCHCLOCK_BENCH_ROUNDS", "7"))
PUNCH = [sys.executable, "-m", "desktop"]
RESULTS: dict[str, Any] = {}

TECHS, DAYS, PER_DAY = 8, 250, 6
YEAR = 2025
CUSTOMERS = ("ACME", "Globex", "Initech")
WORDS = ("mailbox migration batch", "patched the file server", "printer queue on FS02",
         "firewall rule review", "backup restore test", "onboarding new laptop")  # fmt: skip


@pytest.fixture(autouse=True)
def _only_with_make_bench(request: pytest.FixtureRequest) -> None:
    if not request.config.getoption("benchmark_only", default=False):
        pytest.skip("peer benchmarks take minutes; run them with `make bench`")
    missing = [n for n, p in (("watson", WATSON), ("timew", shutil.which("timew")))
               if not p or not Path(p).exists()]  # fmt: skip
    if missing:
        pytest.skip(f"peers missing: {', '.join(missing)} (`make bench` installs them)")


# ------------------------------------------------------------------ running


def _wall(cmd: list[str], env: dict[str, str], ok: tuple[int, ...] = (0,)) -> float:
    t0 = time.perf_counter()
    done = subprocess.run(cmd, env=env, cwd=ROOT, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=300)  # fmt: skip
    took = time.perf_counter() - t0
    assert done.returncode in ok, (cmd, done.returncode, done.stderr[-2000:])
    return took


def alternate(runs: dict[str, Callable[[], float]], rounds: int = ROUNDS) -> dict[str, float]:
    """Each of ``runs`` once per round, in turn (A B C A B C …): their medians."""
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(rounds):
        for name, run in runs.items():
            times[name].append(run())
    return {name: statistics.median(t) for name, t in times.items()}


def _version(cmd: list[str]) -> str:
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    return (done.stdout or done.stderr).strip().splitlines()[0]


@dataclass
class Peers:
    data: Path
    punch_env: dict[str, str]
    watson_env: dict[str, str]
    timew_env: dict[str, str]

    def punch(self, *args: str) -> list[str]:
        return [*PUNCH, "--data-dir", str(self.data), *args]

    def env(self, app: bool) -> dict[str, str]:
        return self.punch_env if app else {**self.punch_env, "PUNCHCLOCK_NO_APP": "1"}


def _timew_db(folder: Path) -> dict[str, str]:
    (folder / "data").mkdir(parents=True, exist_ok=True)
    (folder / "timewarrior.cfg").write_text("verbose = off\n")
    return {**os.environ, "TIMEWARRIORDB": str(folder)}


@pytest.fixture
def peers(tray: Any, tmp_path: Path) -> Iterator[Peers]:
    """Punchclock (the tray fixture's store, its app on Xvfb), Watson and
    Timewarrior in folders of their own, each with a timer running."""
    watson_dir = tmp_path / "watson"
    watson_dir.mkdir()
    yield Peers(tray.data, {**tray.env}, {**os.environ, "WATSON_DIR": str(watson_dir)},
                _timew_db(tmp_path / "timew"))


# ------------------------------------------------------------------ the CLI


def test_cli_against_watson_and_timewarrior(benchmark: Any, peers: Peers, tray: Any) -> None:
    p = peers
    wat, tw = [str(WATSON)], ["timew"]
    _wall([*wat, "start", "ACME"], p.watson_env)
    _wall([*tw, "start", "ACME"], p.timew_env)
    timew_started = [time.monotonic()]
    _wall(p.punch("start", "--customer", "ACME", "-d", "on call"), p.env(False))
    floor_env = {**os.environ}

    def status_runs(app: bool) -> dict[str, Callable[[], float]]:
        return {
            "punchclock": lambda: _wall(p.punch("status"), p.env(app)),
            "watson": lambda: _wall([*wat, "status"], p.watson_env),
            "timew": lambda: _wall([*tw], p.timew_env),
            "python -c pass": lambda: _wall([sys.executable, "-c", "pass"], floor_env),
            "python -c 'import sqlalchemy'": lambda: _wall(
                [sys.executable, "-c", "import sqlalchemy"], floor_env),
        }  # fmt: skip

    def cycle(app: bool) -> dict[str, float]:
        """start / stop / log, each pair alternately; returns medians."""
        env = p.env(app)
        times: dict[str, list[float]] = {}

        def add(name: str, took: float) -> None:
            times.setdefault(name, []).append(took)

        for i in range(ROUNDS):
            add("punchclock stop", _wall(p.punch("stop"), env))
            add("watson stop", _wall([*wat, "stop"], p.watson_env))
            # Timewarrior counts whole seconds: a stop in the second of its start is refused
            time.sleep(max(0.0, 1.1 - (time.monotonic() - timew_started[0])))
            add("timew stop", _wall([*tw, "stop"], p.timew_env))
            add("punchclock start", _wall(p.punch("start", "--customer", "ACME", "-d",
                                                   "on call"), env))  # fmt: skip
            add("watson start", _wall([*wat, "start", "ACME"], p.watson_env))
            add("timew start", _wall([*tw, "start", "ACME"], p.timew_env))
            timew_started[0] = time.monotonic()
            day = date.today() - timedelta(days=2 + i + (10 if app else 0))
            add("punchclock log", _wall(p.punch("log", "--customer", "ACME", "--date",
                                                 day.isoformat(), "--from", "09:00", "--to",
                                                 "09:30", "-d", "printer queue"), env))  # fmt: skip
            add("watson log", _wall([*wat, "add", "--from", f"{day} 09:00", "--to",
                                     f"{day} 09:30", "ACME"], p.watson_env))  # fmt: skip
            add("timew log", _wall([*tw, "track", f"{day}T09:00", "-", f"{day}T09:30",
                                    "ACME"], p.timew_env))  # fmt: skip
        return {name: statistics.median(t) for name, t in times.items()}

    def measure() -> dict[str, Any]:
        out: dict[str, Any] = {"status_no_app": alternate(status_runs(False))}
        out["writes_no_app"] = cycle(False)
        tray.start()
        tray.icon_geometry(timeout=60)
        time.sleep(2)
        out["status_app"] = alternate(status_runs(True))
        out["writes_app"] = cycle(True)
        tray.kill()
        return out

    figures = benchmark.pedantic(measure, rounds=1, iterations=1)
    RESULTS["cli"] = figures
    RESULTS["versions"] = {"watson": _version([*wat, "--version"]),
                           "timew": _version([*tw, "--version"])}  # fmt: skip
    _write()
    assert figures["status_no_app"]["punchclock"] < 30


# ------------------------------------------------------------------ a year


def _workdays() -> list[date]:
    days, d = [], date(YEAR, 1, 1)
    while len(days) < DAYS:
        if d.weekday() < 5:
            days.append(d)
        d += timedelta(days=1)
    return days


def _year_frames(tech: int) -> list[list[Any]]:
    """One technician's year: 6 entries a day, 08:00–15:30 UTC with gaps."""
    frames = []
    for n, day in enumerate(_workdays()):
        t = datetime(day.year, day.month, day.day, 8, tzinfo=UTC)
        for k in range(PER_DAY):
            length = timedelta(minutes=45 + 15 * ((n + k + tech) % 4))
            customer = CUSTOMERS[(n + k + tech) % len(CUSTOMERS)]
            start, stop = int(t.timestamp()), int((t + length).timestamp())
            frames.append([start, stop, customer, uuid.uuid4().hex,
                           [WORDS[(n * PER_DAY + k) % len(WORDS)]], stop])  # fmt: skip
            t += length + timedelta(minutes=10)
    return frames


def _timew_files(frames: list[list[Any]], folder: Path) -> None:
    """Timewarrior's own store: one ``data/YYYY-MM.data`` file per month."""
    months: dict[str, list[str]] = {}

    def stamp(ts: int) -> str:
        return datetime.fromtimestamp(ts, UTC).strftime("%Y%m%dT%H%M%SZ")

    for start, stop, customer, _id, tags, _ in frames:
        month = datetime.fromtimestamp(start, UTC).strftime("%Y-%m")
        months.setdefault(month, []).append(
            f'inc {stamp(start)} - {stamp(stop)} # {customer} "{tags[0]}"')
    for month, lines in months.items():
        (folder / "data" / f"{month}.data").write_text("\n".join(lines) + "\n")


def test_year_report_against_watson_and_timewarrior(benchmark: Any, tmp_path: Path) -> None:
    env = {**os.environ, "PUNCHCLOCK_NO_APP": "1"}
    data = tmp_path / "punch"

    def punch(*args: str) -> list[str]:
        return [*PUNCH, "--data-dir", str(data), *args]

    subprocess.run(punch("init", "--name", "Ada Admin", "--email", "admin@msp.test"),
                   env=env, check=True, capture_output=True, cwd=ROOT)  # fmt: skip
    for c in CUSTOMERS:
        subprocess.run(punch("customer", "add", c), env=env, check=True, capture_output=True,
                       cwd=ROOT)  # fmt: skip
    imports = []
    for tech in range(TECHS):
        email = f"tech{tech}@msp.test"
        subprocess.run(punch("user", "add", email, "--name", f"Tech {tech}"), env=env,
                       check=True, capture_output=True, cwd=ROOT)  # fmt: skip
        frames = _year_frames(tech)
        folder = tmp_path / f"tech{tech}"
        folder.mkdir()
        (folder / "frames").write_text(json.dumps(frames))
        t0 = time.perf_counter()
        done = subprocess.run(punch("--json", "import", "watson", str(folder / "frames"),
                                    "--user", email), env=env, capture_output=True, text=True,
                              cwd=ROOT)  # fmt: skip
        imports.append(time.perf_counter() - t0)
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["added"] == DAYS * PER_DAY
        if tech == 0:
            _timew_files(frames, Path(_timew_db(tmp_path / "timew")["TIMEWARRIORDB"]))
    watson_env = {**os.environ, "WATSON_DIR": str(tmp_path / "tech0")}
    timew_env = _timew_db(tmp_path / "timew")
    period = ["--from", f"{YEAR}-01-01", "--to", f"{YEAR}-12-31"]
    runs = {
        "punchclock": lambda: _wall(punch("--as", "tech0@msp.test", "report", "utilization",
                                          *period), env),
        "watson": lambda: _wall([str(WATSON), "report", *period], watson_env),
        "timew": lambda: _wall(["timew", "summary", f"{YEAR}-01-01", "-", f"{YEAR + 1}-01-01"],
                               timew_env),
        "punchclock, all 8 technicians": lambda: _wall(
            punch("report", "utilization", *period), env),
    }  # fmt: skip
    figures = benchmark.pedantic(lambda: alternate(runs, max(5, ROUNDS // 2 + 2)),
                                 rounds=1, iterations=1)  # fmt: skip
    RESULTS["year"] = {"report": figures, "import_s": statistics.median(imports)}
    _write()
    assert figures["punchclock"] < 60


# ------------------------------------------------------------------ floors


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_floors(benchmark: Any, tmp_path: Path) -> None:
    """A FastAPI endpoint returning a constant (requests/s over one keep-alive
    session) and SQLite inserts in one transaction (rows/s, WAL, synchronous=FULL)."""
    import requests
    import uvicorn
    from fastapi import FastAPI

    api = FastAPI()

    @api.get("/constant")
    def constant() -> dict[str, int]:
        return {"ok": 1}

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(api, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    session = requests.Session()

    def api_rate() -> float:
        n, t0 = 200, time.perf_counter()
        for _ in range(n):
            assert session.get(f"http://127.0.0.1:{port}/constant").status_code == 200
        return n / (time.perf_counter() - t0)

    def sqlite_rate() -> float:
        path = tmp_path / f"floor-{uuid.uuid4().hex}.sqlite3"
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("CREATE TABLE t (id TEXT PRIMARY KEY, day TEXT, seconds INTEGER, note TEXT)")
        rows = [(uuid.uuid4().hex, "2025-01-06", 3600, "patched the file server")
                for _ in range(100_000)]  # fmt: skip
        t0 = time.perf_counter()
        conn.execute("BEGIN")
        conn.executemany("INSERT INTO t VALUES (?, ?, ?, ?)", rows)
        conn.execute("COMMIT")
        took = time.perf_counter() - t0
        conn.close()
        return len(rows) / took

    def measure() -> dict[str, float]:
        rates: dict[str, list[float]] = {"api": [], "sqlite": []}
        for _ in range(5):
            rates["api"].append(api_rate())
            rates["sqlite"].append(sqlite_rate())
        return {k: statistics.median(v) for k, v in rates.items()}

    try:
        figures = benchmark.pedantic(measure, rounds=1, iterations=1)
    finally:
        server.should_exit = True
        thread.join(10)
    RESULTS["floors"] = figures
    _write()
    assert figures["api"] > 0


# ------------------------------------------------------------------ report


def _machine() -> str:
    mem = psutil.virtual_memory().total / 2**30
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (f"{os.cpu_count()} cores, {mem:.1f} GiB memory, {platform.system()} "
            f"{platform.release()}, Python {platform.python_version()}; load average "
            f"{load} when this section was written")  # fmt: skip


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}×" if b else "—"


def _write() -> None:
    """Merge this run's figures with the other peer benches' (test-output) and
    rewrite the section."""
    SAVED.parent.mkdir(exist_ok=True)
    saved = json.loads(SAVED.read_text()) if SAVED.exists() else {}
    saved.update(RESULTS)
    SAVED.write_text(json.dumps(saved, indent=1))
    r = saved
    v = r.get("versions", {})
    lines = [
        "## Against the peers (`tests/bench/test_peers_bench.py`, one run of `make bench`)",
        "",
        f"Written {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {_machine()}. Peers: "
        f"{v.get('watson', 'watson ?')} (td-watson, in build/bench-venv), "
        f"Timewarrior {v.get('timew', '?')} (Debian). Whole-process wall times, pairs run "
        f"alternately, medians of {ROUNDS}; ratio = Punchclock ÷ the peer.",
        "",
    ]
    if "cli" in r:
        c = r["cli"]
        lines += ["| command | Punchclock s | Watson s | Timewarrior s | ÷ Watson | target |",
                  "| --- | ---: | ---: | ---: | ---: | --- |"]  # fmt: skip
        for app, label in ((False, "no app"), (True, "tray app running")):
            s = c["status_app" if app else "status_no_app"]
            w = c["writes_app" if app else "writes_no_app"]
            target = "≤ 0.50×"
            lines.append(f"| `status`, {label} | {s['punchclock']:.3f} | {s['watson']:.3f} | "
                         f"{s['timew']:.3f} | {_ratio(s['punchclock'], s['watson'])} | "
                         f"{target} |")  # fmt: skip
            for cmd in ("start", "stop", "log"):
                target = "≤ 1.00×" if app else "≤ 0.6 s"
                lines.append(
                    f"| `{cmd}`, {label} | {w['punchclock ' + cmd]:.3f} | "
                    f"{w['watson ' + cmd]:.3f} | {w['timew ' + cmd]:.3f} | "
                    f"{_ratio(w['punchclock ' + cmd], w['watson ' + cmd])} | {target} |")
        s = c["status_no_app"]
        orm = s["python -c 'import sqlalchemy'"]
        lines += ["", f"Floors in the same rounds: `python -c pass` {s['python -c pass']:.3f} s, "
                  f"`python -c 'import sqlalchemy'` {orm:.3f} s.", ""]  # fmt: skip
    if "year" in r:
        y = r["year"]["report"]
        lines += [
            f"One year of data ({TECHS} technicians × {DAYS} days × {PER_DAY} entries = "
            f"{TECHS * DAYS * PER_DAY:,} entries in Punchclock; Watson and Timewarrior hold "
            f"technician 0's {DAYS * PER_DAY:,}), each tool loading the entries its own way "
            f"(`punchclock import watson` took {r['year']['import_s']:.2f} s per technician):",
            "",
            "| report over technician 0's year | seconds | Punchclock ÷ it | target |",
            "| --- | ---: | ---: | --- |",
            f"| `punchclock --as tech0 report utilization` | {y['punchclock']:.3f} | 1.00× | — |",
            f"| `watson report` | {y['watson']:.3f} | {_ratio(y['punchclock'], y['watson'])} "
            "| ≤ 0.20× |",
            f"| `timew summary` | {y['timew']:.3f} | {_ratio(y['punchclock'], y['timew'])} "
            "| ≤ 1.00× |",
            f"| `punchclock report utilization`, all 8 technicians | "
            f"{y['punchclock, all 8 technicians']:.3f} | — | — |",
            "",
        ]
    if "floors" in r:
        f = r["floors"]
        lines += [f"Floors: a FastAPI endpoint returning a constant answers {f['api']:,.0f} "
                  f"requests/s on loopback (uvicorn, one keep-alive `requests` session); SQLite "
                  f"inserts {f['sqlite']:,.0f} rows/s in one transaction (WAL, "
                  "synchronous=FULL, 100,000 rows). The bare PySide6 tray floor is in the "
                  "tray section.", ""]  # fmt: skip
    write_section(START, END, lines)
