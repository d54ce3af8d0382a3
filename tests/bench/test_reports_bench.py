"""Reports benchmark: utilization and profitability over one year ×
50 technicians (~75,000 entries: 6 a working day each, over 4 teams, 12
customers with rounding rules, 3 projects each, a billing-rate change
mid-year for everyone, company holidays and time off; every week approved).
The issue's bar is under 0.3 s per report; ``make bench`` prints the figures
(not a timed test: a loaded machine must not fail it).

The set-up writes rows in bulk (it is not what is measured); the reports run
through :class:`desktop.core.app.Punchclock` as the CLI and the windows call
them.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert, text

from desktop.core.app import Punchclock
from desktop.core.db import open_database
from desktop.core.model import (
    Customer,
    Holiday,
    Project,
    Rate,
    Team,
    TimeEntry,
    Timesheet,
    User,
    new_id,
)

YEAR = date(2026, 1, 1), date(2026, 12, 31)
TECHS = 50
PER_DAY = 6


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Punchclock, str]]:
    folder: Path = tmp_path_factory.mktemp("reports-bench")
    pc = Punchclock(open_database(folder), clock=lambda: datetime(2027, 1, 15, tzinfo=UTC))
    admin = pc.directory.init_profile(name="Ada Admin", email="admin@msp.test").id
    rnd = random.Random(9)
    now = datetime(2027, 1, 10, tzinfo=UTC)
    with pc.db.write() as s:
        teams = [new_id() for _ in range(4)]
        s.execute(
            insert(Team),
            [{"id": t, "name": f"Team {i}", "manager_id": admin} for i, t in enumerate(teams)],
        )
        users = [new_id() for _ in range(TECHS)]
        s.execute(
            insert(User),
            [
                {
                    "id": u,
                    "name": f"Tech {i:02d}",
                    "email": f"t{i:02d}@msp.test",
                    "role": "technician",
                    "team_id": teams[i % 4],
                    "work_schedule": [8 * 3600] * 5 + [0, 0],
                    "utilization_target": 75,
                    "timezone": "Europe/Berlin",
                }
                for i, u in enumerate(users)
            ],
        )
        customers = [new_id() for _ in range(12)]
        s.execute(
            insert(Customer),
            [
                {
                    "id": c,
                    "name": f"Customer {i:02d}",
                    "round_increment_min": (0, 6, 15)[i % 3],
                    "round_minimum_min": (0, 15, 30)[i % 3],
                    "is_internal": i == 0,
                    "default_billable": i != 0,
                }
                for i, c in enumerate(customers)
            ],
        )
        projects = [(c, new_id()) for c in customers for _ in range(3)]
        s.execute(
            insert(Project),
            [
                {"id": p, "customer_id": c, "name": f"Project {i}"}
                for i, (c, p) in enumerate(projects)
            ],
        )
        rates = []
        for u in users:
            for kind, amount, since in (
                ("billing", rnd.randrange(8000, 12000), YEAR[0]),
                ("billing", rnd.randrange(9000, 13000), date(2026, 7, 1)),
                ("cost", rnd.randrange(3000, 5000), YEAR[0]),
            ):
                rates.append(
                    {
                        "id": new_id(),
                        "user_id": u,
                        "kind": kind,
                        "amount_minor": amount,
                        "currency": "EUR",
                        "effective_from": since,
                    }
                )
        for c, p in projects[:6]:
            rates.append(
                {
                    "id": new_id(),
                    "user_id": users[0],
                    "kind": "billing",
                    "amount_minor": 15000,
                    "currency": "EUR",
                    "effective_from": YEAR[0],
                    "customer_id": c,
                    "project_id": p,
                }
            )
        s.execute(insert(Rate), rates)
        s.execute(
            insert(Holiday),
            [
                {"id": new_id(), "date": d, "hours_s": 86400, "name": "holiday"}
                for d in (date(2026, 1, 1), date(2026, 5, 1), date(2026, 12, 25))
            ]
            + [
                {
                    "id": new_id(),
                    "date": date(2026, 8, 3) + timedelta(days=i % 5),
                    "hours_s": 8 * 3600,
                    "name": "off",
                    "user_id": u,
                }
                for i, u in enumerate(users)
            ],
        )
        entries: list[dict[str, Any]] = []
        sheets: list[dict[str, Any]] = []
        day = YEAR[0]
        while day <= YEAR[1]:
            if day.weekday() < 5:
                for u in users:
                    for _ in range(PER_DAY):
                        c, p = projects[rnd.randrange(len(projects))]
                        entries.append(
                            {
                                "id": new_id(),
                                "user_id": u,
                                "customer_id": c,
                                "project_id": p,
                                "work_date": day,
                                "duration_s": rnd.randrange(10, 120) * 60,
                                "description": "patched and rebooted the file server",
                                "billable": c != customers[0],
                                "source": "manual",
                                "created_at": now,
                                "updated_at": now,
                            }
                        )
            if day.weekday() == 0:
                sheets += [
                    {
                        "id": new_id(),
                        "user_id": u,
                        "week_start": day,
                        "status": "approved",
                        "updated_at": now,
                    }
                    for u in users
                ]
            day += timedelta(days=1)
        for first in range(0, len(entries), 5000):
            s.execute(insert(TimeEntry), entries[first : first + 5000])
        s.execute(insert(Timesheet), sheets)
    with pc.db.write() as s:
        s.execute(text("ANALYZE"))
    yield pc, admin
    pc.close()


@pytest.mark.parametrize("by", ["technician", "team"])
def test_utilization_one_year_50_technicians(
    benchmark: Any, world: tuple[Punchclock, str], by: str
) -> None:
    pc, admin = world
    with pc.db.read() as s:
        count = s.execute(text("SELECT count(*) FROM time_entry")).scalar()
    assert count is not None and 74_000 <= count <= 80_000
    report = benchmark(lambda: pc.reports.utilization(*YEAR, by=by, actor_id=admin))
    assert report.total.billable_s > 0 and report.total.available_s > 0


def test_utilization_approved_basis(benchmark: Any, world: tuple[Punchclock, str]) -> None:
    pc, admin = world
    report = benchmark(lambda: pc.reports.utilization(*YEAR, basis="approved", actor_id=admin))
    assert report.total.billable_s > 0


@pytest.mark.parametrize("by", ["customer", "project", "technician"])
def test_profitability_one_year_50_technicians(
    benchmark: Any, world: tuple[Punchclock, str], by: str
) -> None:
    pc, admin = world
    report = benchmark(lambda: pc.reports.profitability(*YEAR, by=by, actor_id=admin))
    assert report.total.value_minor > 0 and report.total.cost_minor
