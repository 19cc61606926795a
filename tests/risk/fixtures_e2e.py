"""Reuse the KR set-up of the declaration integration tests (tariff, declarant, analyst)."""

from tests.declarations.conftest import kr  # noqa: F401
