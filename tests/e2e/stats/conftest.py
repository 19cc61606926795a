"""Reuse the hand-made KR statistics fixture of the integration tests."""

from tests.integration.declarations.conftest import kr  # noqa: F401
from tests.integration.stats.conftest import stats_kr  # noqa: F401
