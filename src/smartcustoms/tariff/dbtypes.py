"""Moved to :mod:`smartcustoms.db.types` (shared column types belong to the kernel); kept so
imports of the old path keep working."""

from smartcustoms.db.types import SCALE, Amount, plain

__all__ = ["SCALE", "Amount", "plain"]
