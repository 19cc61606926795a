"""Demo parcels: a day of generated parcels per demo economy, lodged like a carrier would.

``load_demo_parcels`` is idempotent: the generator is seeded, so running it again lodges the
same bytes and the manifest job answers with its first outcome.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import orjson

from smartcustoms.accounts.model import Role
from smartcustoms.db.uow import UnitOfWork
from smartcustoms.declarations.service import system_principal
from smartcustoms.ecommerce import generator, services
from smartcustoms.ecommerce.services.regimes import regime_for
from smartcustoms.reference import service as reference

__all__ = ["DEMO_SEED", "load_demo_parcels"]

DEMO_SEED = 20260310


def load_demo_parcels(
    uow_factory: Callable[[], UnitOfWork],
    *,
    secret_key: str,
    files_dir: Path,
    economies: Sequence[str] = ("KR", "SG"),
    parcels: int = 3000,
    on: date | None = None,
    report: Callable[[str, int, int], None] | None = None,
) -> str:
    """Lodge yesterday's and today's parcels for each economy, learn unit-value norms from
    yesterday's, and return a one-line summary (for ``make demo``)."""
    today = on or date.today()
    carrier = "CARR-DEMO"
    parts: list[str] = []
    steps = len(economies) * 2
    done = 0
    for economy in economies:
        who = replace(system_principal(economy, carrier), roles=frozenset({Role.CARRIER}))
        decided = 0
        latest = _latest_rated_day(uow_factory, economy, today)
        for offset, seed in ((1, DEMO_SEED + 1), (0, DEMO_SEED)):
            day = latest - timedelta(days=offset)
            data = b"".join(
                orjson.dumps(p) + b"\n"
                for p, _ in generator.generate(
                    parcels, seed, economy, day, prefix=f"{economy}D{day:%y%m%d}"
                )
            )
            outcome = services.submit_manifest(
                uow_factory(),
                who,
                data,
                secret_key=secret_key,
                files_dir=files_dir,
                filename="demo.ndjson",
                on=day,
            )
            decided += outcome.decided
            if offset == 1:
                services.refresh_norms(uow_factory(), economy, latest, min_count=10)
            done += 1
            if report:
                report(f"e-commerce parcels {economy}", done, steps)
        parts.append(f"{economy} {decided:,}")
    return "parcels " + ", ".join(parts)


def _latest_rated_day(uow_factory: Callable[[], UnitOfWork], economy: str, today: date) -> date:
    """Today, or the middle of the last month with an exchange rate for the economy's currency
    when the loaded rates end earlier (the built-in sample ends in 2021): parcels are valued at
    the rate of their month, so the demo lodges them on a day that has one."""
    currency = regime_for(uow_factory(), economy, today).currency
    if currency == "USD":
        return today
    _, last = reference.fx_range(uow_factory(), currency)
    if last is None or last.replace(day=1) >= today.replace(day=1):
        return today
    return last.replace(day=15)
