"""The three-order cross-check (stage 2 placeholder)."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from smartcustoms.db.uow import UnitOfWork
from smartcustoms.ecommerce import engine


def checker(
    uow: UnitOfWork, ctx: engine.Context
) -> Callable[[pd.DataFrame, engine.RunState], pd.DataFrame] | None:
    return None
