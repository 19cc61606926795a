"""Certificates of origin, AEO status under mutual recognition, and risk alerts between two
real installations (KR issues / authorises / alerts; SG verifies and acts)."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

import httpx
import pytest

from smartcustoms.declarations import service as declarations
from smartcustoms.exchange import queries
from smartcustoms.exchange.services import aeo, alerts, certificates, cycle
from smartcustoms.risk import service as risk
from smartcustoms.risk import wiring
from smartcustoms.tariff import service as tariff
from smartcustoms.tariff.model import ScheduleSettings, TariffLine

from .conftest import Installation, Pair

CERT_DATA: dict[str, Any] = {
    "importing_economy": "SG",
    "trade_agreement": "Korea-Singapore FTA",
    "export_reference": "EXP-77",
    "exporter": {"id": "KR-EXP-1", "name": "Hanbit Cells", "country": "KR"},
    "importer": {"id": "SG-IMP-9", "name": "Lion City Power", "country": "SG"},
    "goods": [
        {
            "hs_code": "850760",
            "description": "Li-ion battery packs",
            "origin_criterion": "CTH",
            "net_mass_kg": "1000",
            "invoice_value": "48000",
            "currency": "USD",
        }
    ],
}


def _sg_schedule(b: Installation) -> None:
    tariff.set_schedule(
        b.db.uow(),
        b.admin,
        ScheduleSettings(
            economy="SG",
            vat_rate=Decimal(9),
            de_minimis_amount=Decimal(0),
            de_minimis_currency="USD",
            default_rate_type="A",
            source="test",
        ),
        [
            TariffLine("85", "A", Decimal(8)),
            TariffLine("850760", "FKR", Decimal(0), origins=frozenset({"KR"})),
        ],
    )
    declarations.set_assessor_config(
        b.db.uow(), b.admin, {"random_red_rate": 0, "random_yellow_rate": 0, "rules": []}
    )


def _import(reference: str, cert: str | None) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "reference": reference,
        "kind": "import",
        "date": "2021-05-20",
        "office": "SGP",
        "transport_mode": "sea",
        "invoice_currency": "USD",
        "incoterm": "FOB",
        "declarant": {"id": "SG-BRK-4", "country": "SG"},
        "importer": {"id": "SG-IMP-9", "country": "SG"},
        "departure_country": "KR",
        "items": [
            {
                "hs_code": "850760",
                "description": "battery packs",
                "origin_country": "KR",
                "net_mass_kg": "1000",
                "invoice_value": "48000",
                "preference": "FKR",
            }
        ],
    }
    if cert:
        doc["national"] = {"certificate_of_origin": cert}
    return doc


def _duty(b: Installation, reference: str, cert: str | None) -> tuple[Decimal, list[str]]:
    report = declarations.validate(b.db.uow(), b.admin, _import(reference, cert))
    assert report.valid, report.errors
    a = report.assessment
    assert a is not None
    return a.duty_total, a.notes


def test_certificate_issued_verified_grants_preference_and_revocation_propagates(
    pair: Pair,
) -> None:
    a, b = pair.a, pair.b
    _sg_schedule(b)
    certificates.set_policy(b.db.uow(), b.admin, certificate_required_for_preference=True)
    # Without a certificate the preference is refused, with the reason.
    duty, notes = _duty(b, "IMP-0", None)
    assert duty > 0
    assert any("preference FKR not granted: no certificate of origin cited" in n for n in notes)

    credential = certificates.issue(a.db.uow(), a.admin, a.secret, CERT_DATA, base_url=a.url)
    number = credential["credentialSubject"]["certificate_number"]
    assert credential["proof"]["jws"].count(".") == 2
    report = cycle.run_cycle(a.db.uow, a.secret)
    assert len(report.delivery.delivered) == 1

    duty, notes = _duty(b, "IMP-1", number)
    assert duty == 0
    assert f"item 1: preference FKR proven by {number}" in notes
    check = certificates.check_credential(b.db.uow(), "SG", credential)
    assert check.valid and check.issuer == "KR"

    # A forged copy (goods changed after signing) is refused.
    forged = copy.deepcopy(credential)
    forged["credentialSubject"]["goods"][0]["invoice_value"] = "4800"
    bad = certificates.check_credential(b.db.uow(), "SG", forged)
    assert not bad.valid and "altered" in bad.reason

    # The public verification page of the issuer says it is valid; the PDF carries the link.
    page = httpx.get(f"{a.url}/verify/certificates/KR/{number}")
    assert page.status_code == 200 and "valid" in page.text.lower()
    assert number in page.text

    certificates.revoke(a.db.uow(), a.admin, a.secret, number, "issued in error")
    assert len(cycle.run_cycle(a.db.uow, a.secret).delivery.delivered) == 1
    duty, notes = _duty(b, "IMP-2", number)
    assert duty > 0
    assert any("revoked by KR" in n and "issued in error" in n for n in notes)
    page = httpx.get(f"{a.url}/verify/certificates/KR/{number}")
    assert "revoked" in page.text.lower()


def test_certificate_pdf_has_qr_and_verification_link(pair: Pair) -> None:
    from io import BytesIO

    from pypdf import PdfReader

    a = pair.a
    credential = certificates.issue(a.db.uow(), a.admin, a.secret, CERT_DATA, base_url=a.url)
    number = credential["credentialSubject"]["certificate_number"]
    link = certificates.verify_url(a.url, "KR", number)
    pdf = certificates.certificate_pdf(credential, link)
    assert pdf.startswith(b"%PDF")
    reader = PdfReader(BytesIO(pdf))
    text = " ".join(p.extract_text() for p in reader.pages)
    assert number in text and "Certificate of Origin" in text
    assert any("/XObject" in str(p.get("/Resources", {})) for p in reader.pages) or link in text


def test_certificate_input_errors_are_reported_together(pair: Pair) -> None:
    from smartcustoms.errors import InvalidInput

    bad = {**CERT_DATA, "importing_economy": "KR", "goods": [{"hs_code": "12"}]}
    with pytest.raises(InvalidInput) as caught:
        certificates.issue(pair.a.db.uow(), pair.a.admin, pair.a.secret, bad, base_url="x")
    paths = {e.path for e in caught.value.errors}
    assert {
        "importing_economy",
        "goods[0].hs_code",
        "goods[0].origin_criterion",
        "goods[0].description",
    } <= paths


def test_partner_aeo_under_mra_gets_the_benefit_until_suspended(pair: Pair) -> None:
    a, b = pair.a, pair.b
    for inst, partner in ((a, "SG"), (b, "KR")):
        aeo.record_mra(
            inst.db.uow(),
            inst.admin,
            partner,
            name="KR-SG AEO MRA",
            valid_from="2010-01-01",
            signed_on="2009-12-01",
        )
    aeo.set_aeo(a.db.uow(), a.admin, a.secret, "GT-001", name="Global Trader")
    cycle.run_cycle(a.db.uow, a.secret)
    benefit = queries.mutually_recognised_aeo(
        b.db.uow(), "SG", "GT-001", __import__("datetime").date(2021, 5, 20)
    )
    assert benefit is not None and benefit.authority == "KR"

    _sg_schedule(b)
    doc = _import("IMP-AEO", None)
    doc["importer"] = {"id": "GT-001", "country": "SG"}
    scored = wiring.score_payload(b.db.uow(), b.admin, doc)
    assert scored.aeo is True
    assert any("AEO of KR (GT-001), recognised under KR-SG AEO MRA" in r for r in scored.reasons)

    aeo.set_aeo(a.db.uow(), a.admin, a.secret, "GT-001", status="suspended")
    cycle.run_cycle(a.db.uow, a.secret)
    assert wiring.score_payload(b.db.uow(), b.admin, doc).aeo is False
    listed = aeo.list_aeo(b.db.uow(), b.admin, "KR")
    assert [(x["trader_id"], x["status"]) for x in listed] == [("GT-001", "suspended")]


def test_risk_alert_becomes_a_rule_in_one_step(pair: Pair) -> None:
    a, b = pair.a, pair.b
    alerts.send_alert(
        a.db.uow(),
        a.admin,
        a.secret,
        "SG",
        {
            "title": "Undervalued batteries",
            "modus_operandi": "invoices split across shell consignees",
            "parties": ["SHELL-7"],
            "hs_prefixes": ["8507"],
            "departure": ["KR"],
            "lane": "red",
        },
    )
    cycle.run_cycle(a.db.uow, a.secret)
    received = alerts.list_alerts(b.db.uow(), b.admin)
    assert len(received) == 1 and received[0]["direction"] == "received"
    made = alerts.alert_to_rule(b.db.uow(), b.admin, received[0]["id"])
    rules = risk.list_rules(b.db.uow(), b.admin)
    assert [r.id for r in rules] == [made["rule_id"]]
    assert rules[0].status == "active"
    definition = rules[0].definition
    assert definition["conditions"]["parties"] == ["SHELL-7"]
    assert definition["action"]["lane"] == "red"
