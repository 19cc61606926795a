"""Schemathesis against the app's own OpenAPI document (issue 9, "keep it fixed").

Every operation, with inputs generated from its declared schema, as an anonymous caller, a
declarant, an officer and an analyst, on a real app over a real SQLite database: no response
may be a server error, and every response must match what the document declares (status,
content type, headers, body schema). A fixed seed and bounded examples keep it to a couple of
minutes; ``SMARTCUSTOMS_FUZZ_EXAMPLES`` raises the bound for a deeper run.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from smartcustoms.config import Settings
from tests.classify.conftest import classify_home  # noqa: F401  (fixture)
from tests.conftest import Actors, _session_db, clean, data_dir

pytestmark = pytest.mark.slow

EXAMPLES = int(os.environ.get("SMARTCUSTOMS_FUZZ_EXAMPLES", "8"))
ROLES = ("anonymous", "declarant", "officer", "analyst")
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module")
def fuzz_target(
    request: pytest.FixtureRequest,
    classify_home: Path,  # noqa: F811
) -> Iterator[tuple[FastAPI, dict[str, dict[str, str]]]]:
    from smartcustoms.web.app import create_app

    db = _session_db(request, "sqlite")
    clean(db)
    actors = Actors(db)
    headers = {"anonymous": {}} | {
        role: Actors.headers(actors.user("KR", role)) for role in ROLES[1:]
    }
    # The small HS classifier of the classify tests: without one /api/v1/classify answers 503.
    home = classify_home
    app_settings = Settings(
        environment="test",
        home=home,
        database_url=db.url,
        data_dir=data_dir(),
        anonymous_expensive_per_minute=100_000,
    )
    yield create_app(app_settings, db=db), headers
    clean(db)


@pytest.mark.parametrize("role", ROLES)
def test_every_operation(role: str, fuzz_target: tuple[FastAPI, dict[str, dict[str, str]]]) -> None:
    app, headers = fuzz_target
    api = schemathesis.openapi.from_asgi("/openapi.json", app)
    findings: list[str] = []
    operations = 0
    for result in api.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            derandomize=True,  # the fixed seed: the same inputs on every run
            deadline=None,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def run(case: Any) -> None:
            sent = dict(case.headers or {})
            sent.pop("Authorization", None)
            case.headers = sent | headers[role]
            case.call_and_validate(checks=CHECKS)

        try:
            run()
        except (Exception, BaseExceptionGroup) as exc:  # try all operations, report all findings
            findings.append(f"{operation.label}: {type(exc).__name__}: {str(exc)[:1500]}")
    assert operations >= 60
    assert not findings, f"{len(findings)} operation(s) failed as {role}:\n" + "\n\n".join(findings)
