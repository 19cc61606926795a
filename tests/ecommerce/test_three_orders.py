"""The three-order cross-check: signed records, reconciliation, limits, waiting parcels."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path
from typing import Any

import orjson

from smartcustoms.db.engine import Database
from smartcustoms.declarations.service import system_principal
from smartcustoms.ecommerce import generator, services, signing
from tests.ecommerce.conftest import SECRET, carrier, ndjson, parcel, submit

THREE = ("order, payment", "record", "payer", "consignee", "limit", "signature", "waiting")


def _register(db: Database, keys: dict[str, dict[str, str]], economy: str) -> None:
    for party, v in keys.items():
        services.register_party_key(
            db.uow(), system_principal(economy), party, v["kind"], v["public_key"]
        )


def test_generated_mismatches_tampering_and_over_limit_are_held_and_nothing_else(
    db: Database, files: Path, tmp_path: Path
) -> None:
    out = tmp_path / "cn.ndjson"
    counts = generator.write_manifest(out, 700, 21, "CN", date(2026, 3, 10), three_orders=True)
    assert counts.get("three_order_mismatch") and counts.get("tampered")
    assert counts.get("over_limit")
    keys = json.loads(Path(f"{out}.keys.json").read_text())
    _register(db, keys, "CN")
    records = [orjson.loads(x) for x in Path(f"{out}.records.ndjson").read_bytes().splitlines()]
    took = services.submit_records(db.uow(), carrier("CN"), records, secret_key=SECRET)
    assert took["refused"] == counts["tampered"]
    assert all("does not verify" in p["reason"] for p in took["problems"])
    result = submit(db, files, out.read_bytes(), economy="CN")
    assert result.status == "done"
    truth = dict(
        (r["waybill"], r["fraud"])
        for r in csv.DictReader(Path(f"{out}.truth.csv").read_text().splitlines())
    )
    views = services.decisions(db.uow(), carrier("CN"), result.id, limit=1000)
    assert len(views) == 700
    words = {
        "three_order_mismatch": ("payment record says", "consignee address", "payer"),
        "tampered": ("signature does not verify",),
        "over_limit": ("per-transaction limit",),
    }
    for v in views:
        kind = truth.get(v.waybill)
        if kind in words:
            assert v.decision in ("hold", "inspect", "refuse"), (v.waybill, kind, v.reasons)
            assert any(w in v.reasons for w in words[kind]), (kind, v.reasons)
        else:  # nothing else is held for three-order reasons
            assert not any(
                w in v.reasons for w in ("payment record says", "signature", "limit", "waiting")
            ), (v.waybill, kind, v.reasons)


def _signed(
    keys: dict[str, tuple[str, str]], kind: str, party: str, payload: dict[str, Any]
) -> dict[str, Any]:
    return {
        "kind": kind,
        "party_id": party,
        "payload": payload,
        "signature": signing.sign(keys[party][0], payload),
    }


def test_incomplete_records_wait_and_are_decided_when_the_last_arrives(
    db: Database, files: Path
) -> None:
    keys = {p: signing.new_keypair() for p in ("PLAT-A", "PAY-A", "CARR-A")}
    for party, kind in (("PLAT-A", "platform"), ("PAY-A", "payment"), ("CARR-A", "carrier")):
        services.register_party_key(db.uow(), system_principal("SG"), party, kind, keys[party][1])
    p = parcel("W-3")
    order = {
        "order_no": "ORD-W-3",
        "goods_value": 30.0,
        "freight": 3.0,
        "tax": 0.0,
        "discount": 0.0,
        "amount_paid": 33.0,
        "currency": "USD",
        "buyer_id": "S1234567D",
        "consignee_address": "1 Harbour Road",
    }
    waybill = {
        "order_no": "ORD-W-3",
        "waybill": "W-3",
        "freight": 3.0,
        "consignee_address": "1  harbour road",
    }
    payment = {
        "order_no": "ORD-W-3",
        "amount_paid": 33.0,
        "currency": "USD",
        "payer_id": "S1234567D",
        "transaction_id": "T1",
    }
    unsigned = {"kind": "payment", "party_id": "PAY-A", "payload": payment}
    forged = _signed(keys, "payment", "PLAT-A", payment)  # a platform may not sign payments
    got = services.submit_records(
        db.uow(),
        carrier(),
        [
            _signed(keys, "order", "PLAT-A", order),
            _signed(keys, "waybill", "CARR-A", waybill),
            unsigned,
            forged,
        ],
        secret_key=SECRET,
    )
    assert got["accepted"] == 2 and got["refused"] == 2
    reasons = [p["reason"] for p in got["problems"]]
    assert "payment record is not signed" in reasons[0]
    assert "registered as platform" in reasons[1]
    out = submit(db, files, ndjson([p]))
    (view,) = services.decisions(db.uow(), carrier(), out.id)
    assert view.decision == "hold"
    assert "payment record refused" in view.reasons
    # the payment provider sends its signed record: the parcel is decided again at once
    again = services.submit_records(
        db.uow(), carrier(), [_signed(keys, "payment", "PAY-A", payment)], secret_key=SECRET
    )
    assert again["accepted"] == 1 and again["redecided"] == 1
    (view,) = services.decisions(db.uow(), carrier(), out.id)
    assert view.decision == "release", view.reasons
    assert "complete and consistent" in view.reasons
    # a mismatch is held with the exact mismatch
    p2 = parcel("W-4", order_no="ORD-W-4")
    services.submit_records(
        db.uow(),
        carrier(),
        [
            _signed(keys, "order", "PLAT-A", dict(order, order_no="ORD-W-4")),
            _signed(keys, "payment", "PAY-A", dict(payment, order_no="ORD-W-4", amount_paid=20.0)),
            _signed(keys, "waybill", "CARR-A", dict(waybill, order_no="ORD-W-4", waybill="W-4")),
        ],
        secret_key=SECRET,
    )
    out2 = submit(db, files, ndjson([p2]))
    (v2,) = services.decisions(db.uow(), carrier(), out2.id)
    assert v2.decision == "hold"
    assert "payment record says 20.00 USD paid, the order 33.00 USD" in v2.reasons
    assert not any(w in v2.reasons for w in ("consignee", "payer", "waiting"))


def test_waiting_when_three_orders_are_required(db: Database, files: Path) -> None:
    services.save_settings(db.uow(), system_principal("SG"), {"three_orders_required": True})
    out = submit(db, files, ndjson([parcel("W-9")]))
    (view,) = services.decisions(db.uow(), carrier(), out.id)
    assert view.decision == "hold"
    assert "waiting for the order and payment and waybill records" in view.reasons
    assert "deadline" in view.reasons


def test_parcels_still_waiting_after_the_deadline_say_so(db: Database, files: Path) -> None:
    from datetime import UTC, datetime, timedelta

    from smartcustoms.core.clock import FixedClock
    from tests.ecommerce.conftest import DAY, officer

    services.save_settings(
        db.uow(),
        system_principal("SG"),
        {"three_orders_required": True, "three_order_deadline_hours": 24},
    )
    out = submit(db, files, ndjson([parcel("W-LATE")]))
    start = datetime.combine(DAY, datetime.min.time(), UTC)
    early = FixedClock(start + timedelta(hours=12))
    assert services.expire_waiting(db.uow(), officer(), clock=early) == 0
    late = FixedClock(start + timedelta(hours=25))
    assert services.expire_waiting(db.uow(), officer(), clock=late) == 1
    assert services.expire_waiting(db.uow(), officer(), clock=late) == 0  # once
    (view,) = services.decisions(db.uow(), carrier(), out.id)
    assert view.decision == "hold"
    assert view.reasons.startswith(
        "held for information: the order, payment and waybill "
        "records did not all arrive by the deadline"
    )
