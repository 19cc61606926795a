"""Duties and taxes, itemised so a trader can redo every line by hand.

The computation (docs/declarations.md, "Duties and taxes"):

1. Freight and insurance are added to the invoice value when the Incoterm leaves them out
   (freight: EXW FCA FAS FOB; insurance: those and CFR CPT), shared over the items in
   proportion to invoice value, rounded to the invoice currency's minor unit, the last item
   taking the remainder so the shares add up exactly.
2. Customs value per item = CIF x (economy currency per USD / invoice currency per USD), the
   monthly reference rates of the declaration date, rounded to the economy currency's minor
   unit (half up).
3. Duty = customs value x ad valorem rate, plus a specific duty (per kg of net mass or per
   unit of quantity) when the tariff line has one. The rate comes from the longest HS prefix
   of the claimed rate type when the origin qualifies, else from the general rate type.
4. VAT/GST = (customs value + duty) x VAT rate.
5. De minimis: when the consignment's customs value is at or below the threshold (converted at
   the same rates), duty (and, by scope, VAT) is relieved: the lines stay, with amount 0.
Every amount is rounded half up to the economy currency's minor unit; totals are line sums.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

from smartcustoms.errors import FieldError
from smartcustoms.tariff.model import DeMinimisScope, Match, SpecificUnit, TariffSchedule

__all__ = [
    "ADD_FREIGHT",
    "ADD_INSURANCE",
    "DeMinimisCheck",
    "DutiableGoods",
    "DutiableItem",
    "DutyAssessment",
    "DutyBatch",
    "DutyLine",
    "FxRate",
    "FxSource",
    "ItemValuation",
    "Selections",
    "allocate",
    "assess_duties",
    "minor_unit",
    "round_to",
    "specific_duty_problems",
]


class DutiableItem(Protocol):
    """What the computation reads of an item (a declaration's item satisfies it)."""

    @property
    def hs_code(self) -> str: ...
    @property
    def origin_country(self) -> str: ...
    @property
    def preference(self) -> str | None: ...
    @property
    def net_mass_kg(self) -> Decimal: ...
    @property
    def invoice_value(self) -> Decimal: ...
    @property
    def quantity(self) -> Decimal | None: ...
    @property
    def declared_duty_rate(self) -> Decimal | None: ...


class DutiableGoods(Protocol):
    """What the computation reads of a consignment (a declaration satisfies it): the tariff
    does not depend on the declarations feature, the declarations feature depends on it."""

    @property
    def kind(self) -> str: ...  # "import" or "export"
    @property
    def items(self) -> Sequence[DutiableItem]: ...
    @property
    def invoice_currency(self) -> str: ...
    @property
    def incoterm(self) -> str: ...
    @property
    def freight(self) -> Decimal: ...
    @property
    def insurance(self) -> Decimal: ...


@dataclass(frozen=True, slots=True)
class FxRate:
    currency: str
    month: date
    per_usd: Decimal
    source_quote: str


@dataclass(frozen=True, slots=True)
class ItemValuation:
    item: int
    """1-based line number."""
    invoice_value: Decimal
    freight: Decimal
    insurance: Decimal
    cif: Decimal
    """In the invoice currency."""
    customs_value: Decimal
    """CIF in the economy's currency, rounded to its minor unit."""


@dataclass(frozen=True, slots=True)
class DutyLine:
    item: int
    tax: str
    """``duty``, ``specific_duty`` or ``vat``."""
    base: Decimal
    base_unit: str
    """A currency code, ``kg`` or ``unit``."""
    rate: Decimal
    rate_unit: str
    """``%`` or ``<CCY>/kg`` / ``<CCY>/unit``."""
    source: str
    amount: Decimal


@dataclass(frozen=True, slots=True)
class DeMinimisCheck:
    threshold: Decimal
    threshold_currency: str
    threshold_local: Decimal
    consignment_value: Decimal
    scope: str
    applies: bool


@dataclass(frozen=True, slots=True)
class DutyAssessment:
    currency: str
    invoice_currency: str
    date: date
    rates_used: list[FxRate]
    valuation: list[ItemValuation]
    lines: list[DutyLine]
    de_minimis: DeMinimisCheck | None
    customs_value: Decimal
    duty_total: Decimal
    tax_total: Decimal
    total: Decimal
    notes: list[str] = field(default_factory=list)
    complete: bool = True
    """False when a line had no rate (no schedule line, nothing declared)."""


FxSource = Callable[[str, date], FxRate]
"""Monthly rate of a currency, in units per USD, for the month of the date."""

ADD_FREIGHT = frozenset({"EXW", "FCA", "FAS", "FOB"})
ADD_INSURANCE = ADD_FREIGHT | {"CFR", "CPT"}
_ZERO_DECIMALS = frozenset(
    {
        "BIF",
        "CLP",
        "DJF",
        "GNF",
        "ISK",
        "JPY",
        "KMF",
        "KRW",
        "PYG",
        "RWF",
        "UGX",
        "UYI",
        "VND",
        "VUV",
        "XAF",
        "XOF",
        "XPF",
    }
)
_THREE_DECIMALS = frozenset({"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"})
HUNDRED = Decimal(100)


_CENT = Decimal("0.01")
_MINOR_UNITS: dict[str, Decimal] = {
    **{c: Decimal(1) for c in _ZERO_DECIMALS},
    **{c: Decimal("0.001") for c in _THREE_DECIMALS},
}


def minor_unit(currency: str) -> Decimal:
    """The smallest amount of ``currency`` (ISO 4217 exponent): 1 KRW, 0.01 USD, 0.001 KWD."""
    return _MINOR_UNITS.get(currency, _CENT)


def round_to(amount: Decimal, currency: str) -> Decimal:
    return amount.quantize(_MINOR_UNITS.get(currency, _CENT), rounding=ROUND_HALF_UP)


class Selections:
    """``schedule.select`` remembered per (HS code, origin, claimed rate type): a batch of
    declarations asks for the same lines again and again (every item twice: the quantity
    check and the duty). One per batch; the schedule must not change meanwhile."""

    def __init__(self, schedule: TariffSchedule) -> None:
        self.schedule = schedule
        self._seen: dict[tuple[str, str, str | None], tuple[Match | None, str]] = {}

    def select(self, hs_code: str, origin: str, claimed: str | None) -> tuple[Match | None, str]:
        key = (hs_code, origin, claimed)
        found = self._seen.get(key)
        if found is None:
            found = self._seen[key] = self.schedule.select(hs_code, origin, claimed)
        return found


def _selector(
    schedule: TariffSchedule | None, selections: Selections | None
) -> Callable[[str, str, str | None], tuple[Match | None, str]] | None:
    if schedule is None:
        return None
    if selections is not None and selections.schedule is schedule:
        return selections.select
    return schedule.select


def allocate(total: Decimal, weights: list[Decimal], currency: str) -> list[Decimal]:
    """Share ``total`` in proportion to ``weights``; the last share takes the rounding rest."""
    if not weights:
        return []
    whole = sum(weights, Decimal(0))
    shares = []
    for w in weights[:-1]:
        part = total * w / whole if whole else total / len(weights)
        shares.append(round_to(part, currency))
    shares.append(total - sum(shares, Decimal(0)))
    return shares


def specific_duty_problems(
    declaration: DutiableGoods,
    schedule: TariffSchedule | None,
    selections: Selections | None = None,
) -> list[FieldError]:
    """Items whose tariff line levies a duty per unit but which give no quantity."""
    select = _selector(schedule, selections)
    if schedule is None or select is None or declaration.kind != "import":
        return []
    problems = []
    for i, item in enumerate(declaration.items):
        match, _ = select(item.hs_code, item.origin_country, item.preference)
        line = match.line if match else None
        if line and line.specific_unit is SpecificUnit.UNIT and item.quantity is None:
            problems.append(
                FieldError(
                    f"items[{i}].quantity",
                    "required",
                    f"the {schedule.economy} tariff levies a duty per unit on {item.hs_code}; "
                    "give the quantity",
                )
            )
    return problems


def assess_duties(
    declaration: DutiableGoods,
    *,
    economy: str,
    currency: str,
    on: date,
    schedule: TariffSchedule | None,
    fx: FxSource,
    selections: Selections | None = None,
) -> DutyAssessment:
    """The itemised assessment of ``declaration`` lodged in ``economy`` (currency ``currency``).

    ``selections`` (of ``schedule``) lets a batch look each tariff line up once. One
    computation for one declaration and for a batch: a :class:`DutyBatch` used once."""
    return DutyBatch(
        economy=economy, currency=currency, schedule=schedule, fx=fx, selections=selections
    ).assess(declaration, on)


def _sorted(rates: dict[str, FxRate]) -> list[FxRate]:
    return [rates[k] for k in sorted(rates)]


def _relieved(line: DutyLine) -> DutyLine:
    return DutyLine(
        line.item,
        line.tax,
        line.base,
        line.base_unit,
        line.rate,
        line.rate_unit,
        f"{line.source}; relieved under de minimis",
        Decimal(0) * line.amount,
    )


def _declared_duty_line(
    n: int, it: DutiableItem, cv: Decimal, economy: str, currency: str
) -> DutyLine:
    """The duty of an item no schedule line covers: at the rate the declarant gave, or none."""
    if it.declared_duty_rate is None:
        return DutyLine(
            n,
            "duty",
            cv,
            currency,
            Decimal(0),
            "%",
            f"no rate: no line for {it.hs_code} in the {economy} schedule and none declared",
            Decimal(0),
        )
    rate = it.declared_duty_rate
    source = f"declared rate {rate} % (self-assessed; no {economy} schedule line)"
    return DutyLine(
        n, "duty", cv, currency, rate, "%", source, round_to(cv * rate / HUNDRED, currency)
    )


@dataclass(frozen=True, slots=True)
class _Rated:
    """What an item's duty takes from its tariff line, worked out once per line: the match,
    its note and source text (None: no schedule line)."""

    match: Match | None
    note: str
    source: str


class DutyBatch:
    """:func:`assess_duties` for many declarations of one economy, with the same results
    (object for object, every Decimal with the same digits and exponent: a test compares
    their reprs). What depends only on a tariff line (the selection, its source text) or on a
    currency and day (the reference rates, the de minimis threshold) is worked out once per
    group; the amounts stay exact Decimal arithmetic per item, in the same order of operations
    as :func:`assess_duties` (a float or array computation would not round the same way).
    The schedule and the rates must not change while it is used (one per batch)."""

    def __init__(
        self,
        *,
        economy: str,
        currency: str,
        schedule: TariffSchedule | None,
        fx: FxSource,
        selections: Selections | None = None,
    ) -> None:
        self.economy = economy
        self.currency = currency
        self.schedule = schedule
        self._fx = fx
        self._select = _selector(schedule, selections)
        self._rates: dict[tuple[str, date], FxRate] = {}
        self._rated: dict[tuple[str, str, str | None], _Rated] = {}
        self._thresholds: dict[tuple[str, date], Decimal] = {}
        settings = schedule.settings if schedule else None
        self._settings = settings
        self._vat_rate = settings.vat_rate if settings else Decimal(0)
        self._vat_source = (
            f"{economy} VAT/GST on customs value + duty"
            if settings
            else f"no rate: no {economy} tariff schedule gives a VAT/GST rate"
        )

    def _rate(self, ccy: str, on: date) -> FxRate:
        key = (ccy, on)
        found = self._rates.get(key)
        if found is None:  # a failure is not kept: asked again, it fails again the same way
            found = self._rates[key] = self._fx(ccy, on)
        return found

    def _line(self, it: DutiableItem) -> _Rated:
        key = (it.hs_code, it.origin_country, it.preference)
        found = self._rated.get(key)
        if found is None:
            match, note = self._select(*key) if self._select is not None else (None, "")
            source = ""
            if match is not None:
                line = match.line
                source = f"{self.economy} tariff {line.hs_prefix} {line.rate_type}: {match.why}"
            found = self._rated[key] = _Rated(match, note, source)
        return found

    def assess(self, declaration: DutiableGoods, on: date) -> DutyAssessment:
        """``assess_duties(declaration, on=on, ...)`` with this batch's economy, currency,
        schedule, rates and selections."""
        d = declaration
        currency = self.currency
        economy = self.economy
        rates: dict[str, FxRate] = {}

        def factor(from_ccy: str, to_ccy: str) -> Decimal:
            if from_ccy == to_ccy:
                return Decimal(1)
            for ccy in (from_ccy, to_ccy):
                if ccy not in rates:
                    rates[ccy] = self._rate(ccy, on)
            return rates[to_ccy].per_usd / rates[from_ccy].per_usd

        items = d.items
        values = [it.invoice_value for it in items]
        freight = d.freight if d.incoterm in ADD_FREIGHT else Decimal(0)
        insurance = d.insurance if d.incoterm in ADD_INSURANCE else Decimal(0)
        freights = allocate(freight, values, d.invoice_currency)
        insurances = allocate(insurance, values, d.invoice_currency)
        to_local = factor(d.invoice_currency, currency)
        valuation = []
        for i, it in enumerate(items):
            cif = it.invoice_value + freights[i] + insurances[i]
            valuation.append(
                ItemValuation(
                    i + 1,
                    it.invoice_value,
                    freights[i],
                    insurances[i],
                    cif,
                    round_to(cif * to_local, currency),
                )
            )
        customs_value = sum((v.customs_value for v in valuation), Decimal(0))
        notes: list[str] = [
            f"{r.currency}: the rate of {r.month:%Y-%m} is used, the latest loaded"
            for r in rates.values()
            if r.month != on.replace(day=1)
        ]
        if d.freight and not freight:
            notes.append(f"freight not added: {d.incoterm} prices include it")
        if d.insurance and not insurance:
            notes.append(f"insurance not added: {d.incoterm} prices include it")

        if d.kind == "export":
            notes.append("exports: no duties or taxes are assessed")
            return DutyAssessment(
                currency,
                d.invoice_currency,
                on,
                _sorted(rates),
                valuation,
                [],
                None,
                customs_value,
                Decimal(0),
                Decimal(0),
                Decimal(0),
                notes,
                True,
            )

        de_minimis = None
        relieve_duty = relieve_tax = False
        settings = self._settings
        if settings and settings.de_minimis_amount is not None and settings.de_minimis_currency:
            # factor() also records the rates it used (they are part of the assessment).
            per = factor(settings.de_minimis_currency, currency)
            key = (settings.de_minimis_currency, on)
            local = self._thresholds.get(key)
            if local is None:
                local = self._thresholds[key] = round_to(settings.de_minimis_amount * per, currency)
            applies = customs_value <= local
            de_minimis = DeMinimisCheck(
                settings.de_minimis_amount,
                settings.de_minimis_currency,
                local,
                customs_value,
                settings.de_minimis_scope.value,
                applies,
            )
            relieve_duty = applies
            relieve_tax = applies and settings.de_minimis_scope is DeMinimisScope.DUTY_AND_TAX
        if self.schedule is None:
            notes.append(f"no tariff schedule for {economy}: declared rates used where given")

        lines: list[DutyLine] = []
        complete = True
        vat_rate = self._vat_rate
        vat_source = self._vat_source
        for i, it in enumerate(items):
            cv = valuation[i].customs_value
            duty_lines, no_rate = self._duty_lines(i + 1, it, cv, notes, relieve_duty)
            if no_rate:
                complete = False
            lines.extend(duty_lines)
            duty_due = sum((ln.amount for ln in duty_lines), Decimal(0))
            base = cv + duty_due
            complete = complete and settings is not None
            amount = round_to(base * vat_rate / HUNDRED, currency)
            # The relieved line made at once (what _relieved makes of the line).
            lines.append(
                DutyLine(
                    i + 1,
                    "vat",
                    base,
                    currency,
                    vat_rate,
                    "%",
                    f"{vat_source}; relieved under de minimis" if relieve_tax else vat_source,
                    Decimal(0) * amount if relieve_tax else amount,
                )
            )
        duty_total = sum((ln.amount for ln in lines if ln.tax != "vat"), Decimal(0))
        tax_total = sum((ln.amount for ln in lines if ln.tax == "vat"), Decimal(0))
        return DutyAssessment(
            currency,
            d.invoice_currency,
            on,
            _sorted(rates),
            valuation,
            lines,
            de_minimis,
            customs_value,
            duty_total,
            tax_total,
            duty_total + tax_total,
            notes,
            complete,
        )

    def _duty_lines(
        self, n: int, it: DutiableItem, cv: Decimal, notes: list[str], relieve: bool
    ) -> tuple[list[DutyLine], bool]:
        """An item's duty lines (ad valorem, and specific where its line levies one), its
        tariff line looked up once per batch, relieved under de minimis if ``relieve`` (made
        so at once: what :func:`_relieved` makes), and whether the item had no rate."""
        economy = self.economy
        currency = self.currency
        rated = self._line(it)
        if rated.note:
            notes.append(f"item {n}: {rated.note}")
        match = rated.match
        if match is None:
            declared = _declared_duty_line(n, it, cv, economy, currency)
            no_rate = it.declared_duty_rate is None
            return [_relieved(declared) if relieve else declared], no_rate
        line = match.line
        source = f"{rated.source}; relieved under de minimis" if relieve else rated.source
        if it.declared_duty_rate is not None and it.declared_duty_rate != line.ad_valorem:
            notes.append(
                f"item {n}: declared rate {it.declared_duty_rate} % differs from the "
                f"schedule's {line.ad_valorem} %"
            )
        amount = round_to(cv * line.ad_valorem / HUNDRED, currency)
        out = [
            DutyLine(
                n,
                "duty",
                cv,
                currency,
                line.ad_valorem,
                "%",
                source,
                Decimal(0) * amount if relieve else amount,
            )
        ]
        if line.specific_amount is not None and line.specific_unit is not None:
            if line.specific_unit is SpecificUnit.KG:
                base, unit = it.net_mass_kg, "kg"
            else:
                base, unit = it.quantity or Decimal(0), "unit"
            amount = round_to(base * line.specific_amount, currency)
            out.append(
                DutyLine(
                    n,
                    "specific_duty",
                    base,
                    unit,
                    line.specific_amount,
                    f"{currency}/{unit}",
                    source,
                    Decimal(0) * amount if relieve else amount,
                )
            )
        return out, False  # a schedule line gives a rate
