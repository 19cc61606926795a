"""The live server's data home holds the small classifier; KR is set up for lodging."""

from __future__ import annotations

from pathlib import Path

import pytest

from smartcustoms.config import Settings
from smartcustoms.db.engine import Database
from tests.conftest import data_dir
from tests.integration.declarations.conftest import kr  # noqa: F401  (fixture)
from tests.unit.classify.conftest import classify_home  # noqa: F401  (fixture)


@pytest.fixture
def settings(classify_home: Path, db: Database) -> Settings:  # noqa: F811
    return Settings(
        environment="test", home=classify_home, database_url=db.url, data_dir=data_dir()
    )
