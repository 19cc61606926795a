"""Duties and taxes against a hand computation (docs/declarations.md, "Duties and taxes")."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from smartcustoms.declarations.intake.validation import read_document
from smartcustoms.tariff.duties import (
    FxRate,
    Selections,
    allocate,
    assess_duties,
    minor_unit,
    round_to,
    specific_duty_problems,
)
from tests.factories import document, kr_schedule

D = Decimal
KRW_PER_USD = D("1120.5")


def fx(currency: str, on: date) -> FxRate:
    per_usd = {"USD": D(1), "KRW": KRW_PER_USD}[currency]
    return FxRate(currency, on.replace(day=1), per_usd, "per USD")


def _assess(doc: dict) -> object:
    decl, errors, _ = read_document(doc, economy="KR", today=date(2021, 6, 1))
    assert not errors, errors
    assert decl is not None
    return assess_duties(
        decl, economy="KR", currency="KRW", on=date(2021, 5, 14), schedule=kr_schedule(), fx=fx
    )


def test_multi_item_foreign_currency_matches_hand_computation() -> None:
    a = _assess(document())
    # Freight 100 and insurance 20 (FOB adds both) shared by value 3000:2000:1000.
    assert [v.freight for v in a.valuation] == [D("50.00"), D("33.33"), D("16.67")]
    assert [v.insurance for v in a.valuation] == [D("10.00"), D("6.67"), D("3.33")]
    assert [v.cif for v in a.valuation] == [D("3060.00"), D("2040.00"), D("1020.00")]
    # CIF x 1120.5 KRW/USD, rounded to whole won.
    assert [v.customs_value for v in a.valuation] == [D(3428730), D(2285820), D(1142910)]
    assert a.customs_value == D(6857460)
    assert [(r.currency, r.per_usd) for r in a.rates_used] == [("KRW", KRW_PER_USD), ("USD", D(1))]
    lines = [(ln.item, ln.tax, ln.base, ln.rate, ln.amount) for ln in a.lines]
    assert lines == [
        (1, "duty", D(3428730), D(0), D(0)),  # FCN1 preference: origin CN qualifies
        (1, "vat", D(3428730), D(10), D(342873)),
        (2, "duty", D(2285820), D(13), D(297157)),  # FCN1 refused (origin VN): general A
        (2, "specific_duty", D(200), D(500), D(100000)),  # 500 KRW per unit x 200
        (2, "vat", D(2682977), D(10), D(268298)),  # (2285820 + 297157 + 100000) x 10 %
        (3, "duty", D(1142910), D(40), D(457164)),
        (3, "specific_duty", D(50), D(1000), D(50000)),  # 1000 KRW per kg x 50 kg
        (3, "vat", D(1650074), D(10), D(165007)),
    ]
    assert "FCN1" in a.lines[0].source and "850760" in a.lines[0].source
    assert "A" in a.lines[2].source
    assert any("origin VN does not qualify for FCN1" in n for n in a.notes)
    assert a.de_minimis is not None and not a.de_minimis.applies
    assert a.de_minimis.threshold_local == D(168075)  # 150 USD x 1120.5
    assert a.duty_total == D(904321)
    assert a.tax_total == D(776178)
    assert a.total == D(1680499)
    assert a.complete


def test_de_minimis_relieves_duty_and_vat() -> None:
    small = document(
        items=[
            {
                "hs_code": "020130",
                "description": "Beef sample",
                "origin_country": "AU",
                "net_mass_kg": "1",
                "invoice_value": "100",
            }
        ],
        incoterm="CIF",
    )
    a = _assess(small)
    assert a.customs_value == D(112050)  # 100 USD x 1120.5, CIF: nothing added
    assert a.de_minimis is not None and a.de_minimis.applies
    assert [ln.amount for ln in a.lines] == [0, 0, 0]
    assert all("de minimis" in ln.source for ln in a.lines)
    assert a.total == 0


def test_cif_adds_nothing_and_cfr_adds_insurance_only() -> None:
    cif = _assess(document(incoterm="CIF"))
    assert [v.cif for v in cif.valuation] == [D(3000), D(2000), D(1000)]
    cfr = _assess(document(incoterm="CFR"))
    assert [v.freight for v in cfr.valuation] == [0, 0, 0]
    assert sum(v.insurance for v in cfr.valuation) == D(20)


def test_allocation_adds_up_exactly() -> None:
    shares = allocate(D("100.00"), [D(1), D(1), D(1)], "USD")
    assert shares == [D("33.33"), D("33.33"), D("33.34")]
    assert sum(shares) == D("100.00")


def test_minor_units() -> None:
    assert minor_unit("KRW") == 1 and minor_unit("USD") == D("0.01")
    assert minor_unit("KWD") == D("0.001")
    assert round_to(D("2.5"), "JPY") == 3  # half up, not banker's rounding


def test_longest_prefix_wins() -> None:
    schedule = kr_schedule()
    assert schedule.longest("850760", "A").hs_prefix == "85"
    assert schedule.longest("8507600000", "FCN1").hs_prefix == "850760"
    assert schedule.longest("999999", "A") is None


def test_export_is_not_taxed() -> None:
    doc = document(
        kind="export", exporter={"id": "EXP-1", "country": "KR"}, destination_country="US"
    )
    del doc["importer"]
    a = _assess(doc)
    assert a.lines == [] and a.total == 0 and a.customs_value > 0


def test_a_batch_looks_lines_up_once_with_the_same_result() -> None:
    """``Selections`` (a batch's memory of the schedule's lines) changes nothing but speed:
    every combination of item, origin, preference, currency and Incoterm assesses the same,
    Decimal for Decimal, with and without it, and through one shared instance."""
    schedule = kr_schedule()
    shared = Selections(schedule)
    items = [
        {"hs_code": hs, "origin_country": origin, "preference": pref}
        for hs in ("850760", "850440", "610910", "020130", "902710")
        for origin in ("CN", "VN")
        for pref in (None, "FCN1", "XX")
    ]
    for n, it in enumerate(items):
        line = {
            "hs_code": it["hs_code"],
            "description": f"goods {n}",
            "origin_country": it["origin_country"],
            "net_mass_kg": str(1 + n % 7),
            "invoice_value": ["3", "150", "99999.99"][n % 3],
            "quantity": "4",
            "unit": "PCE",
        }
        if it["preference"]:
            line["preference"] = it["preference"]
        doc = document(
            items=[line, {**line, "description": "second", "invoice_value": "10"}],
            incoterm=["FOB", "CIF", "CFR"][n % 3],
            invoice_currency=["USD", "KRW"][n % 2],
        )
        decl, errors, _ = read_document(doc, economy="KR", today=date(2021, 6, 1))
        assert decl is not None, errors
        on = date(2021, 5, 14)
        plain = assess_duties(decl, economy="KR", currency="KRW", on=on, schedule=schedule, fx=fx)
        remembered = assess_duties(
            decl,
            economy="KR",
            currency="KRW",
            on=on,
            schedule=schedule,
            fx=fx,
            selections=shared,
        )
        assert remembered == plain
        assert [str(ln.amount) for ln in remembered.lines] == [str(ln.amount) for ln in plain.lines]
        assert specific_duty_problems(decl, schedule, shared) == specific_duty_problems(
            decl, schedule
        )
