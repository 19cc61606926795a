"""Who may do what, and the constants the e-commerce use cases share."""

from __future__ import annotations

from collections.abc import Callable

from smartcustoms.accounts.model import Role

__all__ = [
    "CHUNK",
    "LODGERS",
    "MAX_ERRORS_KEPT",
    "OFFICERS",
    "PARTY_KINDS",
    "RESULTS",
    "WATCHLIST",
    "Progress",
]


LODGERS = (Role.PLATFORM, Role.CARRIER)
OFFICERS = (Role.OFFICER, Role.ANALYST)
RESULTS = ("no_finding", "finding", "seized", "released_after_info", "refused")
PARTY_KINDS = ("platform", "payment", "carrier")
CHUNK = 50_000
MAX_ERRORS_KEPT = 10_000
Progress = Callable[[int, int], None]
WATCHLIST = "ecommerce"
