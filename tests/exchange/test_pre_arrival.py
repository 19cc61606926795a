"""Export released in A (KR) -> pre-arrival data in B (SG) -> matched on import, discrepancies
flagged in plain words (two real installations over HTTP)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from smartcustoms.declarations import service as declarations
from smartcustoms.declarations.model import Status
from smartcustoms.exchange import queries
from smartcustoms.exchange.services import cycle, prearrival
from smartcustoms.risk import wiring
from smartcustoms.tariff import service as tariff
from smartcustoms.tariff.model import ScheduleSettings, TariffLine

from .conftest import Installation, Pair


def _schedule(inst: Installation) -> None:
    tariff.set_schedule(
        inst.db.uow(),
        inst.admin,
        ScheduleSettings(
            economy=inst.economy,
            vat_rate=Decimal(10),
            de_minimis_amount=Decimal(0),
            de_minimis_currency="USD",
            default_rate_type="A",
            source="test",
        ),
        [TariffLine("85", "A", Decimal(8)), TariffLine("90", "A", Decimal(3))],
    )
    declarations.set_assessor_config(
        inst.db.uow(), inst.admin, {"random_red_rate": 0, "random_yellow_rate": 0, "rules": []}
    )


def _export(reference: str, value: str, mass: str, hs: str = "850760") -> dict[str, Any]:
    return {
        "reference": reference,
        "kind": "export",
        "date": "2021-05-14",
        "office": "040",
        "transport_mode": "sea",
        "invoice_currency": "USD",
        "incoterm": "FOB",
        "declarant": {"id": "KR-BRK-1", "country": "KR"},
        "exporter": {"id": "KR-EXP-1", "name": "Hanbit Cells", "country": "KR"},
        "buyer": {"id": "SG-IMP-9", "name": "Lion City Power", "country": "SG"},
        "destination_country": "SG",
        "departure_date": "2021-05-14",
        "items": [
            {
                "hs_code": hs,
                "description": "Li-ion battery packs",
                "origin_country": "KR",
                "net_mass_kg": mass,
                "invoice_value": value,
            }
        ],
    }


def _import(
    reference: str, value: str, mass: str, hs: str = "850760", cite: str | None = None
) -> dict[str, Any]:
    doc = {
        "reference": reference,
        "kind": "import",
        "date": "2021-05-20",
        "office": "SGP",
        "transport_mode": "sea",
        "invoice_currency": "USD",
        "incoterm": "FOB",
        "declarant": {"id": "SG-BRK-4", "country": "SG"},
        "importer": {"id": "SG-IMP-9", "name": "Lion City Power", "country": "SG"},
        "seller": {"id": "KR-EXP-1", "country": "KR"},
        "departure_country": "KR",
        "items": [
            {
                "hs_code": hs,
                "description": "battery packs",
                "origin_country": "KR",
                "net_mass_kg": mass,
                "invoice_value": value,
            }
        ],
    }
    if cite:
        doc["national"] = {"export_reference": cite}
    return doc


def test_released_export_reaches_partner_and_import_discrepancy_is_flagged(pair: Pair) -> None:
    a, b = pair.a, pair.b
    _schedule(a)
    _schedule(b)
    # Two exports from KR to SG, released at lodging (green lane).
    for ref, value, mass in (("EXP-1", "48000", "1000"), ("EXP-2", "9000", "200")):
        rec = declarations.submit(a.db.uow(), a.admin, _export(ref, value, mass)).record
        assert rec.status is Status.RELEASED
    # A export to a non-partner is not sent anywhere.
    other = _export("EXP-JP", "100", "1")
    other["destination_country"] = "JP"
    declarations.submit(a.db.uow(), a.admin, other)

    report = cycle.run_cycle(a.db.uow, a.secret)
    assert len(report.queued) == 2 and sorted(report.delivery.delivered) == sorted(report.queued)
    # Nothing is queued twice.
    assert cycle.run_cycle(a.db.uow, a.secret).queued == []

    stored = prearrival.list_pre_arrivals(b.db.uow(), "SG")
    assert sorted(s["export_reference"] for s in stored) == ["EXP-1", "EXP-2"]
    assert all(s["matched_declaration_id"] is None for s in stored)

    # Lane selection in SG consults the pre-arrival data while the import is being lodged.
    scored = wiring.score_payload(
        b.db.uow(), b.admin, _import("IMP-1", "12000", "1000", cite="EXP-1")
    )
    assert (
        "pre-arrival data: export declaration in KR states USD 48,000; import declares USD 12,000"
        in scored.reasons
    )
    assert scored.lane in ("yellow", "red")
    assert "exchange:pre-arrival" in scored.rules_fired
    agreeing = wiring.score_payload(b.db.uow(), b.admin, _import("IMP-2", "9100", "205"))
    assert "pre-arrival data: matches the export declaration EXP-2 received from KR" in (
        agreeing.reasons
    )
    assert "exchange:pre-arrival" not in agreeing.rules_fired

    # Imports into SG: one cites EXP-1 and under-declares its value; one matches EXP-2 by
    # consignee and heading and agrees with it.
    under = declarations.submit(
        b.db.uow(), b.admin, _import("IMP-1", "12000", "1000", cite="EXP-1")
    ).record
    fine = declarations.submit(b.db.uow(), b.admin, _import("IMP-2", "9100", "205")).record
    matched = cycle.run_cycle(b.db.uow, b.secret).matched
    assert set(matched) == {under.id, fine.id}

    signals = prearrival.signals_for(b.db.uow(), "SG", under.id)
    assert [s.kind for s in signals] == ["value"]
    assert signals[0].severity == "discrepancy"
    assert signals[0].explanation == (
        "export declaration in KR states USD 48,000; import declares USD 12,000"
    )
    assert signals[0].rule is not None
    assert signals[0].rule["conditions"]["parties"] == ["SG-IMP-9"]
    published = queries.pre_arrival_signals(b.db.uow(), "SG", under.id)
    assert [f["explanation"] for f in published] == [signals[0].explanation]
    ok = prearrival.signals_for(b.db.uow(), "SG", fine.id)
    assert [(s.kind, s.severity) for s in ok] == [("match", "consistent")]


def test_quantity_and_hs_discrepancies_are_explained(pair: Pair) -> None:
    a, b = pair.a, pair.b
    _schedule(a)
    _schedule(b)
    declarations.submit(a.db.uow(), a.admin, _export("EXP-Q", "5000", "1000"))
    declarations.submit(a.db.uow(), a.admin, _export("EXP-H", "5000", "300", hs="850760"))
    cycle.run_cycle(a.db.uow, a.secret)
    light = declarations.submit(
        b.db.uow(), b.admin, _import("IMP-Q", "5000", "400", cite="EXP-Q")
    ).record
    other_hs = declarations.submit(
        b.db.uow(), b.admin, _import("IMP-H", "5000", "300", hs="850440", cite="EXP-H")
    ).record
    cycle.run_cycle(b.db.uow, b.secret)
    q = prearrival.signals_for(b.db.uow(), "SG", light.id)
    assert [s.kind for s in q] == ["quantity"]
    assert q[0].explanation == (
        "export declaration in KR states 1000 kg of HS 8507; import declares 400 kg"
    )
    h = prearrival.signals_for(b.db.uow(), "SG", other_hs.id)
    assert [s.kind for s in h] == ["hs"]
    assert "declares HS heading 8507; import declares 8504 instead" in h[0].explanation


def test_invalid_pre_arrival_body_is_refused_and_not_stored(pair: Pair) -> None:
    from smartcustoms.exchange.model import MessageType
    from smartcustoms.exchange.services import delivery, messages

    a, b = pair.a, pair.b
    out = messages.send(a.db.uow(), a.admin, a.secret, "SG", MessageType.PRE_ARRIVAL, {"items": []})
    report = delivery.deliver_due(a.db.uow)
    assert report.refused == [out.id]
    refused = messages.get_outbox_message(a.db.uow(), a.admin, out.id)
    assert "invalid_body" in (refused.last_error or "")
    assert "export_reference" in (refused.last_error or "")
    assert prearrival.list_pre_arrivals(b.db.uow(), "SG") == []
