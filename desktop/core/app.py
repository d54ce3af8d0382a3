"""The core's front door: one object holding the database and every service.

The CLI and the tray both build one of these; tests build one on a temporary
folder with a fake clock.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from desktop.core.db import Database, open_database
from desktop.core.paths import APP_NAME, HOME_ENV, default_data_dir
from desktop.core.services.common import Clock
from desktop.core.services.company import CompanyService
from desktop.core.services.directory import DirectoryService
from desktop.core.services.grid import GridService
from desktop.core.services.idle import IdleService
from desktop.core.services.preferences import PreferencesService
from desktop.core.services.rates import RateService
from desktop.core.services.reminders import ReminderService
from desktop.core.services.timesheets import TimesheetService
from desktop.core.services.tracking import TrackingService
from desktop.core.timeutil import utcnow

if TYPE_CHECKING:
    from desktop.core.exports import ExportService
    from desktop.core.services.imports import ImportService
    from desktop.core.services.reports import ReportsService

__all__ = ["APP_NAME", "HOME_ENV", "Punchclock", "default_data_dir"]


class Punchclock:
    def __init__(self, db: Database, clock: Clock = utcnow) -> None:
        self.db = db
        self.clock = clock
        self.directory = DirectoryService(db, clock)
        self.tracking = TrackingService(db, clock)
        self.idle = IdleService(db, clock)
        self.preferences = PreferencesService(db, clock)
        self.reminders = ReminderService(db, clock)
        self.grid = GridService(db, clock)
        self.timesheets = TimesheetService(db, clock)
        self.rates = RateService(db, clock)
        self.company = CompanyService(db, clock)

    # Reports, exports and imports load on first use: `status` and the tray's
    # first paint never need them.
    @cached_property
    def reports(self) -> ReportsService:
        from desktop.core.services.reports import ReportsService

        return ReportsService(self.db, self.clock)

    @cached_property
    def exports(self) -> ExportService:
        from desktop.core.exports import ExportService

        return ExportService(self.db, self.clock)

    @cached_property
    def imports(self) -> ImportService:
        from desktop.core.services.imports import ImportService

        return ImportService(self.db, self.clock)

    @classmethod
    def open(cls, data_dir: Path | None = None, clock: Clock = utcnow) -> Punchclock:
        return cls(open_database(data_dir or default_data_dir()), clock)

    def close(self) -> None:
        self.db.close()
