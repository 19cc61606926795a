"""The KR set-up of the declaration tests (tariff, declarant, officer) for the page tests."""

from tests.declarations.conftest import kr  # noqa: F401
