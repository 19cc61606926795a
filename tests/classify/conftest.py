"""One small classifier per test session, built from a slice of the shared data (a few
chapters), so every classify test runs in seconds."""

from __future__ import annotations

from pathlib import Path

import pytest

from smartcustoms.classify import service
from smartcustoms.classify.store import ModelStore
from smartcustoms.classify.suggester import Suggester

SLICE = ("42", "61", "62", "64", "71", "85", "95")


@pytest.fixture(scope="session")
def classify_home(tmp_path_factory: pytest.TempPathFactory, shared_data_dir: Path) -> Path:
    home = tmp_path_factory.mktemp("classify-home")
    service.build_model(shared_data_dir, ModelStore.under(home), chapters=SLICE, refit=False)
    return home


@pytest.fixture(scope="session")
def suggester(classify_home: Path) -> Suggester:
    return ModelStore.under(classify_home).load()


from tests.classify.fixtures_e2e import *  # noqa: E402, F403  (fixtures of the former tests/e2e/classify/conftest.py)
from tests.classify.fixtures_integration import *  # noqa: E402, F403  (fixtures of the former tests/integration/classify/conftest.py)
