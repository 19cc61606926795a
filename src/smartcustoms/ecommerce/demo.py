"""Demo parcels: a day of generated parcels per demo economy, lodged like a carrier would.

``load_demo_parcels`` is idempotent: the generator is seeded, so running it again lodges the
same bytes and the manifest job answers with its first outcome.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import orjson

from smartcustoms.accounts.model import Role
from smartcustoms.db.uow import UnitOfWork
from smartcustoms.declarations.service import system_principal
from smartcustoms.ecommerce import generator, services

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
    today = on or _demo_day(uow_factory, economies, date.today())
    carrier = "CARR-DEMO"
    parts: list[str] = []
    steps = len(economies) * 2
    done = 0
    for economy in economies:
        who = replace(system_principal(economy, carrier), roles=frozenset({Role.CARRIER}))
        decided = 0
        for offset, seed in ((1, DEMO_SEED + 1), (0, DEMO_SEED)):
            day = today - timedelta(days=offset)
            prefix = f"{economy}D{day:%y%m%d}"
            data = b"".join(
                orjson.dumps(_code_dropped(p, i) if kind is None else p) + b"\n"
                for i, (p, kind) in enumerate(
                    generator.generate(parcels, seed, economy, day, prefix=prefix)
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
                services.refresh_norms(uow_factory(), economy, today, min_count=10)
            done += 1
            if report:
                report(f"e-commerce parcels {economy}", done, steps)
        parts.append(f"{economy} {decided:,}")
    return "parcels " + ", ".join(parts)


def _demo_day(uow_factory: Callable[[], UnitOfWork], economies: Sequence[str], today: date) -> date:
    """Today; or, when the loaded exchange rates of a demo economy's currency end more than
    about a year ago (the built-in sample data), the last day of their last month, so that the
    parcels can be valued."""
    from smartcustoms.core.codes import apec_economy
    from smartcustoms.reference import service as reference

    recent = (today - timedelta(days=330)).replace(day=1)
    day = today
    for economy in economies:
        found = apec_economy(economy)
        if found is None:
            continue
        _, last = reference.rate_months(uow_factory(), found.currency)
        if last is not None and last < recent:
            end = (last.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
            day = min(day, end)
    return day


WITHOUT_CODE_EVERY = 25


def _code_dropped(parcel: dict[str, Any], index: int) -> dict[str, Any]:
    """One honest parcel in 25 comes without an HS code on its first item, as marketplace data
    often does: the HS classifier (built before the parcels) classifies it, or it is held."""
    if index % WITHOUT_CODE_EVERY == WITHOUT_CODE_EVERY - 1:
        parcel["items"][0].pop("hs_code", None)
    return parcel
