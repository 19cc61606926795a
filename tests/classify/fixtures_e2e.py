"""For the e2e tests of classify: the live server's data home holds the small classifier; KR
is set up for lodging. (Formerly tests/e2e/classify/conftest.py: now that the e2e tests share
the package with the others, the ``settings`` override applies to e2e-marked tests only.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from smartcustoms.config import Settings
from smartcustoms.db.engine import Database
from tests.classify.conftest import classify_home  # noqa: F401  (fixture)
from tests.conftest import data_dir
from tests.declarations.conftest import kr  # noqa: F401  (fixture)


@pytest.fixture
def settings(settings: Settings, request: pytest.FixtureRequest, db: Database) -> Settings:
    if request.node.get_closest_marker("e2e") is None:
        return settings  # the root conftest's settings, as before the move
    home: Path = request.getfixturevalue("classify_home")
    return Settings(environment="test", home=home, database_url=db.url, data_dir=data_dir())
