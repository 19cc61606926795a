"""Submission: assessment against a hand computation, idempotency, isolation, nothing stored
when invalid."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest
from sqlalchemy import func, select

from smartcustoms.audit.tables import AuditEntryRow
from smartcustoms.declarations import service
from smartcustoms.declarations.model import ListFilters, Status
from smartcustoms.declarations.tables import DeclarationRow
from smartcustoms.errors import Conflict, InvalidInput, NotFound
from smartcustoms.reference import service as reference
from tests.declarations.conftest import KR, doc, principal


def won(x: Decimal) -> Decimal:
    return x.quantize(Decimal(1), rounding=ROUND_HALF_UP)


def test_foreign_currency_assessment_matches_hand_computation(kr: KR) -> None:
    result = service.submit(kr.db.uow(), kr.declarant, doc())
    a = result.record.assessment
    assert result.created and a is not None
    usd = reference.rate_per_usd(kr.db.uow(), "USD", date(2021, 5, 14)).per_usd
    krw = reference.rate_per_usd(kr.db.uow(), "KRW", date(2021, 5, 14)).per_usd
    rate = krw / usd
    # FOB: freight 100 and insurance 20 shared 3:2:1 -> CIF 3060, 2040, 1020 USD.
    cv = [won(Decimal(3060) * rate), won(Decimal(2040) * rate), won(Decimal(1020) * rate)]
    assert [v.customs_value for v in a.valuation] == cv
    duty2, spec2 = won(cv[1] * Decimal("0.13")), Decimal(500 * 200)
    duty3, spec3 = won(cv[2] * Decimal("0.03")), Decimal(1000 * 50)
    expected = [
        ("duty", cv[0], Decimal(0)),  # FCN1, origin CN
        ("vat", cv[0], won(cv[0] / 10)),
        ("duty", cv[1], duty2),  # FCN1 claimed but origin VN: A 13 % + 500/unit
        ("specific_duty", Decimal(200), spec2),
        ("vat", cv[1] + duty2 + spec2, won((cv[1] + duty2 + spec2) / 10)),
        ("duty", cv[2], duty3),  # A 3 % + 1000/kg
        ("specific_duty", Decimal(50), spec3),
        ("vat", cv[2] + duty3 + spec3, won((cv[2] + duty3 + spec3) / 10)),
    ]
    assert [(ln.tax, ln.base, ln.amount) for ln in a.lines] == expected
    assert a.total == sum(e[2] for e in expected)
    assert {r.currency for r in a.rates_used} == {"USD", "KRW"}
    assert a.de_minimis is not None and not a.de_minimis.applies
    assert result.record.status is Status.RELEASED  # quiet lanes: green


def test_idempotent_on_declarant_and_reference(kr: KR) -> None:
    first = service.submit(kr.db.uow(), kr.declarant, doc())
    again = service.submit(kr.db.uow(), kr.declarant, doc())
    assert not again.created and again.record.id == first.record.id
    with pytest.raises(Conflict):
        service.submit(kr.db.uow(), kr.declarant, doc(office="030"))
    other = service.submit(kr.db.uow(), kr.declarant2, doc())
    assert other.created and other.record.id != first.record.id


def test_invalid_declaration_stores_nothing(kr: KR) -> None:
    bad = doc()
    bad["items"][0]["hs_code"] = "850799"  # chapter and heading exist, subheading never did
    bad["items"][1]["net_mass_kg"] = "-1"
    bad["items"][2]["origin_country"] = "QQ"
    with pytest.raises(InvalidInput) as exc:
        service.submit(kr.db.uow(), kr.declarant, bad)
    paths = {e.path: e for e in exc.value.errors}
    # Every problem at once, the HS code too, although the document did not read (issue 8).
    assert set(paths) == {"items[0].hs_code", "items[1].net_mass_kg", "items[2].origin_country"}
    bad["items"][1]["net_mass_kg"] = "1"
    bad["items"][2]["origin_country"] = "US"
    # Dated 2021, 850799 is still an error: it was no HS 2017 subheading either (issue 8).
    rep = service.validate(kr.db.uow(), kr.declarant, bad)
    [err] = rep.errors
    assert err.code == "unknown_hs_code" and "did you mean 8507" in err.message
    # An HS 2017 subheading that HS 2022 split (8541.40) is accepted in 2021, with a warning ...
    bad["items"][0]["hs_code"] = "854140"
    rep = service.validate(kr.db.uow(), kr.declarant, bad)
    assert rep.valid and [w.code for w in rep.warnings] == ["hs_edition"]
    assert "HS 2017" in rep.warnings[0].message
    # ... lodged today, it is an error with the nearest valid codes suggested.
    del bad["date"]
    with pytest.raises(InvalidInput) as exc:
        service.submit(kr.db.uow(), kr.declarant, bad)
    [err] = exc.value.errors
    assert err.path == "items[0].hs_code" and err.code == "hs_edition_ended"
    assert "did you mean 8541" in err.message
    _stored_nothing(kr)


def test_errors_and_warnings_are_reported_together(kr: KR) -> None:
    bad = doc()
    bad["items"][0]["hs_code"] = "854140"  # HS 2017 only: a warning on a 2021 declaration
    bad["items"][1]["net_mass_kg"] = "-1"  # an error
    with pytest.raises(InvalidInput) as exc:
        service.submit(kr.db.uow(), kr.declarant, bad)
    assert [e.path for e in exc.value.errors] == ["items[1].net_mass_kg"]
    assert [w.code for w in exc.value.warnings] == ["hs_edition"]
    rep = service.validate(kr.db.uow(), kr.declarant, bad)
    assert not rep.valid and [w.code for w in rep.warnings] == ["hs_edition"]


def test_reference_pages_apply_the_same_hs_rule(kr: KR) -> None:
    from smartcustoms.errors import NotFound
    from smartcustoms.reference import service as reference

    with pytest.raises(NotFound) as missing:
        reference.hs_lookup(kr.db.uow(), "999999")  # a statistics code, rejected on lodging
    assert "does not exist in HS 2022" in missing.value.message
    with pytest.raises(NotFound) as older:
        reference.hs_lookup(kr.db.uow(), "854140")
    assert "HS 2017 subheading" in older.value.message
    assert reference.hs_lookup(kr.db.uow(), "854141").code == "854141"


def _stored_nothing(kr: KR) -> None:
    with kr.db.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(DeclarationRow)) == 0
        assert conn.scalar(select(func.count()).select_from(AuditEntryRow)) == 1  # config


def test_economy_and_declarant_isolation(kr: KR) -> None:
    rec = service.submit(kr.db.uow(), kr.declarant, doc()).record
    jp = principal(kr.db, kr.actors.user("JP", "officer")["email"])
    with pytest.raises(NotFound):
        service.get(kr.db.uow(), jp, rec.id)
    assert service.list_declarations(kr.db.uow(), jp).total == 0
    with pytest.raises(NotFound):
        service.get(kr.db.uow(), kr.declarant2, rec.id)
    assert service.list_declarations(kr.db.uow(), kr.declarant2).total == 0
    assert service.get(kr.db.uow(), kr.officer, rec.id).id == rec.id
    assert service.get(kr.db.uow(), kr.analyst, rec.id).id == rec.id


def test_list_filters(kr: KR) -> None:
    service.submit(kr.db.uow(), kr.declarant, doc())
    second = doc(reference="INV-2", date="2021-06-02")
    second["items"] = second["items"][2:]
    service.submit(kr.db.uow(), kr.declarant, second)
    ls = service.list_declarations
    assert ls(kr.db.uow(), kr.officer).total == 2
    assert ls(kr.db.uow(), kr.officer, ListFilters(hs_prefix="8504")).total == 1
    assert ls(kr.db.uow(), kr.officer, ListFilters(date_from=date(2021, 6, 1))).total == 1
    assert ls(kr.db.uow(), kr.officer, ListFilters(party="IMP-778")).total == 2
    assert ls(kr.db.uow(), kr.officer, ListFilters(party="nobody")).total == 0
    assert ls(kr.db.uow(), kr.officer, ListFilters(status=Status.RELEASED)).total == 2
    page = ls(kr.db.uow(), kr.officer)
    assert [s.reference for s in page.items] == ["INV-2", "INV-1"]
    assert page.items[1].hs_codes == ["850760", "850440", "902710"]


def test_validate_previews_without_storing(kr: KR) -> None:
    rep = service.validate(kr.db.uow(), kr.declarant, doc())
    assert rep.valid and rep.assessment is not None and rep.assessment.total > 0
    assert service.list_declarations(kr.db.uow(), kr.officer).total == 0


def test_submit_many_stores_all_or_none(kr: KR) -> None:
    """Two documents of one file with the same reference but different content: checked one
    by one, both look valid; lodged together, the second conflicts with the first and nothing
    is stored. A clean file is lodged whole, in one transaction."""
    clash = [doc(reference="MANY-1"), doc(reference="MANY-1", office="030")]
    assert all(service.validate(kr.db.uow(), kr.declarant, d).valid for d in clash)
    with pytest.raises(InvalidInput) as info:
        service.submit_many(kr.db.uow(), kr.declarant, [*clash, doc(invoice_currency="USX")])
    assert {e.path for e in info.value.errors} == {"[1].reference", "[2].invoice_currency"}
    assert service.list_declarations(kr.db.uow(), kr.declarant).total == 0
    done = service.submit_many(
        kr.db.uow(), kr.declarant, [doc(reference="MANY-1"), doc(reference="MANY-2")]
    )
    assert [r.created for r in done] == [True, True]
    assert service.list_declarations(kr.db.uow(), kr.declarant).total == 2
