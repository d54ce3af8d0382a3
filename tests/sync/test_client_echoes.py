"""A device never pulls back the rows it just pushed, and still ends up with
exactly the server's copy of each (version, ``updated_at``, ``deleted_at``):
the same rows as a second device that pulled them."""

from __future__ import annotations

from client_world import LAST_WEEK, TOM, Msp, fill_week


def test_pushed_rows_are_not_pulled_back_and_match_the_server(msp: Msp) -> None:
    a, b = msp.laptop("a", TOM), msp.laptop("b", TOM)
    ids = fill_week(a, LAST_WEEK)
    a.app.tracking.delete(a.me, ids[4])
    report = a.sync()
    assert report.ok and report.pushed == 6 and report.pulled == 0, report
    assert b.sync().pulled == 5
    assert a.dump("time_entry") == b.dump("time_entry")
    local = a.dump("time_entry")["time_entry"]
    for row in msp.server_rows("time_entry"):
        assert local[row["id"]]["version"] == row["version"]
        assert local[row["id"]]["updated_at"] == row["updated_at"].isoformat()
    assert local[ids[4]]["deleted_at"] is not None

    b.app.tracking.edit(b.me, ids[0], description="replaced the failing RAID disk, rebuilt")
    assert b.sync().pulled == 0
    report = a.sync()
    assert report.pulled == 1, report
    assert a.dump("time_entry") == b.dump("time_entry")
