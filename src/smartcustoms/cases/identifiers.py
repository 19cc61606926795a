"""How cases are named, and how a reference is resolved (pure; see docs/cases.md).

- A case's **id** is assigned by the platform: 32 lower-case hex digits (``core.ids.new_id``).
  Callers of the API never choose one; the operator's file import may keep the ids of an
  export (they are checked to be ids, and a taken id is never overwritten).
- A case's **slug** is lower-case letters and digits in hyphen-separated words, at most 120
  characters, in its economy's namespace: it starts with the economy's code (``kr-...``; the
  shipped examples: ``example-kr-...``). The platform derives it from the title; an imported
  slug must already be in the namespace of the case's economy, so no economy can take, shadow
  or probe another's slugs.
- A reference (in URLs and commands) is resolved by its shape, never by trying one kind and
  then the other: 32 hex digits is an id, anything else is a slug. A slug always has a hyphen,
  so it can never look like an id.
- Slugs are also file names in exports: the pattern admits no ``/``, ``\\``, ``.`` or ``..``.
"""

from __future__ import annotations

import re

__all__ = ["MAX_SLUG", "is_case_id", "is_slug", "slug_problem"]

MAX_SLUG = 120
_ID = re.compile(r"[0-9a-f]{32}")
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)+")


def is_case_id(ref: str) -> bool:
    return _ID.fullmatch(ref) is not None


def is_slug(ref: str) -> bool:
    return len(ref) <= MAX_SLUG and _SLUG.fullmatch(ref) is not None


def slug_problem(slug: object, economy: str) -> str | None:
    """Why ``slug`` cannot name a case of ``economy`` (None when it can)."""
    prefix = f"{economy.lower()}-"
    if not isinstance(slug, str) or not is_slug(slug):
        return (
            f"a slug is lower-case letters and digits in words joined by '-' "
            f"(at most {MAX_SLUG} characters), e.g. '{prefix}single-window'"
        )
    if not (slug.startswith(prefix) or slug.startswith(f"example-{prefix}")):
        return f"a slug of a case of {economy.upper()} starts with '{prefix}'"
    return None
