"""The APEC List of Environmental Goods (2012, Annex C: 54 HS 2007 subheadings) on HS 2022.

Mapping rule (HS 2007 -> HS 2022), applied to every listed subheading:

* if the HS 2007 code still exists in HS 2022, it maps to itself ("listed");
* if it no longer exists, it maps to every HS 2022 subheading that shares its first five
  digits ("split from listed HS 2007 subheading"): 8541.40 -> 8541.41/42/43/49,
  9027.80 -> 9027.81/89, 8514.10 -> 8514.11/19.

Limits, on purpose and documented: most APEC entries are *ex-outs* (only part of the
subheading is an environmental good, e.g. solar water heaters within 8419.19), so "is an
environmental good" means "falls in a subheading the list names", not that every product in
it qualifies. A split whose new subheadings moved outside the five-digit group, or a
subheading that kept its number but lost part of its scope, is not caught by this rule; a
proper WCO HS 2007→2022 correlation table would be needed for those.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from smartcustoms.reference.loaders.common import BadFile, read_text

LISTED = "listed"
SPLIT = "split from listed HS 2007 subheading"
_SIX = re.compile(r"\d{6}")


def parse(path: Path) -> list[str]:
    """The listed HS 2007 subheadings, in file order (one per line; '#' starts a comment)."""
    codes: list[str] = []
    for line, text in enumerate(read_text(path).splitlines(), start=1):
        value = text.split("#", 1)[0].strip().replace(".", "")
        if not value:
            continue
        if not _SIX.fullmatch(value):
            raise BadFile(path, f"{text.strip()!r} is not a 6-digit HS subheading", line)
        if value not in codes:
            codes.append(value)
    if not codes:
        raise BadFile(path, "holds no HS codes")
    return codes


def map_to_current(
    listed: Iterable[str], subheadings: Iterable[str]
) -> tuple[list[dict[str, str]], list[str]]:
    """Rows for ``ref_egl`` (code, listed_code, derivation) and the listed codes left unmapped."""
    current = sorted(set(subheadings))
    rows: list[dict[str, str]] = []
    unmapped: list[str] = []
    for old in listed:
        if old in current:
            rows.append({"code": old, "listed_code": old, "derivation": LISTED})
            continue
        split = [c for c in current if c[:5] == old[:5]]
        if not split:
            unmapped.append(old)
        rows.extend({"code": c, "listed_code": old, "derivation": SPLIT} for c in split)
    return rows, unmapped
