"""Reuse the hand-made KR statistics fixture of the integration tests."""

from tests.declarations.conftest import kr  # noqa: F401
from tests.stats.conftest import stats_kr  # noqa: F401
