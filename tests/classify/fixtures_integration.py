"""A web app whose data home holds the small classifier of the unit tests, and KR set up
for lodging (the declarations tests' fixture)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from smartcustoms.db.engine import Database
from tests.classify.conftest import classify_home, suggester  # noqa: F401  (fixtures)
from tests.conftest import data_dir
from tests.declarations.conftest import kr  # noqa: F401  (fixture)


@pytest.fixture
def classify_client(classify_home: Path, db: Database) -> Iterator[Any]:  # noqa: F811
    from fastapi.testclient import TestClient

    from smartcustoms.config import Settings
    from smartcustoms.web.app import create_app

    settings = Settings(
        environment="test", home=classify_home, database_url=db.url, data_dir=data_dir()
    )
    with TestClient(create_app(settings, db=db)) as test_client:
        yield test_client
