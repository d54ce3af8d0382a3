"""The revision counter under concurrent writers: a reader paging through the
changes feed while writers commit never skips a row, and revisions are unique."""

from __future__ import annotations

import threading
import uuid

import pytest
from server_world import make_world

from sync.server import admin
from sync.server.changes import changes
from sync.server.db.database import ServerDatabase
from sync.server.policy import load_principal


def test_reader_never_skips_a_row_under_concurrent_writers(database_url: str) -> None:
    world = make_world(database_url)
    world.client.close()
    writers, per_writer = 6, 25
    # each writer has its own engines, like a separate worker process
    dbs = [ServerDatabase(database_url) for _ in range(writers)]
    written: list[str] = []
    lock = threading.Lock()
    done = threading.Event()

    def write(db: ServerDatabase) -> None:
        for i in range(per_writer):
            key = admin.add_row(
                db, "task", {"customer_id": world.ids["acme"], "title": f"T{i}", "status": "open"},
                key=str(uuid.uuid4()),
            )  # fmt: skip
            with lock:
                written.append(key)

    seen: dict[str, int] = {}
    revisions: list[int] = []

    def read() -> None:
        reader = ServerDatabase(database_url)
        with reader.read() as conn:
            actor = load_principal(conn, world.ids["admin"])
        assert actor is not None
        cursor = 0
        while True:
            finished = done.is_set()
            with reader.read() as conn:
                page = changes(conn, actor, cursor, 7)
            for c in page.changes:
                revisions.append(c.revision)
                seen[c.entity_id] = c.revision
            cursor = page.cursor
            if finished and not page.has_more:
                break
        reader.dispose()

    threads = [threading.Thread(target=write, args=(db,)) for db in dbs]
    reader_thread = threading.Thread(target=read)
    reader_thread.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    done.set()
    reader_thread.join(timeout=120)
    for db in dbs:
        db.dispose()
    world.db.dispose()
    assert len(written) == writers * per_writer
    assert set(written) <= set(seen), "the reader skipped rows"
    assert revisions == sorted(revisions) and len(set(revisions)) == len(revisions)


def test_writers_of_different_scopes_work_in_parallel_and_commit_in_order(
    database_url: str,
) -> None:
    """PostgreSQL: a transaction still doing its work doesn't hold up another
    one; revisions are given at commit, so the one that commits first has the
    lower revision and a reader never sees a row beyond the counter."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has one writer at a time by design")
    from desktop.core.timeutil import utcnow
    from sync.server.rows import RowWriter

    world = make_world(database_url)
    world.client.close()
    slow_db, fast_db = ServerDatabase(database_url), ServerDatabase(database_url)
    working, release = threading.Event(), threading.Event()
    keys: dict[str, str] = {}

    def slow() -> None:
        with slow_db.write() as conn:
            slow_db.lock(conn, "owner:slow")
            row = {"customer_id": world.ids["acme"], "title": "slow", "status": "open"}
            keys["slow"] = RowWriter(conn, utcnow()).create("task", str(uuid.uuid4()), row)["id"]
            working.set()
            assert release.wait(60)

    thread = threading.Thread(target=slow)
    thread.start()
    try:
        assert working.wait(60)
        # The slow transaction is open and has written its row: this one goes through.
        keys["fast"] = admin.add_row(
            fast_db, "task", {"customer_id": world.ids["acme"], "title": "fast", "status": "open"}
        )
        with fast_db.read() as conn:
            actor = load_principal(conn, world.ids["admin"])
            assert actor is not None
            seen = {c.entity_id: c.revision for c in changes(conn, actor, 0, 500).changes}
        assert keys["fast"] in seen and keys["slow"] not in seen
    finally:
        release.set()
        thread.join(timeout=60)
    with fast_db.read() as conn:
        seen = {c.entity_id: c.revision for c in changes(conn, actor, 0, 500).changes}
    assert seen[keys["fast"]] < seen[keys["slow"]]
    assert all(r > 0 for r in seen.values())
    for db in (slow_db, fast_db, world.db):
        db.dispose()
