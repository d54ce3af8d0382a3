"""Fixtures of the server suite: a database URL per backend (SQLite file, and a
throwaway PostgreSQL cluster when root with Debian's binaries), an in-process
app with TestClient, and people to act as."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from server_world import World, make_world

from sync.server.testing import PgCluster, PgUnavailable
from sync.server.testing import pg_cluster as start_pg_cluster


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    """A throwaway PostgreSQL cluster (root + Debian's postgresql binaries), else skip."""
    try:
        with start_pg_cluster() as cluster:
            yield cluster
    except PgUnavailable as exc:
        pytest.skip(str(exc))


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'server.sqlite3'}"
    cluster: PgCluster = request.getfixturevalue("pg_cluster")
    return cluster.createdb()


@pytest.fixture
def world(database_url: str) -> Iterator[World]:
    w = make_world(database_url)
    try:
        yield w
    finally:
        w.client.close()
        w.db.dispose()
