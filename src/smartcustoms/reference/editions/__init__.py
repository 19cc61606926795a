"""Earlier HS editions: which subheadings existed before HS 2022 and were then deleted.

One rule everywhere (declarations, the HS pages, the CLI): a valid code is an HS 2022
subheading; a code of an earlier edition is accepted, with a warning, only on a declaration
dated before that edition ended, and only if it really existed in it (this list).
"""

from __future__ import annotations

from datetime import date
from functools import cache
from pathlib import Path

HS_2022_FROM = date(2022, 1, 1)
_FILE = Path(__file__).parent / "hs2017-not-in-hs2022.txt"


@cache
def hs2017_only() -> frozenset[str]:
    """HS 2017 subheadings that are not HS 2022 subheadings."""
    codes: set[str] = set()
    for line in _FILE.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            codes.update(c for c in line.split() if c.isdigit() and len(c) == 6)
    return frozenset(codes)


def earlier_edition(hs6: str) -> str | None:
    """``"HS 2017"`` when ``hs6`` is a subheading of HS 2017 that HS 2022 no longer has."""
    return "HS 2017" if hs6 in hs2017_only() else None


__all__ = ["HS_2022_FROM", "earlier_edition", "hs2017_only"]
