"""Fixtures for the risk tests."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.risk.risk_synth import make_frame


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return make_frame()


from tests.risk.fixtures_e2e import *  # noqa: E402, F403  (fixtures of the former tests/e2e/risk/conftest.py)
