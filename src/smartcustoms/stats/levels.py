"""Roll-up levels of the trade cells, and which level answers a query.

Every item is counted once per level. A query reads the smallest level that still has every
dimension it groups or filters by; the finest level ``f`` answers anything.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ALL", "LEVELS", "Level", "choose", "project"]

ALL = "*"


@dataclass(frozen=True, slots=True)
class Level:
    code: str
    partner: bool
    hs_digits: int
    """0: no HS dimension."""
    mode_office: bool


LEVELS: tuple[Level, ...] = (
    Level("p", True, 0, False),
    Level("h2", False, 2, False),
    Level("mo", False, 0, True),
    Level("h4", False, 4, False),
    Level("ph2", True, 2, False),
    Level("h6", False, 6, False),
    Level("f", True, 6, True),
)
"""Smallest first (on replicated KCS data; real data has the same ordering)."""


def choose(partner: bool, hs_digits: int, mode_office: bool) -> Level:
    """The smallest level that keeps the dimensions a query needs."""
    for level in LEVELS:
        if (
            (level.partner or not partner)
            and level.hs_digits >= hs_digits
            and (level.mode_office or not mode_office)
        ):
            return level
    return LEVELS[-1]


def project(
    level: Level, partner: str, hs6: str, mode: str, office: str
) -> tuple[str, str, str, str]:
    """A fine cell's key at ``level``."""
    return (
        partner if level.partner else ALL,
        hs6[: level.hs_digits] if level.hs_digits else ALL,
        mode if level.mode_office else ALL,
        office if level.mode_office else ALL,
    )
