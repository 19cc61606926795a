"""Reuse the KR set-up of the declaration integration tests (tariff, declarant, analyst)."""

from tests.integration.declarations.conftest import kr  # noqa: F401
