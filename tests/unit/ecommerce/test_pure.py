"""Database-free parts of e-commerce clearance: signatures, reading, regimes, generator."""

from __future__ import annotations

from datetime import date

import numpy as np

from smartcustoms import charts
from smartcustoms.ecommerce import engine, generator, reader, signing
from smartcustoms.ecommerce.model import BadParcel
from smartcustoms.ecommerce.regimes import BUILT_IN, built_in_for, regime_on


def test_signature_verifies_only_the_signed_payload_with_the_right_key() -> None:
    private, public = signing.new_keypair()
    payload = {"order_no": "O1", "amount_paid": 10.5, "currency": "CNY"}
    sig = signing.sign(private, payload)
    assert signing.verify(public, dict(reversed(list(payload.items()))), sig)  # order-free
    assert not signing.verify(public, dict(payload, amount_paid=10.0), sig)
    assert not signing.verify(signing.new_keypair()[1], payload, sig)
    assert not signing.verify(public, payload, "not-a-signature")
    assert signing.public_key_ok(public) and not signing.public_key_ok("abc")


def test_csv_profiles_group_rows_into_parcels() -> None:
    h7 = (
        b"transport_document,ucr,platform,declarant,seller,buyer_id,consignee_region,"
        b"consignee_address,invoice_currency,transport_costs,gross_mass,description_of_goods,"
        b"commodity_code,number_of_items,intrinsic_value,country_of_dispatch\n"
        b"W1,U1,P,C,S,B1,North,1 Road,EUR,2,0.5,cotton t-shirt,610910,2,20,CN\n"
        b"W1,U1,P,C,S,B1,North,1 Road,EUR,2,0.5,earrings,711719,1,5,CN\n"
        b"W2,U2,P,C,S,B2,North,2 Road,EUR,2,0.3,lipstick,330410,1,8,CN\n"
    )
    got = list(reader.read_manifest(h7, "csv", "h7"))
    assert [ln for ln, _ in got] == [2, 4]
    first = got[0][1]
    assert isinstance(first, dict) and len(first["items"]) == 2
    assert first["items"][0]["unit_price"] == 10.0  # intrinsic value 20 for 2 items
    ceb = (
        b"logisticsNo,orderNo,ebpCode,logisticsCode,ebcCode,buyerIdNumber,consigneeAddress,"
        b"currency,freight,grossWeight,itemName,gcode,qty,price,country\n"
        b"L1,O1,E,LC,EC,110101,addr,142,10,1.2,face cream,3304990000,1,99,133\n"
    )
    ((_, parcel),) = list(reader.read_manifest(ceb, "csv", "ceb621"))
    assert isinstance(parcel, dict)
    assert parcel["currency"] == "CNY" and parcel["items"][0]["origin"] == "KR"
    assert parcel["items"][0]["hs_code"] == "330499"
    (bad,) = list(reader.read_manifest(b"x,y\n1,2\n", "csv", "flat"))
    assert isinstance(bad[1], BadParcel) and "missing column" in bad[1].reason


def test_every_apec_economy_has_rows_and_later_rows_win() -> None:
    assert {r.economy for r in BUILT_IN} == {
        "AU",
        "BN",
        "CA",
        "CL",
        "CN",
        "HK",
        "ID",
        "JP",
        "KR",
        "MY",
        "MX",
        "NZ",
        "PG",
        "PE",
        "PH",
        "RU",
        "SG",
        "TW",
        "TH",
        "US",
        "VN",
    }
    th = built_in_for("TH")
    assert regime_on(th, date(2024, 7, 4)).tax_threshold == 1500  # type: ignore[union-attr]
    assert regime_on(th, date(2024, 7, 5)).tax_threshold == 0  # type: ignore[union-attr]
    assert all(r.source or not r.verified for r in BUILT_IN)


def test_generator_is_seeded_and_injects_known_frauds() -> None:
    a = list(generator.generate(300, 5, "AU", date(2026, 1, 15)))
    b = list(generator.generate(300, 5, "AU", date(2026, 1, 15)))
    assert a == b
    kinds = {k for _, k in a if k}
    assert {"undervaluation", "misdescription"} <= kinds
    assert len({p["waybill"] for p, _ in a}) == 300


def test_running_totals_count_and_sum_within_groups_in_order() -> None:
    codes = np.array([0, 1, 0, 0, 1])
    cnt, tot = engine.running_totals(codes, np.array([1.0, 2.0, 3.0, 4.0, 5.0]))
    assert cnt.tolist() == [1, 1, 2, 3, 2]
    assert tot.tolist() == [1.0, 2.0, 4.0, 8.0, 7.0]


def test_charts_are_svg_with_labels() -> None:
    svg = charts.bars([("release", 10), ("refuse", 1)], "Decisions", testid="t")
    assert svg.startswith("<svg") and "release" in svg and "<title>Decisions</title>" in svg
    col = charts.grouped_columns(
        ["03-01", "03-02"], [charts.Series("parcels", [5, 7], "#000")], "Per day", testid="c"
    )
    assert col.count("<rect") >= 3
