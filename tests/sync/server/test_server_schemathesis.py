"""Property-based API testing with schemathesis against /api/v1/openapi.json:
a bounded number of generated requests per operation (25), signed in as an
admin with a valid token — the server never answers 5xx and every error is an
ErrorOut. (The programmatic API is used because ``schemathesis.pytest.from_fixture``
does not work with this pytest version.)"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from server_world import World, make_world


@pytest.fixture(scope="module")
def api_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    path: Path = tmp_path_factory.mktemp("schemathesis") / "server.sqlite3"
    world = make_world(f"sqlite:///{path}")
    yield world
    world.client.close()
    world.db.dispose()


def test_no_server_errors(api_world: World) -> None:
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", api_world.client.app)
    headers = api_world.login("admin", "schemathesis")
    checked = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path.endswith("/auth/logout") or operation.method.upper() == "DELETE":
            continue  # would sign the fuzzing device out

        @given(case=operation.as_strategy())
        @settings(
            max_examples=25,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case: Any) -> None:
            response = case.call(headers=headers)
            assert response.status_code < 500, (case.method, case.path, response.text[:300])
            if response.status_code >= 400:
                assert set(response.json()) == {"code", "message"}, response.text[:300]

        run()
        checked += 1
    assert checked >= 8


def test_openapi_declares_models_and_errors(api_world: World) -> None:
    spec = api_world.client.get("/api/v1/openapi.json").json()
    push = spec["paths"]["/api/v1/sync/push"]["post"]
    assert push["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "PushRequest"
    )
    assert {"200", "401", "403", "413", "422"} <= set(push["responses"])
    assert push["responses"]["413"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "ErrorOut"
    )
    assert "bearer" in str(spec["components"]["securitySchemes"]).lower()
