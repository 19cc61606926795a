"""Reproducible random draws fixed by an identifier.

Random selection for inspection must not be re-rollable: a trader who resubmits the same
declaration gets the same draw, so cannot retry until it comes out green. The draw is a hash
of a seed and the declaration id, not a random number generator's state.
"""

from __future__ import annotations

import hashlib

__all__ = ["uniform_draw"]


def uniform_draw(seed: str, declaration_id: str) -> float:
    """A draw in [0, 1) fixed by the declaration id: reproducible, and a trader cannot retry
    the same declaration until it comes out green."""
    digest = hashlib.sha256(f"{seed}:{declaration_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64
