"""Everything the fast path needs to know about an economy on a day: regime, settings,
exchange rates, known HS codes, duty rates, norms, watch list, inspection threshold, and the
running totals of the parcels already stored in the window."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

import numpy as np

from smartcustoms.accounts.model import Principal, Role
from smartcustoms.core.codes import country_codes
from smartcustoms.db.uow import UnitOfWork
from smartcustoms.ecommerce import engine
from smartcustoms.ecommerce.model import (
    EcomSettings,
    Regime,
)
from smartcustoms.ecommerce.repository import EcommerceRepository
from smartcustoms.ecommerce.services.regimes import get_settings, regime_for

if TYPE_CHECKING:
    from smartcustoms.classify.queries import ParcelClassification

from smartcustoms.errors import (
    DataUnavailable,
    SmartCustomsError,
)

__all__ = ["build_context", "inspect_threshold", "prior_state"]


class _Rates(Mapping[str, float]):
    """Units per USD for one month, looked up on first use (missing: not in the mapping)."""

    def __init__(self, uow: UnitOfWork, on: date) -> None:
        self.uow, self.on, self._cache = uow, on, {"USD": 1.0}
        self._missing: set[str] = set()

    def _load(self, code: str) -> float | None:
        from smartcustoms.reference import service as reference

        if code in self._cache:
            return self._cache[code]
        if code in self._missing or len(code) != 3 or not code.isalpha():
            return None
        # The month's average, else the latest of the 12 months before (rates are published
        # after the month ends, so recent arrivals use the last published one).
        month = self.on.replace(day=1)
        months = [month]
        for _ in range(12):
            month = (month - timedelta(days=1)).replace(day=1)
            months.append(month)
        try:
            found = reference.rates_per_usd(self.uow, code, months)
        except SmartCustomsError:
            found = {}
        if not found:
            self._missing.add(code)
            return None
        rate = float(found[max(found)])
        self._cache[code] = rate
        return rate

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self._load(key) is not None

    def __getitem__(self, key: str) -> float:
        rate = self._load(key)
        if rate is None:
            raise KeyError(key)
        return rate

    def __iter__(self) -> Iterator[str]:
        return iter(self._cache)

    def __len__(self) -> int:
        return len(self._cache)


def _hs_known(uow: UnitOfWork) -> Callable[[set[str]], set[str]]:
    from smartcustoms.reference import service as reference

    memo: dict[str, bool] = {}

    def known(codes: set[str]) -> set[str]:
        ask = {c for c in codes if c not in memo}
        if ask:
            found = reference.hs_known(uow, ask)
            memo.update({c: c in found for c in ask})
        return {c for c in codes if memo[c]}

    return known


def _watch(uow: UnitOfWork, economy: str) -> frozenset[str]:
    from smartcustoms.risk import service as risk

    reader = Principal(
        "system:ecommerce",
        "system@localhost",
        "SmartCustoms system",
        economy,
        frozenset({Role.OFFICER}),
    )
    return frozenset(e.party_id for e in risk.list_watchlist(uow, reader))


def _duty_rates(uow: UnitOfWork, economy: str, regime: Regime) -> Callable[[str], float]:
    from smartcustoms.tariff import service as tariff

    schedule = tariff.get_schedule(uow, economy)
    default = float(regime.default_duty_rate)

    def rate(hs6: str) -> float:
        if schedule is None or not hs6:
            return default
        match, _ = schedule.select(hs6, "", None)
        return float(match.line.ad_valorem) if match is not None else default

    return rate


def inspect_threshold(uow: UnitOfWork, economy: str, on: date, st: EcomSettings) -> float:
    """Threshold from the previous 7 days' scores, so that about ``inspection_rate`` of parcels
    score at or above it; never below ``min_inspect_score``. The day's own parcels do not move
    it, so a parcel gets the same decision in a bulk manifest as alone."""
    with uow:
        scores = EcommerceRepository(uow.session).recent_scores(
            economy, on - timedelta(days=7), on - timedelta(days=1)
        )
    if len(scores) < 1000:
        return st.min_inspect_score
    s = np.sort(scores)[::-1]
    k = math.floor(st.inspection_rate * len(s))
    if k <= 0:
        return float("inf")
    cut = float(s[k - 1])
    if k < len(s) and s[k] >= cut:
        cut = float(np.nextafter(cut, np.inf))
    return max(st.min_inspect_score, cut)


def _classifier(
    uow: UnitOfWork,
) -> Callable[[Sequence[str]], Sequence[ParcelClassification | None]] | None:
    """The application's HS classifier for items without a code (None while none is built:
    such items then keep the regime's default duty rate, as before classification existed)."""
    holder = uow.ports.hs_suggester if uow.ports is not None else None
    if holder is None:
        return None
    from smartcustoms.classify.queries import ParcelClassifier

    classifier = ParcelClassifier(holder)
    return classifier.classify_many if classifier.available else None


def build_context(uow: UnitOfWork, economy: str, on: date, secret_key: str) -> engine.Context:
    economy = economy.upper()
    regime = regime_for(uow, economy, on)
    st = get_settings(uow, economy)
    rates = _Rates(uow, on)
    with uow:
        norms = EcommerceRepository(uow.session).norms(economy)

    def existing(waybills: list[str]) -> set[str]:
        with uow:
            return EcommerceRepository(uow.session).existing_waybills(economy, waybills)

    if regime.currency not in rates:
        raise DataUnavailable(
            f"no exchange rate for {regime.currency} up to {on:%Y-%m}: load exchange rates "
            "(smartcustoms reference load)"
        )
    ctx = engine.Context(
        economy=economy,
        on=on,
        regime=regime,
        settings=st,
        fx=rates,
        hs_known=_hs_known(uow),
        countries=country_codes(),
        duty_rate=_duty_rates(uow, economy, regime),
        norms=norms,
        watch=_watch(uow, economy),
        key=engine.buyer_key(secret_key),
        inspect_threshold=inspect_threshold(uow, economy, on, st),
        existing=existing,
    )
    from smartcustoms.ecommerce import threeorders

    ctx.three_orders = threeorders.checker(uow, ctx)
    from smartcustoms.risk import service as risk

    ctx.classify = _classifier(uow)
    ctx.rules = [r.definition for r in risk.active_rules(uow, economy)]
    if ctx.rules:
        ctx.rule_context = risk.rule_context(uow, economy, None)
    return ctx


def prior_state(uow: UnitOfWork, ctx: engine.Context) -> engine.RunState:
    reg, st = ctx.regime, ctx.settings
    thr = None
    if reg.duty_threshold is not None and reg.threshold_currency in ctx.fx:
        thr = Decimal(
            str(round(float(reg.duty_threshold) * ctx.to_local(reg.threshold_currency), 4))
        )
    first = ctx.on - timedelta(days=st.split_window_days - 1)
    with uow:
        repo = EcommerceRepository(uow.session)
        buyers, addresses, sellers, pairs = repo.window_totals(
            ctx.economy, first, ctx.on, thr, reg.threshold_basis == "cif"
        )
        year = repo.year_totals(ctx.economy, ctx.on.replace(month=1, day=1), ctx.on)
    return engine.RunState(buyer=buyers, address=addresses, seller=sellers, pair=pairs, year=year)
