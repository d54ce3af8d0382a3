"""Imported time syncs like any other: a technician's Timewarrior history (and
the ticket task it creates) is pushed to the real server and pulled by a
second device; importing again queues nothing."""

from __future__ import annotations

import json

from client_world import TOM, Msp, day


def _timew_export() -> str:
    def stamp(offset: int, hour: int) -> str:
        return f"{day(offset):%Y%m%d}T{hour:02d}0000Z"

    return json.dumps(
        [
            {
                "id": 2,
                "start": stamp(0, 9),
                "end": stamp(0, 11),
                "tags": ["ACME", "#4521"],
                "annotation": "Migrated the file server",
            },
            {"id": 1, "start": stamp(1, 13), "end": stamp(1, 14), "tags": ["Globex"]},
        ]
    )


def test_imported_entries_push_and_pull(msp: Msp) -> None:
    a = msp.laptop("tom-a", TOM)
    report = a.app.imports.run(a.me, "timewarrior", _timew_export())
    assert (report.added, report.refused) == (2, ())
    sync = a.sync()
    assert (sync.pushed, sync.waiting, sync.attention) == (3, 0, 0)  # 2 entries + the task
    assert len(msp.server_rows("time_entry")) == 2
    b = msp.laptop("tom-b", TOM)
    assert b.dump("time_entry") == a.dump("time_entry")
    again = a.app.imports.run(a.me, "timewarrior", _timew_export())
    assert (again.added, again.duplicates) == (0, 2) and a.outbox() == []
