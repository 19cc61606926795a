"""Find every feature's ``tables`` module so the metadata (and Alembic) sees all tables."""

from __future__ import annotations

import importlib
import pkgutil

import smartcustoms
from smartcustoms.db.base import Base


def load_all_tables() -> type[Base]:
    for module in pkgutil.iter_modules(smartcustoms.__path__):
        if module.ispkg:
            try:
                importlib.import_module(f"smartcustoms.{module.name}.tables")
            except ModuleNotFoundError as exc:
                if exc.name != f"smartcustoms.{module.name}.tables":
                    raise
    return Base
