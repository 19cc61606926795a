"""Trade statistics use cases: figures by a dimension, growth, period against period.

Every figure is summed from ``stats_trade_cells`` (kept current by :mod:`.refresh`) in SQL,
by key, month and currency; the few resulting sums are converted to USD month by month at
the reference rate of that month (so every declaration is converted at its own date's rate:
the rates are monthly averages) and rounded to the cent only at the end.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TypeVar

from smartcustoms.accounts import service as accounts
from smartcustoms.accounts.model import Principal
from smartcustoms.core.clock import Clock
from smartcustoms.db.types import plain
from smartcustoms.db.uow import UnitOfWork
from smartcustoms.errors import FieldError, InvalidInput, NotFound
from smartcustoms.reference import service as reference
from smartcustoms.stats.model import (
    By,
    CompareRow,
    Comparison,
    Figures,
    Flow,
    GrowthResult,
    GrowthRow,
    Period,
    Row,
    TradeResult,
    growth_pct,
    money,
    share_pct,
)
from smartcustoms.stats.periods import (
    READERS,
    NamedPeriodInfo,
    define_period,
    list_periods,
    named_periods,
    period_of,
)
from smartcustoms.stats.refresh import ensure_fresh
from smartcustoms.stats.repository import CellFilter, StatsRepository, Sum

__all__ = [
    "READERS",
    "By",
    "NamedPeriodInfo",
    "Query",
    "Totals",
    "compare",
    "define_period",
    "growth",
    "labels",
    "list_periods",
    "named_periods",
    "parse_query",
    "period_of",
    "trade",
]

E = TypeVar("E", By, Flow)

MAX_TOP = 1000
LABEL_LOOKUPS = 60

_SQL_KEY = {
    By.PARTNER: "partner",
    By.APEC: "partner",
    By.SECTION: "hs2",
    By.CHAPTER: "hs2",
    By.HEADING: "hs4",
    By.SUBHEADING: "hs6",
    By.MODE: "mode",
    By.OFFICE: "office",
    By.FLOW: "kind",
    By.MONTH: "total",
    By.QUARTER: "total",
    By.YEAR: "total",
    By.TOTAL: "total",
}


@dataclass(frozen=True, slots=True)
class Query:
    """What to sum: everything but the period and the dimension is a filter."""

    by: By = By.PARTNER
    flow: Flow = Flow.TOTAL
    partner: str | None = None
    hs: str | None = None
    mode: str | None = None
    office: str | None = None
    top: int | None = None
    hs6_in: frozenset[str] | None = None
    """Restrict to these subheadings (the environmental goods list for green trade)."""

    def cell_filter(self) -> CellFilter:
        return CellFilter(
            kinds=self.flow.kinds(),
            partners=[self.partner] if self.partner else None,
            hs_prefix=self.hs,
            hs6_in=self.hs6_in,
            mode=self.mode,
            office=self.office,
        )

    def filters(self) -> dict[str, str]:
        out = {"flow": self.flow.value}
        for name in ("partner", "hs", "mode", "office"):
            value = getattr(self, name)
            if value:
                out[name] = value
        return out


def parse_query(
    by: str = "partner",
    flow: str = "total",
    partner: str | None = None,
    hs: str | None = None,
    mode: str | None = None,
    office: str | None = None,
    top: int | None = None,
) -> Query:
    """Check every parameter and report every problem at once."""
    problems: list[FieldError] = []
    by_ = _enum(By, by, "by", problems)
    flow_ = _enum(Flow, flow, "flow", problems)
    code = partner.strip().upper() if partner else None
    if code is not None and not (len(code) == 2 and code.isalpha()):
        problems.append(
            FieldError("partner", "malformed_country", f"{partner!r} is not a 2-letter code")
        )
    digits = hs.replace(".", "").strip() if hs else None
    if digits is not None and not (digits.isdigit() and len(digits) in (2, 4, 6)):
        problems.append(
            FieldError("hs", "malformed_hs", f"{hs!r} is not an HS chapter, heading or subheading")
        )
    if top is not None and not 1 <= top <= MAX_TOP:
        problems.append(FieldError("top", "out_of_range", f"top {top} must be 1 to {MAX_TOP}"))
    if problems:
        raise InvalidInput(problems)
    assert by_ is not None and flow_ is not None
    return Query(by_, flow_, code, digits or None, mode or None, office or None, top)


def _enum(cls: type[E], value: str, path: str, problems: list[FieldError]) -> E | None:
    try:
        return cls(str(value).strip().lower())
    except ValueError:
        allowed = ", ".join(e.value for e in cls)
        problems.append(FieldError(path, "unknown_value", f"{value!r} is not one of {allowed}"))
        return None


# --- summing ---------------------------------------------------------------------------------


@dataclass
class Totals:
    value: Decimal = Decimal(0)
    usd: Decimal | None = Decimal(0)
    net_mass_kg: Decimal = Decimal(0)
    items: int = 0

    def add(self, value: Decimal, usd: Decimal | None, mass: Decimal, items: int) -> None:
        self.value += value
        self.usd = None if self.usd is None or usd is None else self.usd + usd
        self.net_mass_kg += mass
        self.items += items

    def merge(self, other: Totals) -> None:
        self.add(other.value, other.usd, other.net_mass_kg, other.items)

    def figures(self) -> Figures:
        return Figures(
            money(self.value),
            money(self.usd) if self.usd is not None else None,
            plain(self.net_mass_kg),
            self.items,
        )


@dataclass
class Context:
    """What one request needs beyond the cells, read once."""

    economy: str
    currency: str
    notes: list[str] = field(default_factory=list)
    rates: dict[tuple[str, date], Decimal | None] = field(default_factory=dict)


def _context(uow: UnitOfWork, principal: Principal) -> Context:
    principal.require(*READERS)
    economy = principal.economy
    try:
        currency = accounts.get_economy(uow, economy).currency
    except NotFound:
        currency = "USD"
    return Context(economy, currency)


def _rate(uow: UnitOfWork, ctx: Context, currency: str, month: date) -> Decimal | None:
    key = (currency, month)
    if key not in ctx.rates:
        got = reference.rates_per_usd(uow, currency, [month])
        ctx.rates[key] = got.get(month)
        if ctx.rates[key] is None:
            ctx.notes.append(f"no reference rate for {currency} in {month:%Y-%m}: no USD figure")
    return ctx.rates[key]


def _prefetch_rates(uow: UnitOfWork, ctx: Context, sums: Iterable[Sum]) -> None:
    wanted: dict[str, set[date]] = defaultdict(set)
    for s in sums:
        if (s.currency, s.month) not in ctx.rates:
            wanted[s.currency].add(s.month)
    for ccy, months in wanted.items():
        got = reference.rates_per_usd(uow, ccy, months)
        for m in months:
            ctx.rates[(ccy, m)] = got.get(m)
            if got.get(m) is None:
                ctx.notes.append(f"no reference rate for {ccy} in {m:%Y-%m}: no USD figure")


def sum_cells(
    uow: UnitOfWork, ctx: Context, period: Period, q: Query, key: Callable[[Sum], str]
) -> dict[str, Totals]:
    """Cells of ``period`` matching ``q`` summed under ``key(sum)``, with USD values."""
    sums = StatsRepository(uow.session).sums(
        ctx.economy, period.first, period.last, _SQL_KEY[q.by], q.cell_filter()
    )
    _prefetch_rates(uow, ctx, sums)
    out: dict[str, Totals] = defaultdict(Totals)
    for s in sums:
        rate = ctx.rates.get((s.currency, s.month))
        usd = s.value / rate if rate else None
        local = s.value
        if s.currency != ctx.currency:
            # A cell in another currency: through USD at the same month's rates.
            mine = _rate(uow, ctx, ctx.currency, s.month)
            local = usd * mine if usd is not None and mine else Decimal(0)
        out[key(s)].add(local, usd, s.net_mass_kg, s.items)
    return dict(out)


def _key_function(uow: UnitOfWork, by: By) -> Callable[[Sum], str]:
    if by is By.SECTION:
        sections: dict[str, str] = {}

        def section(s: Sum) -> str:
            if s.key not in sections:
                sections[s.key] = _section_of(uow, s.key)[0]
            return sections[s.key]

        return section
    if by is By.APEC:
        members = {c.code for c in reference.apec_economies(uow)}
        return lambda s: "APEC" if s.key in members else "non-APEC"
    if by is By.MONTH:
        return lambda s: f"{s.month:%Y-%m}"
    if by is By.QUARTER:
        return lambda s: f"{s.month.year}-Q{(s.month.month - 1) // 3 + 1}"
    if by is By.YEAR:
        return lambda s: f"{s.month.year}"
    return lambda s: s.key


def _section_of(uow: UnitOfWork, chapter: str) -> tuple[str, str]:
    """(roman numeral, name) of a chapter's section; ("?", "") when unknown."""
    try:
        entry = reference.hs_lookup(uow, chapter)
    except (NotFound, InvalidInput):
        return "?", ""
    return (entry.section.roman, entry.section.name) if entry.section else ("?", "")


def labels(uow: UnitOfWork, by: By, keys: Iterable[str]) -> dict[str, str]:
    keys = list(keys)
    if by in (By.PARTNER,):
        names = {c.code: c.name for c in reference.countries(uow)}
        return {k: names.get(k, k) for k in keys}
    if by is By.SECTION:
        wanted, out = set(keys), dict[str, str]()
        for chapter in range(1, 100):
            if wanted <= set(out):
                break
            roman, name = _section_of(uow, f"{chapter:02d}")
            if roman in wanted:
                out.setdefault(roman, name)
        return {k: out.get(k, "") for k in keys}
    if by in (By.CHAPTER, By.HEADING, By.SUBHEADING):
        out = {}
        for k in keys[:LABEL_LOOKUPS]:
            try:
                out[k] = reference.hs_lookup(uow, k).description
            except (NotFound, InvalidInput):
                out[k] = ""
        return out
    if by is By.FLOW:
        return {k: {"import": "imports", "export": "exports"}.get(k, k) for k in keys}
    return {k: k for k in keys}


def _apec_share(uow: UnitOfWork, ctx: Context, period: Period, q: Query) -> Decimal | None:
    members = {c.code for c in reference.apec_economies(uow)}
    if not members:
        return None
    by_partner = sum_cells(uow, ctx, period, _with_by(q, By.PARTNER), lambda s: s.key)
    total = sum((t.value for t in by_partner.values()), Decimal(0))
    apec = sum((t.value for k, t in by_partner.items() if k in members), Decimal(0))
    return share_pct(apec, total)


def _with_by(q: Query, by: By) -> Query:
    return Query(by, q.flow, q.partner, q.hs, q.mode, q.office, q.top, q.hs6_in)


def _row(key: str, label: str, t: Totals, whole: Decimal) -> Row:
    f = t.figures()
    return Row(key, label, f.value, f.value_usd, f.net_mass_kg, f.items, share_pct(t.value, whole))


def _ordered(groups: dict[str, Totals], by: By) -> list[tuple[str, Totals]]:
    if by in (By.MONTH, By.QUARTER, By.YEAR):
        return sorted(groups.items())
    return sorted(groups.items(), key=lambda kv: (-kv[1].value, kv[0]))


# --- use cases -------------------------------------------------------------------------------


def trade_in(
    uow: UnitOfWork, principal: Principal, period: Period, q: Query, clock: Clock | None = None
) -> TradeResult:
    """Figures of ``period`` by ``q.by`` inside the caller's transaction."""
    ctx = _context(uow, principal)
    ensure_fresh(uow, ctx.economy, clock=clock)
    groups = sum_cells(uow, ctx, period, q, _key_function(uow, q.by))
    total = Totals()
    for t in groups.values():
        total.merge(t)
    ordered = _ordered(groups, q.by)
    shown, rest = (ordered[: q.top], ordered[q.top :]) if q.top else (ordered, [])
    names = labels(uow, q.by, [k for k, _ in shown])
    rows = [_row(k, names.get(k, k), t, total.value) for k, t in shown]
    other = None
    if rest:
        acc = Totals()
        for _, t in rest:
            acc.merge(t)
        other = acc.figures()
    apec = None
    if q.by is By.PARTNER:
        members = {c.code for c in reference.apec_economies(uow)}
        in_apec = sum((t.value for k, t in groups.items() if k in members), Decimal(0))
        apec = share_pct(in_apec, total.value) if members else None
    elif q.by in (By.APEC, By.TOTAL):
        apec = _apec_share(uow, ctx, period, q)
    return TradeResult(
        ctx.economy,
        ctx.currency,
        q.flow,
        q.by,
        period,
        total.figures(),
        rows,
        other,
        apec,
        q.filters(),
        sorted(set(ctx.notes)),
    )


def trade(
    uow: UnitOfWork, principal: Principal, period: str, q: Query, *, clock: Clock | None = None
) -> TradeResult:
    with uow:
        p = period_of(uow, principal.economy, period)
        result = trade_in(uow, principal, p, q, clock)
        uow.commit()  # the refresh of the cells, if any
        return result


def _growth_row(key: str, label: str, now: Totals, prev: Totals, ago: Totals) -> GrowthRow:
    def usd(t: Totals) -> Decimal | None:
        return money(t.usd) if t.usd is not None else None

    gu = growth_pct(now.usd, prev.usd) if now.usd is not None and prev.usd is not None else None
    yu = growth_pct(now.usd, ago.usd) if now.usd is not None and ago.usd is not None else None
    return GrowthRow(
        key,
        label,
        money(now.value),
        money(prev.value),
        money(ago.value),
        growth_pct(now.value, prev.value),
        growth_pct(now.value, ago.value),
        usd(now),
        usd(prev),
        usd(ago),
        gu,
        yu,
    )


def growth(
    uow: UnitOfWork, principal: Principal, period: str, q: Query, *, clock: Clock | None = None
) -> GrowthResult:
    """The period against the one just before it and against the same period a year before."""
    with uow:
        p = period_of(uow, principal.economy, period)
        ctx = _context(uow, principal)
        ensure_fresh(uow, ctx.economy, clock=clock)
        key = _key_function(uow, q.by)
        prev_p, ago_p = p.previous(), p.year_before()
        now, prev, ago = (sum_cells(uow, ctx, x, q, key) for x in (p, prev_p, ago_p))
        totals = [Totals(), Totals(), Totals()]
        for acc, groups in zip(totals, (now, prev, ago), strict=True):
            for t in groups.values():
                acc.merge(t)
        keys = sorted(set(now) | set(prev) | set(ago), key=lambda k: -now.get(k, Totals()).value)
        if q.top:
            keys = keys[: q.top]
        names = labels(uow, q.by, keys)
        rows = [
            _growth_row(
                k,
                names.get(k, k),
                now.get(k, Totals()),
                prev.get(k, Totals()),
                ago.get(k, Totals()),
            )
            for k in keys
        ]
        uow.commit()
        return GrowthResult(
            ctx.economy,
            ctx.currency,
            q.flow,
            q.by,
            p,
            prev_p,
            ago_p,
            _growth_row("total", "total", *totals),
            rows,
        )


def compare(
    uow: UnitOfWork,
    principal: Principal,
    period_a: str,
    period_b: str,
    q: Query,
    *,
    clock: Clock | None = None,
) -> Comparison:
    """Period A against period B (e.g. one five-year plan against the one before)."""
    with uow:
        problems: list[FieldError] = []
        periods: list[Period] = []
        for path, text in (("period", period_a), ("vs", period_b)):
            try:
                periods.append(period_of(uow, principal.economy, text, path))
            except InvalidInput as exc:
                problems.extend(exc.errors)
        if problems:
            raise InvalidInput(problems)
        a, b = periods
        ctx = _context(uow, principal)
        ensure_fresh(uow, ctx.economy, clock=clock)
        key = _key_function(uow, q.by)
        ga, gb = sum_cells(uow, ctx, a, q, key), sum_cells(uow, ctx, b, q, key)
        ta, tb = Totals(), Totals()
        for acc, groups in ((ta, ga), (tb, gb)):
            for t in groups.values():
                acc.merge(t)
        keys = sorted(set(ga) | set(gb), key=lambda k: -ga.get(k, Totals()).value)
        if q.top:
            keys = keys[: q.top]
        names = labels(uow, q.by, keys)
        rows = []
        for k in keys:
            x, y = ga.get(k, Totals()), gb.get(k, Totals())
            rows.append(
                CompareRow(
                    k,
                    names.get(k, k),
                    money(x.value),
                    money(y.value),
                    growth_pct(x.value, y.value),
                    money(x.usd) if x.usd is not None else None,
                    money(y.usd) if y.usd is not None else None,
                )
            )
        uow.commit()
        gu = growth_pct(ta.usd, tb.usd) if ta.usd is not None and tb.usd is not None else None
        return Comparison(
            ctx.economy,
            ctx.currency,
            q.flow,
            q.by,
            a,
            b,
            ta.figures(),
            tb.figures(),
            growth_pct(ta.value, tb.value),
            gu,
            rows,
        )
