"""Release times, the WCO Time Release Study way: from lodgement (or the arrival of the goods,
when that came later) to release, per lane, office, mode, HS chapter, AEO status or month.

Declarations store when they were lodged (``created_at``), when an arrival notice was
recorded for a pre-lodged one, and when they were released (the change to *released*).
Bulk-imported historical records carry their import time, not clearance times, so they are
left out and counted in the notes. Parcels: the e-commerce feature is not on this
installation yet; :class:`ParcelTimes` is the seam its read API will plug into.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol

from smartcustoms.accounts.model import Principal
from smartcustoms.db.uow import UnitOfWork
from smartcustoms.declarations import queries as declarations
from smartcustoms.errors import InvalidInput
from smartcustoms.stats import service
from smartcustoms.stats.model import Period, percentile, share_pct

__all__ = [
    "BUCKETS",
    "DIMENSIONS",
    "Durations",
    "ParcelTimes",
    "ReleaseGroup",
    "ReleaseResult",
    "release_times",
    "summarise",
]

DIMENSIONS = ("total", "lane", "office", "mode", "chapter", "aeo", "month", "flow")
BUCKETS: tuple[tuple[str, float], ...] = (
    ("≤ 1 min", 60),
    ("≤ 10 min", 600),
    ("≤ 1 h", 3600),
    ("≤ 4 h", 4 * 3600),
    ("≤ 1 day", 86400),
    ("≤ 3 days", 3 * 86400),
    ("> 3 days", float("inf")),
)
HISTORICAL_PREFIX = "import:"


@dataclass(frozen=True, slots=True)
class Durations:
    """One clearance: seconds from start to release and the keys it is counted under."""

    seconds: float
    keys: dict[str, list[str]]


class ParcelTimes(Protocol):
    """What the e-commerce feature's read API is to give for parcel release times."""

    def durations(
        self, uow: UnitOfWork, economy: str, first: date, last: date
    ) -> list[Durations]: ...


@dataclass(frozen=True, slots=True)
class ReleaseGroup:
    key: str
    count: int
    median_s: float | None
    mean_s: float | None
    p90_s: float | None
    within_10_min_pct: Decimal | None
    within_1_h_pct: Decimal | None
    within_1_day_pct: Decimal | None
    histogram: list[int]
    """Counts per :data:`BUCKETS`."""


@dataclass(frozen=True, slots=True)
class ReleaseResult:
    economy: str
    period: Period
    by: str
    total: ReleaseGroup
    groups: list[ReleaseGroup]
    buckets: list[str]
    parcels: ReleaseGroup | None = None
    notes: list[str] = field(default_factory=list)


def summarise(key: str, seconds: Iterable[float]) -> ReleaseGroup:
    values = sorted(seconds)
    n = len(values)
    hist = [0] * len(BUCKETS)
    for v in values:
        for i, (_, limit) in enumerate(BUCKETS):
            if v <= limit:
                hist[i] += 1
                break

    def within(limit: float) -> Decimal | None:
        return share_pct(Decimal(sum(1 for v in values if v <= limit)), Decimal(n))

    return ReleaseGroup(
        key,
        n,
        percentile(values, 50),
        (sum(values) / n) if n else None,
        percentile(values, 90),
        within(600),
        within(3600),
        within(86400),
        hist,
    )


def _start(r: declarations.ReleaseRecord) -> datetime:
    return max(r.lodged_at, r.arrived_at) if r.arrived_at else r.lodged_at


def release_times(
    uow: UnitOfWork,
    principal: Principal,
    period: str,
    by: str = "lane",
    *,
    parcels: ParcelTimes | None = None,
) -> ReleaseResult:
    if by not in DIMENSIONS:
        raise InvalidInput.single(
            "by", "unknown_value", f"{by!r} is not one of {', '.join(DIMENSIONS)}"
        )
    principal.require(*service.READERS)
    economy = principal.economy
    with uow:
        p = service.period_of(uow, economy, period)
        records = declarations.release_records(uow, economy, p.first, p.end_date)
        from smartcustoms.risk import service as risk  # pandas-heavy: only when AEO is asked

        aeo = risk.aeo_ids(uow, economy)
    notes: list[str] = []
    historical = [r for r in records if r.source.startswith(HISTORICAL_PREFIX)]
    if historical:
        notes.append(
            f"{len(historical)} bulk-imported historical declarations left out: they carry "
            "their import time, not lodgement and release times"
        )
    timed = [r for r in records if not r.source.startswith(HISTORICAL_PREFIX)]
    key_of: dict[str, Callable[[declarations.ReleaseRecord], list[str]]] = {
        "total": lambda r: ["total"],
        "lane": lambda r: [r.lane or "none"],
        "office": lambda r: [r.office],
        "mode": lambda r: [r.transport_mode],
        "chapter": lambda r: list(r.chapters),
        "aeo": lambda r: ["AEO" if r.trader_id in aeo else "non-AEO"],
        "month": lambda r: [f"{r.declaration_date:%Y-%m}"],
        "flow": lambda r: [r.kind],
    }
    groups: dict[str, list[float]] = defaultdict(list)
    every: list[float] = []
    for r in timed:
        seconds = max(0.0, (r.released_at - _start(r)).total_seconds())
        every.append(seconds)
        for k in key_of[by](r):
            groups[k].append(seconds)
    parcel_group = None
    if parcels is not None:
        parcel_group = summarise(
            "parcels",
            [d.seconds for d in parcels.durations(uow, economy, p.first, p.end_date)],
        )
    else:
        notes.append("parcels: no e-commerce feature on this installation")
    ordered = sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    if by == "month":
        ordered = sorted(groups.items())
    return ReleaseResult(
        economy,
        p,
        by,
        summarise("total", every),
        [summarise(k, v) for k, v in ordered],
        [b for b, _ in BUCKETS],
        parcel_group,
        notes,
    )
