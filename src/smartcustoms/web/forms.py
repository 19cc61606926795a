"""Helpers for pages whose forms show every problem beside its field."""

from __future__ import annotations

from collections.abc import Iterable

from smartcustoms.errors import FieldError
from smartcustoms.web.i18n import gettext as _

__all__ = ["by_path", "require_text"]


def by_path(problems: Iterable[FieldError]) -> dict[str, list[FieldError]]:
    """Problems grouped by field path, for ``_forms.html`` (a field shows its own)."""
    out: dict[str, list[FieldError]] = {}
    for p in problems:
        out.setdefault(p.path, []).append(p)
    return out


def require_text(values: dict[str, str], *names: str) -> list[FieldError]:
    """A 'required' problem for every empty field among ``names``."""
    return [
        FieldError(n, "required", _("this field is required"))
        for n in names
        if not values.get(n, "").strip()
    ]
