"""The KR set-up of the declaration tests (tariff, declarant, officer)."""

from tests.integration.declarations.conftest import kr  # noqa: F401
