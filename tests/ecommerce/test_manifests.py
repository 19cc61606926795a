"""Manifests end to end on SQLite and PostgreSQL: decide, store, resubmit, reject, report."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text

from smartcustoms.db.engine import Database
from smartcustoms.declarations.service import system_principal
from smartcustoms.ecommerce import engine, generator, services
from smartcustoms.errors import Conflict
from tests.ecommerce.conftest import (
    DAY,
    SECRET,
    carrier,
    generated,
    ndjson,
    officer,
    parcel,
    stored,
    submit,
)


def test_generated_manifest_is_decided_stored_and_written(db: Database, files: Path) -> None:
    parcels = [(p, kind) for p, kind in generator.generate(400, 11, "SG", DAY)]
    out = submit(db, files, ndjson([p for p, _ in parcels]))
    assert out.status == "done"
    assert out.parcels == out.decided == 400
    assert sum(out.decisions.values()) == 400
    assert stored(db) == 400
    assert stored(db, "ecom_items") == sum(len(p["items"]) for p, _ in parcels)
    text_ = Path(out.decisions_file or "").read_text(encoding="utf-8")
    rows = list(csv.DictReader(text_.splitlines()))
    assert len(rows) == 400
    by_waybill = {r["waybill"]: r for r in rows}
    for p, kind in parcels:
        if kind == "prohibited":  # every prohibited parcel is refused, with the reason
            assert by_waybill[p["waybill"]]["decision"] == "refuse"
            assert "prohibited" in by_waybill[p["waybill"]]["reasons"]
    refused = {w for w, r in by_waybill.items() if r["decision"] == "refuse"}
    assert refused == {p["waybill"] for p, k in parcels if k == "prohibited"}
    # every decision is explained in words
    assert all(r["reasons"].split(":")[0] for r in rows)


def test_resubmitting_the_same_manifest_is_idempotent(db: Database, files: Path) -> None:
    data = ndjson(generated(50, 3))
    first = submit(db, files, data)
    again = submit(db, files, data)
    assert again.id == first.id and again.resubmitted and not first.resubmitted
    assert again.decisions == first.decisions
    assert stored(db) == 50


def _bad_manifest() -> bytes:
    lines = [
        parcel("W-OK-1"),
        b'{"waybill": "W-BROKEN", ',  # line 2: not JSON
        parcel("W-CCY", currency="XXQ", items=[dict(parcel("x")["items"][0], currency="XXQ")]),
        parcel("W-HS", items=[dict(parcel("x")["items"][0], hs_code="990199")]),
        parcel("W-NEG", items=[dict(parcel("x")["items"][0], unit_price=-5)], freight=-1),
        parcel("W-OK-1"),  # line 6: duplicate of line 1
        parcel("W-ORIGIN", items=[dict(parcel("x")["items"][0], origin="QQ")]),
        parcel("W-OK-2"),
        parcel("W-EMPTY", items=[]),
    ]
    return ndjson(lines)


def test_bad_manifest_reports_every_bad_parcel_and_stores_none(db: Database, files: Path) -> None:
    out = submit(db, files, _bad_manifest())
    assert out.status == "rejected"
    assert stored(db) == 0 and stored(db, "ecom_items") == 0
    found = {(e["line"], e["field"]) for e in out.errors}
    assert (2, "line") in found
    assert (3, "currency") in found and (3, "items[0].currency") in found
    assert (4, "items[0].hs_code") in found
    assert (5, "items[0].unit_price") in found and (5, "freight") in found
    assert (6, "waybill") in found
    assert (7, "items[0].origin") in found
    assert (9, "items") in found
    assert out.bad == 7
    reasons = " ".join(e["reason"] for e in out.errors)
    assert "also on line 1" in reasons and "unknown HS code 990199" in reasons
    assert "must not be negative" in reasons and "unknown country 'QQ'" in reasons


def test_store_good_parcels_setting_keeps_the_good_and_returns_the_bad(
    db: Database, files: Path
) -> None:
    services.save_settings(db.uow(), system_principal("SG"), {"store_good_parcels": True})
    out = submit(db, files, _bad_manifest())
    assert out.status == "done"
    assert out.decided == 2 and out.bad == 7
    assert stored(db) == 2  # never half a parcel: the items of bad parcels are not stored
    assert stored(db, "ecom_items") == 2
    with db.engine.connect() as conn:
        waybills = set(conn.execute(text("SELECT waybill FROM ecom_parcels")).scalars())
    assert waybills == {"W-OK-1", "W-OK-2"}


def test_waybill_lodged_in_an_earlier_manifest_is_refused(db: Database, files: Path) -> None:
    submit(db, files, ndjson([parcel("W-1")]))
    out = submit(db, files, ndjson([parcel("W-1", freight=4.0), parcel("W-2")]))
    assert out.status == "rejected"
    assert [(e["line"], e["field"]) for e in out.errors] == [(1, "waybill")]
    assert "earlier manifest" in out.errors[0]["reason"]


def test_buyer_ids_are_stored_only_as_keyed_hashes(db: Database, files: Path) -> None:
    submit(db, files, ndjson([parcel("W-1")]))
    with db.engine.connect() as conn:
        row = conn.execute(text("SELECT * FROM ecom_parcels")).mappings().one()
    assert "S1234567D" not in " ".join(str(v) for v in row.values())
    assert "Tan Ah Kow" not in " ".join(str(v) for v in row.values())
    key = engine.buyer_key(SECRET)
    assert row["buyer_hash"] == engine.keyed_hash(key, "S1234567D")
    assert row["buyer_hash"] != engine.keyed_hash(engine.buyer_key("another"), "S1234567D")


def test_split_shipment_prohibited_vague_and_vendor_tax_decisions(
    db: Database, files: Path
) -> None:
    # SG: de minimis SGD 400; three parcels to one buyer, each under it, together over it
    item = parcel("x")["items"][0]
    split = [
        parcel(f"W-S{i}", items=[dict(item, unit_price=150.0)], seller=f"SELLER-S{i}")
        for i in range(3)
    ]
    others = [
        parcel(
            "W-PRO",
            buyer={"id": "B2", "region": "East"},
            items=[dict(item, description="pepper spray", hs_code="930400")],
        ),
        parcel(
            "W-VAGUE", buyer={"id": "B3", "region": "East"}, items=[dict(item, description="gift")]
        ),
        parcel(
            "W-VENDOR",
            buyer={"id": "B4", "region": "East"},
            vendor_tax_id="NOT-OVR",
            tax_collected=2.5,
        ),
        parcel("W-PLAIN", buyer={"id": "B5", "region": "East"}),
    ]
    out = submit(db, files, ndjson(split + others))
    views = {v.waybill: v for v in services.decisions(db.uow(), carrier(), out.id)}
    assert views["W-S0"].decision == "release"
    assert views["W-S1"].decision == "release"  # together SGD ~400 or less so far
    assert views["W-S2"].decision == "inspect"
    assert "same buyer" in views["W-S2"].reasons and "de minimis" in views["W-S2"].reasons
    assert views["W-PRO"].decision == "refuse" and "prohibited" in views["W-PRO"].reasons
    assert views["W-VAGUE"].decision == "hold" and "too vague" in views["W-VAGUE"].reasons
    assert views["W-VENDOR"].decision == "hold" and "format" in views["W-VENDOR"].reasons
    assert views["W-PLAIN"].decision == "release"
    assert views["W-PLAIN"].reasons.startswith("released: no risk signal")


def test_officer_queue_and_result_feed_the_watch_list(db: Database, files: Path) -> None:
    item = parcel("x")["items"][0]
    out = submit(
        db,
        files,
        ndjson(
            [
                parcel("W-V", items=[dict(item, description="gift")], seller="SELLER-BAD"),
                parcel("W-OK", buyer={"id": "B9", "region": "East"}),
            ]
        ),
    )
    assert out.decisions["hold"] == 1
    q = services.queue(db.uow(), officer())
    assert [v.waybill for v in q] == ["W-V"]
    done = services.record_result(db.uow(), officer(), "W-V", "finding", "sim cards inside")
    assert done.status == "closed" and done.result == "finding"
    assert services.queue(db.uow(), officer()) == []
    with pytest.raises(Conflict):
        services.record_result(db.uow(), officer(), "W-V", "finding")
    # the seller is now watch-listed: its next parcel is inspected
    nxt = submit(db, files, ndjson([parcel("W-NEXT", seller="SELLER-BAD")]))
    assert nxt.decisions["inspect"] == 1
    (view,) = services.decisions(db.uow(), carrier(), nxt.id)
    assert "SELLER-BAD is on a watch list" in view.reasons


def test_manifests_of_another_economy_are_not_found(db: Database, files: Path) -> None:
    from smartcustoms.errors import NotFound

    out = submit(db, files, ndjson([parcel("W-1")]))
    with pytest.raises(NotFound):
        services.manifest(db.uow(), carrier("AU"), out.id)
    assert services.queue(db.uow(), officer("AU")) == []


def test_duties_and_taxes_are_itemised(db: Database, files: Path) -> None:
    # Thailand from 5 Jul 2024: VAT from THB 1; duty relieved up to THB 1,500 (CIF)
    item = parcel("x")["items"][0]
    expensive = dict(item, unit_price=120.0)
    out = submit(
        db,
        files,
        ndjson([parcel("W-TH", items=[item, expensive])]),
        economy="TH",
        on=date(2026, 3, 10),
    )
    (view,) = services.decisions(db.uow(), carrier("TH"), out.id)
    full = services.parcel_view(db.uow(), carrier("TH"), "W-TH")
    assert len(full.item_lines) == 2
    assert view.duty > 0 and view.tax > 0  # over THB 1,500: duty and VAT
    assert sum(float(i["duty"]) for i in full.item_lines) == pytest.approx(float(view.duty))
    assert sum(float(i["tax"]) for i in full.item_lines) == pytest.approx(float(view.tax))
    small = submit(
        db,
        files,
        ndjson([parcel("W-TH2", items=[dict(item, unit_price=5.0)])]),
        economy="TH",
        on=date(2026, 3, 10),
    )
    (v2,) = services.decisions(db.uow(), carrier("TH"), small.id)
    assert v2.duty == 0 and v2.tax > 0
    assert "duty relieved (de minimis)" in v2.reasons


def test_selectivity_rules_of_the_risk_feature_apply_to_parcels(db: Database, files: Path) -> None:
    from dataclasses import replace as _replace

    from smartcustoms.accounts.model import Role
    from smartcustoms.risk import service as risk

    analyst = _replace(system_principal("SG"), roles=frozenset({Role.ANALYST}))
    risk.create_rule(
        db.uow(),
        analyst,
        {
            "name": "batteries-from-vn",
            "description": "lithium batteries from VN",
            "conditions": {"hs_prefix": ["8507"], "origin": ["VN"]},
            "action": {"lane": "red"},
        },
        activate=True,
    )
    item = parcel("x")["items"][0]
    out = submit(
        db,
        files,
        ndjson(
            [
                parcel(
                    "W-BAT",
                    items=[dict(item, description="power bank", hs_code="850760", origin="VN")],
                ),
                parcel(
                    "W-BAT-CN",
                    buyer={"id": "B2", "region": "East"},
                    items=[dict(item, description="power bank", hs_code="850760")],
                ),
            ]
        ),
    )
    views = {v.waybill: v for v in services.decisions(db.uow(), carrier(), out.id)}
    assert views["W-BAT"].decision == "inspect"
    assert "rule 'batteries-from-vn'" in views["W-BAT"].reasons
    assert views["W-BAT-CN"].decision == "release"
