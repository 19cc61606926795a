"""``assess_duties`` as it was written before it became a :class:`DutyBatch` used once (kept
verbatim as the reference the batch is compared with: one computation for one declaration and
for a batch must give what this gave), with the item lines it was built from."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from smartcustoms.tariff.duties import (
    ADD_FREIGHT,
    ADD_INSURANCE,
    HUNDRED,
    DeMinimisCheck,
    DutiableGoods,
    DutiableItem,
    DutyAssessment,
    DutyLine,
    FxRate,
    FxSource,
    ItemValuation,
    Selections,
    _selector,
    _sorted,
    allocate,
    round_to,
)
from smartcustoms.tariff.model import DeMinimisScope, Match, SpecificUnit, TariffSchedule


def reference_assess_duties(
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

    ``selections`` (of ``schedule``) lets a batch look each tariff line up once."""
    d = declaration
    select = _selector(schedule, selections)
    rates: dict[str, FxRate] = {}

    def factor(from_ccy: str, to_ccy: str) -> Decimal:
        if from_ccy == to_ccy:
            return Decimal(1)
        for ccy in (from_ccy, to_ccy):
            if ccy not in rates:
                rates[ccy] = fx(ccy, on)
        return rates[to_ccy].per_usd / rates[from_ccy].per_usd

    values = [it.invoice_value for it in d.items]
    freight = d.freight if d.incoterm in ADD_FREIGHT else Decimal(0)
    insurance = d.insurance if d.incoterm in ADD_INSURANCE else Decimal(0)
    freights = allocate(freight, values, d.invoice_currency)
    insurances = allocate(insurance, values, d.invoice_currency)
    to_local = factor(d.invoice_currency, currency)
    valuation = []
    for i, it in enumerate(d.items):
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
    settings = schedule.settings if schedule else None
    if settings and settings.de_minimis_amount is not None and settings.de_minimis_currency:
        local = round_to(
            settings.de_minimis_amount * factor(settings.de_minimis_currency, currency), currency
        )
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
    if schedule is None:
        notes.append(f"no tariff schedule for {economy}: declared rates used where given")

    lines: list[DutyLine] = []
    complete = True
    for i, it in enumerate(d.items):
        cv = valuation[i].customs_value
        duty_lines = _duty_lines(i + 1, it, cv, economy, currency, select, notes)
        if not duty_lines or duty_lines[0].source.startswith("no rate"):
            complete = False
        if relieve_duty:
            duty_lines = [_relieved(ln) for ln in duty_lines]
        lines.extend(duty_lines)
        duty_due = sum((ln.amount for ln in duty_lines), Decimal(0))
        vat_rate = settings.vat_rate if settings else Decimal(0)
        base = cv + duty_due
        vat_source = (
            f"{economy} VAT/GST on customs value + duty"
            if settings
            else f"no rate: no {economy} tariff schedule gives a VAT/GST rate"
        )
        complete = complete and settings is not None
        vat = DutyLine(
            i + 1,
            "vat",
            base,
            currency,
            vat_rate,
            "%",
            vat_source,
            round_to(base * vat_rate / HUNDRED, currency),
        )
        lines.append(_relieved(vat) if relieve_tax else vat)
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


def _duty_lines(
    n: int,
    it: DutiableItem,
    cv: Decimal,
    economy: str,
    currency: str,
    select: Callable[[str, str, str | None], tuple[Match | None, str]] | None,
    notes: list[str],
) -> list[DutyLine]:
    match, note = (
        select(it.hs_code, it.origin_country, it.preference) if select is not None else (None, "")
    )
    if note:
        notes.append(f"item {n}: {note}")
    if match is None:
        if it.declared_duty_rate is not None:
            rate = it.declared_duty_rate
            source = f"declared rate {rate} % (self-assessed; no {economy} schedule line)"
        else:
            return [
                DutyLine(
                    n,
                    "duty",
                    cv,
                    currency,
                    Decimal(0),
                    "%",
                    f"no rate: no line for {it.hs_code} in the {economy} "
                    "schedule and none declared",
                    Decimal(0),
                )
            ]
        return [
            DutyLine(
                n, "duty", cv, currency, rate, "%", source, round_to(cv * rate / HUNDRED, currency)
            )
        ]
    line = match.line
    source = f"{economy} tariff {line.hs_prefix} {line.rate_type}: {match.why}"
    if it.declared_duty_rate is not None and it.declared_duty_rate != line.ad_valorem:
        notes.append(
            f"item {n}: declared rate {it.declared_duty_rate} % differs from the "
            f"schedule's {line.ad_valorem} %"
        )
    out = [
        DutyLine(
            n,
            "duty",
            cv,
            currency,
            line.ad_valorem,
            "%",
            source,
            round_to(cv * line.ad_valorem / HUNDRED, currency),
        )
    ]
    if line.specific_amount is not None and line.specific_unit is not None:
        if line.specific_unit is SpecificUnit.KG:
            base, unit = it.net_mass_kg, "kg"
        else:
            base, unit = it.quantity or Decimal(0), "unit"
        out.append(
            DutyLine(
                n,
                "specific_duty",
                base,
                unit,
                line.specific_amount,
                f"{currency}/{unit}",
                source,
                round_to(base * line.specific_amount, currency),
            )
        )
    return out
