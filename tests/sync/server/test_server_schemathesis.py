"""Property-based API testing with schemathesis against the server running on
loopback (uvicorn on 127.0.0.1, real HTTP), from its own
``/api/v1/openapi.json``: a bounded number of generated requests per operation
(:data:`EXAMPLES`), signed in as an admin with a valid token. Every response is
checked with schemathesis' own checks — no 5xx (``not_a_server_error``), the
status is one the operation documents, the content type and the body conform
to the documented schema, a request that breaks the schema is refused
(``negative_data_rejection``: ``work_date_to=0`` is not a date), a method an
operation doesn't serve gets 405 with ``Allow`` — and every error body is an
ErrorOut. Routes that
would sign the fuzzing device out (logout, device revocation) are left out.
(The programmatic API is used because ``schemathesis.pytest.from_fixture`` does
not work with this pytest version.)"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)
from server_world import PASSWORD, make_world

from sync.server.testing import ServerHandle, run_server

EXAMPLES = 25
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
    unsupported_method,
]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerHandle]:
    path: Path = tmp_path_factory.mktemp("schemathesis")
    url = f"sqlite:///{path / 'server.sqlite3'}"
    seeded = make_world(url)  # the company and its people, in the served database
    seeded.client.close()
    seeded.db.dispose()
    server = run_server(path, database_url=url)
    try:
        yield server
    finally:
        server.stop()


def _login(base_url: str) -> dict[str, str]:
    r = requests.post(
        f"{base_url}/api/v1/auth/login",
        json={"email": "admin@x.test", "password": PASSWORD, "device_name": "schemathesis",
              "device_id": "schemathesis"},
        timeout=30,
    )  # fmt: skip
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def _signs_out(method: str, path: str) -> bool:
    return path.endswith("/auth/logout") or method.upper() == "DELETE"


def test_no_server_errors_and_responses_match_the_schema(served: ServerHandle) -> None:
    schema = schemathesis.openapi.from_url(f"{served.base_url}/api/v1/openapi.json")
    headers = _login(served.base_url)
    checked = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if _signs_out(operation.method, operation.path):
            continue

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case: Any) -> None:
            response = case.call_and_validate(headers=headers, checks=CHECKS, timeout=30)
            if response.status_code >= 400:
                assert set(response.json()) == {"code", "message"}, response.text[:300]

        run()
        checked.append(f"{operation.method.upper()} {operation.path}")
    assert len(checked) >= 8, checked
    assert "POST /api/v1/sync/push" in checked and "POST /api/v1/auth/login" in checked


def test_the_checks_catch_a_server_error(served: ServerHandle) -> None:
    """The checks above can fail: a 500 and an undocumented body are reported."""
    schema = schemathesis.openapi.from_url(f"{served.base_url}/api/v1/openapi.json")
    operation = schema["/api/v1/me"]["GET"]
    case = operation.Case()
    fake = requests.Response()
    fake.status_code, fake._content = 500, b'{"code": "internal", "message": "x"}'
    fake.headers["Content-Type"] = "application/json"
    fake.request = requests.Request("GET", f"{served.base_url}/api/v1/me").prepare()
    fake.url = fake.request.url or ""
    with pytest.raises(FailureGroup) as server_error:
        case.validate_response(fake, checks=CHECKS)
    assert "Server error" in str(server_error.value.exceptions)
    fake.status_code, fake._content = 200, b'{"id": 1}'
    with pytest.raises(FailureGroup) as bad_body:
        case.validate_response(fake, checks=CHECKS)
    assert "Response violates schema" in str(bad_body.value.exceptions)


def test_openapi_declares_models_and_errors(served: ServerHandle) -> None:
    spec = requests.get(f"{served.base_url}/api/v1/openapi.json", timeout=30).json()
    push = spec["paths"]["/api/v1/sync/push"]["post"]
    assert push["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "PushRequest"
    )
    assert {"200", "401", "403", "413", "422"} <= set(push["responses"])
    assert push["responses"]["413"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "ErrorOut"
    )
    assert "bearer" in str(spec["components"]["securitySchemes"]).lower()
