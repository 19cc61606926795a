"""The per-parcel path decides exactly as the bulk path; regime changes apply from their date."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import text

from smartcustoms.db.engine import Database
from smartcustoms.declarations.service import system_principal
from smartcustoms.ecommerce import services
from tests.ecommerce.conftest import (
    DAY,
    SECRET,
    carrier,
    generated,
    ndjson,
    parcel,
    submit,
)


def _forget_parcels(db: Database) -> None:
    with db.engine.begin() as conn:
        for table in ("ecom_items", "ecom_parcels", "ecom_manifests"):
            conn.execute(text(f"DELETE FROM {table}"))


def test_per_parcel_path_gives_the_bulk_decisions(db: Database, files: Path) -> None:
    # history so that norms exist (undervaluation) and yesterday's parcels count for splits
    submit(db, files, ndjson(generated(300, 5)), on=DAY - timedelta(days=1))
    assert services.refresh_norms(db.uow(), "SG", DAY, min_count=5) > 0
    item = parcel("x")["items"][0]
    parcels = (
        generated(40, 6)
        + [parcel(f"W-S{i}", items=[dict(item, unit_price=150.0)]) for i in range(3)]
        + [
            parcel("W-U", buyer={"id": "B7", "region": "East"}, items=[dict(item, unit_price=0.5)]),
            parcel("W-PRO", items=[dict(item, description="ivory carving", hs_code="960110")]),
            parcel(
                "W-VAGUE",
                buyer={"id": "B8", "region": "East"},
                items=[dict(item, description="parts")],
            ),
        ]
    )
    bulk = submit(db, files, ndjson(parcels))
    assert bulk.status == "done"
    before = {v.waybill: v for v in services.decisions(db.uow(), carrier(), bulk.id)}
    kinds = {v.decision for v in before.values()}
    assert {"release", "inspect", "refuse", "hold"} <= kinds
    assert "undervalued" not in before["W-U"].reasons  # words, not signal names
    assert "usual" in before["W-U"].reasons
    # the same parcels again, one by one through the per-parcel path, on a fresh day's state
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "DELETE FROM ecom_items WHERE waybill IN (SELECT waybill FROM "
                f"ecom_parcels WHERE manifest_id = '{bulk.id}')"
            )
        )
        conn.execute(text(f"DELETE FROM ecom_parcels WHERE manifest_id = '{bulk.id}'"))
        conn.execute(text(f"DELETE FROM ecom_manifests WHERE id = '{bulk.id}'"))
    after = {}
    for p in parcels:
        view = services.submit_parcel(
            db.uow(), carrier(), p, secret_key=SECRET, files_dir=files, on=DAY
        )
        after[view.waybill] = view
    assert set(after) == set(before)
    for w, b in before.items():
        a = after[w]
        assert (a.decision, a.reasons, a.duty, a.tax, a.score) == (
            b.decision,
            b.reasons,
            b.duty,
            b.tax,
            b.score,
        ), w


def test_a_regime_change_applies_only_from_its_effective_date(db: Database, files: Path) -> None:
    # Singapore: GST relieved at the border up to SGD 400 (for parcels without OVR); a new
    # row from 1 Apr 2026 (a test change) removes the tax threshold.
    admin = system_principal("SG")
    change = date(2026, 4, 1)
    services.add_regime(
        db.uow(),
        admin,
        {
            "effective_from": change.isoformat(),
            "tax_threshold": None,
            "source": "test: a change in law",
            "note": "GST from the first dollar",
        },
    )
    assert services.regime_for(db.uow(), "SG", change - timedelta(days=1)).tax_threshold == 400
    assert services.regime_for(db.uow(), "SG", change).tax_threshold is None
    before = submit(db, files, ndjson([parcel("W-BEFORE")]), on=change - timedelta(days=1))
    after = submit(db, files, ndjson([parcel("W-AFTER")]), on=change)
    (b,) = services.decisions(db.uow(), carrier(), before.id)
    (a,) = services.decisions(db.uow(), carrier(), after.id)
    assert b.tax == 0 and "tax relieved (de minimis)" in b.reasons
    assert a.tax > 0 and "tax relieved" not in a.reasons
    # the built-in history is data too: the US suspension of 29 Aug 2025
    us = services.regimes(db.uow(), "US")
    assert services.regime_for(db.uow(), "US", date(2025, 8, 28)).duty_threshold == 800
    assert services.regime_for(db.uow(), "US", date(2025, 8, 29)).duty_threshold is None
    assert all(r.source for r in us)


def test_every_apec_economy_has_a_sourced_regime(db: Database) -> None:
    from smartcustoms.core.codes import APEC_CODES

    for code in APEC_CODES:
        regime = services.regime_for(db.uow(), code, DAY)
        assert regime.economy == code
        assert regime.source or not regime.verified, code


def test_demo_parcels_load_once(db: Database, files: Path) -> None:
    from smartcustoms.ecommerce.demo import load_demo_parcels

    first = load_demo_parcels(
        db.uow, secret_key=SECRET, files_dir=files, economies=("SG",), parcels=60, on=DAY
    )
    again = load_demo_parcels(
        db.uow, secret_key=SECRET, files_dir=files, economies=("SG",), parcels=60, on=DAY
    )
    assert first == again == "parcels SG 120"
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM ecom_parcels")).scalar_one() == 120
