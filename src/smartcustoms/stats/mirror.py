"""Mirror statistics: A's exports to B against B's imports from A (or the other way round), by
HS code and period, largest gaps first (a classic valuation-fraud signal).

Values are compared in USD (each side converted month by month at the reference rates). The
partner's side comes from a :class:`MirrorSource`: :class:`SameInstallation` reads the
partner economy's aggregates on this installation (HS × month totals towards the reporter,
never declarations); a source built on the exchange feature's partner data will plug in the
same way once that feature exists.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Protocol

from smartcustoms.accounts import service as accounts
from smartcustoms.accounts.model import Principal
from smartcustoms.db.uow import UnitOfWork
from smartcustoms.errors import FieldError, InvalidInput, NotFound
from smartcustoms.reference import service as reference
from smartcustoms.stats import service
from smartcustoms.stats.model import Flow, Period, growth_pct, money
from smartcustoms.stats.refresh import ensure_fresh
from smartcustoms.stats.repository import CellFilter, StatsRepository

__all__ = ["MirrorResult", "MirrorRow", "MirrorSource", "SameInstallation", "mirror"]

LEVELS = {2: "hs2", 4: "hs4", 6: "hs6"}


class MirrorSource(Protocol):
    name: str

    def flows(
        self, uow: UnitOfWork, economy: str, partner: str, kind: str, period: Period, level: int
    ) -> dict[str, Decimal]:
        """USD value of ``economy``'s ``kind`` flow with ``partner`` by HS code at ``level``."""
        ...


class SameInstallation:
    """Both economies' declarations are on this installation: read their aggregates."""

    name = "same installation"

    def flows(
        self, uow: UnitOfWork, economy: str, partner: str, kind: str, period: Period, level: int
    ) -> dict[str, Decimal]:
        ensure_fresh(uow, economy)
        sums = StatsRepository(uow.session).sums(
            economy,
            period.first,
            period.last,
            LEVELS[level],
            CellFilter(kinds=(kind,), partners=[partner]),
        )
        rates: dict[str, dict[date, Decimal]] = {}
        out: dict[str, Decimal] = defaultdict(Decimal)
        for s in sums:
            if s.currency not in rates:
                rates[s.currency] = reference.rates_per_usd(uow, s.currency, period.months)
            rate = rates[s.currency].get(s.month)
            if rate:
                out[s.key] += s.value / rate
        return dict(out)


@dataclass(frozen=True, slots=True)
class MirrorRow:
    hs: str
    label: str
    reported_usd: Decimal
    """What the reporting economy declared (its exports to / imports from the partner)."""
    mirror_usd: Decimal
    """What the partner declared for the same flow seen from its side."""
    gap_usd: Decimal
    """mirror - reported."""
    gap_pct: Decimal | None
    """The gap relative to the reported value."""


@dataclass(frozen=True, slots=True)
class MirrorResult:
    economy: str
    partner: str
    flow: Flow
    period: Period
    level: int
    source: str
    reported_total_usd: Decimal
    mirror_total_usd: Decimal
    gap_total_usd: Decimal
    rows: list[MirrorRow]
    notes: list[str] = field(default_factory=list)


def mirror(
    uow: UnitOfWork,
    principal: Principal,
    partner: str,
    period: str,
    *,
    flow: str = "export",
    level: int = 6,
    top: int | None = 20,
    source: MirrorSource | None = None,
) -> MirrorResult:
    principal.require(*service.READERS)
    problems: list[FieldError] = []
    b = (partner or "").strip().upper()
    if not (len(b) == 2 and b.isalpha()):
        problems.append(FieldError("partner", "malformed_country", f"{partner!r}: 2 letters"))
    elif b == principal.economy:
        problems.append(FieldError("partner", "same_economy", "mirror needs another economy"))
    if flow not in ("export", "import"):
        problems.append(FieldError("flow", "unknown_value", "flow is export or import"))
    if level not in LEVELS:
        problems.append(FieldError("level", "unknown_value", "level is 2, 4 or 6 HS digits"))
    if top is not None and not 1 <= top <= service.MAX_TOP:
        problems.append(FieldError("top", "out_of_range", f"top must be 1 to {service.MAX_TOP}"))
    if problems:
        raise InvalidInput(problems)
    a = principal.economy
    src = source or SameInstallation()
    with uow:
        p = service.period_of(uow, a, period)
        if isinstance(src, SameInstallation):
            try:
                accounts.get_economy(uow, b)
            except NotFound as exc:
                raise NotFound(
                    f"{b} has no data on this installation (and no exchange source is given)"
                ) from exc
        mirror_kind = "import" if flow == "export" else "export"
        mine = SameInstallation().flows(uow, a, b, flow, p, level)
        theirs = src.flows(uow, b, a, mirror_kind, p, level)
        uow.commit()  # refreshed cells
        keys = set(mine) | set(theirs)
        rows = []
        for k in keys:
            x, y = mine.get(k, Decimal(0)), theirs.get(k, Decimal(0))
            rows.append(MirrorRow(k, "", money(x), money(y), money(y - x), growth_pct(y, x)))
        rows.sort(key=lambda r: (-abs(r.gap_usd), r.hs))
        if top:
            rows = rows[:top]
        names = service.labels(uow, service.By.SUBHEADING, [r.hs for r in rows])
        rows = [
            MirrorRow(r.hs, names.get(r.hs, ""), r.reported_usd, r.mirror_usd, r.gap_usd, r.gap_pct)
            for r in rows
        ]
        tx, ty = sum(mine.values(), Decimal(0)), sum(theirs.values(), Decimal(0))
        notes = [
            "exports are usually valued FOB and imports CIF: a mirror gap of a few percent "
            "is freight and insurance, not fraud"
        ]
        return MirrorResult(
            a,
            b,
            Flow(flow),
            p,
            level,
            src.name,
            money(tx),
            money(ty),
            money(ty - tx),
            rows,
            notes,
        )
