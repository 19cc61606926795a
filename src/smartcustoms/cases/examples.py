"""The example cases shipped with the platform (published on first run and by the demo)."""

from __future__ import annotations

from smartcustoms.cases import io
from smartcustoms.cases.importing import EXAMPLES_DIR, import_contents
from smartcustoms.core import codes
from smartcustoms.core.clock import Clock
from smartcustoms.db.uow import UnitOfWork

__all__ = ["EXAMPLES_DIR", "load_examples"]


def load_examples(uow: UnitOfWork, clock: Clock | None = None) -> int:
    """Publish the shipped example cases that are not present yet; returns how many were added."""
    items = io.read_directory(EXAMPLES_DIR, known_economies=set(codes.APEC_CODES))
    created, _ = import_contents(uow, items, principal=None, publish=True, clock=clock)
    return len(created)
