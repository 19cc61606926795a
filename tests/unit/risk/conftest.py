"""Fixtures for the risk tests."""

from __future__ import annotations

import pandas as pd
import pytest
from risk_synth import make_frame


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return make_frame()
