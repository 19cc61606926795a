"""Green trade: trade in environmental goods (the APEC list mapped to HS 2022 by the reference
feature), its share and growth, and the tariff-cap check of the economy's schedule against
the APEC commitment (applied rates on listed goods at or below 5 %)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from smartcustoms.accounts.model import Principal
from smartcustoms.core.clock import Clock
from smartcustoms.db.uow import UnitOfWork
from smartcustoms.errors import InvalidInput, NotFound
from smartcustoms.reference import service as reference
from smartcustoms.stats import service
from smartcustoms.stats.model import (
    By,
    Figures,
    Period,
    TradeResult,
    growth_pct,
    share_pct,
)
from smartcustoms.tariff import service as tariff
from smartcustoms.tariff.model import TariffLine

__all__ = ["APEC_CAP", "CapLine", "GreenResult", "TariffCapResult", "green", "tariff_cap"]

APEC_CAP = Decimal(5)


@dataclass(frozen=True, slots=True)
class GreenResult:
    economy: str
    currency: str
    period: Period
    egl_subheadings: int
    green: TradeResult
    """Environmental goods by the chosen dimension (partner by default)."""
    all_goods: Figures
    green_share_pct: Decimal | None
    previous: Figures
    growth_pct: Decimal | None
    year_before: Figures
    yoy_pct: Decimal | None
    notes: list[str] = field(default_factory=list)


def egl_codes(uow: UnitOfWork) -> frozenset[str]:
    return frozenset(m.code for m in reference.egl_list(uow))


def green(
    uow: UnitOfWork,
    principal: Principal,
    period: str,
    q: service.Query,
    *,
    clock: Clock | None = None,
) -> GreenResult:
    with uow:
        p = service.period_of(uow, principal.economy, period)
        codes = egl_codes(uow)
        notes = [] if codes else ["the environmental goods list is not loaded (reference egl)"]
        gq = service.Query(q.by, q.flow, q.partner, q.hs, q.mode, q.office, q.top, codes)
        now = service.trade_in(uow, principal, p, gq, clock)
        every = service.trade_in(uow, principal, p, _total(q, None), clock)
        prev = service.trade_in(uow, principal, p.previous(), _total(q, codes), clock)
        ago = service.trade_in(uow, principal, p.year_before(), _total(q, codes), clock)
        uow.commit()
        return GreenResult(
            now.economy,
            now.currency,
            p,
            len(codes),
            now,
            every.total,
            share_pct(now.total.value, every.total.value),
            prev.total,
            growth_pct(now.total.value, prev.total.value),
            ago.total,
            growth_pct(now.total.value, ago.total.value),
            notes + now.notes,
        )


def _total(q: service.Query, codes: frozenset[str] | None) -> service.Query:
    return service.Query(By.TOTAL, q.flow, q.partner, q.hs, q.mode, q.office, None, codes)


# --- tariff cap --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CapLine:
    rate_type: str
    egl_code: str
    hs_prefix: str
    """The schedule line's code (a national line under the subheading, or a shorter one that
    covers it)."""
    ad_valorem: Decimal
    specific: str | None
    """A specific duty on the line (cannot be compared with an ad valorem cap: listed)."""
    origins: list[str]
    description: str


@dataclass(frozen=True, slots=True)
class TariffCapResult:
    economy: str
    cap_pct: Decimal
    default_rate_type: str
    egl_subheadings: int
    lines_checked: dict[str, int]
    """Schedule lines checked per rate type (the general one and each preference)."""
    above_cap: list[CapLine]
    without_rate: list[str]
    """EGL subheadings the general rate type has no line for."""


def _lines_for(lines: list[TariffLine], code: str, rate_type: str) -> list[TariffLine]:
    """The line a subheading falls under (longest prefix) and every national line below it."""
    own = [ln for ln in lines if ln.rate_type == rate_type]
    below = [ln for ln in own if ln.hs_prefix.startswith(code) and len(ln.hs_prefix) > 6]
    covering = [ln for ln in own if code.startswith(ln.hs_prefix)]
    best = max(covering, key=lambda ln: len(ln.hs_prefix)) if covering else None
    return ([best] if best else []) + below


def tariff_cap(uow: UnitOfWork, principal: Principal, cap: Decimal = APEC_CAP) -> TariffCapResult:
    principal.require(*service.READERS)
    if cap < 0:
        raise InvalidInput.single("cap", "out_of_range", "the cap is a rate in percent, >= 0")
    with uow:
        schedule = tariff.get_schedule(uow, principal.economy)
        if schedule is None:
            raise NotFound(f"{principal.economy} has no tariff schedule to check")
        codes = sorted(egl_codes(uow))
        default = schedule.settings.default_rate_type
        rate_types = [default, *sorted(schedule.rate_types() - {default})]
        above: list[CapLine] = []
        checked: dict[str, int] = {}
        missing: list[str] = []
        for rt in rate_types:
            seen: set[tuple[str, str]] = set()
            for code in codes:
                found = _lines_for(schedule.lines, code, rt)
                if not found and rt == default:
                    missing.append(code)
                for ln in found:
                    if (code, ln.hs_prefix) in seen:
                        continue
                    seen.add((code, ln.hs_prefix))
                    specific = (
                        f"{ln.specific_amount}/{ln.specific_unit.value}"
                        if ln.specific_amount and ln.specific_unit
                        else None
                    )
                    if ln.ad_valorem > cap or specific:
                        above.append(
                            CapLine(
                                rt,
                                code,
                                ln.hs_prefix,
                                ln.ad_valorem,
                                specific,
                                sorted(ln.origins),
                                ln.description,
                            )
                        )
            checked[rt] = len(seen)
        return TariffCapResult(principal.economy, cap, default, len(codes), checked, above, missing)
