"""The KR set-up of the declaration tests, for the CSRF browser test."""

from tests.declarations.conftest import kr  # noqa: F401
