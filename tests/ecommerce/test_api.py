"""/api/v1/ecommerce over HTTP (in-process client) on SQLite and PostgreSQL."""

from __future__ import annotations

import time
from typing import Any

from smartcustoms.ecommerce import signing
from tests.conftest import Actors
from tests.ecommerce.conftest import generated, ndjson, parcel

API = "/api/v1/ecommerce"


def _wait(client: Any, url: str, headers: dict[str, str]) -> dict[str, Any]:
    deadline = time.monotonic() + 120
    while True:
        doc = client.get(url, headers=headers).json()
        if doc["status"] != "processing":
            return dict(doc)
        assert time.monotonic() < deadline, doc
        time.sleep(0.1)


def test_manifest_job_decisions_queue_result_and_charts(client: Any, actors: Actors) -> None:
    carrier = actors.headers(actors.user("SG", "carrier"))
    officer = actors.headers(actors.user("SG", "officer"))
    data = ndjson(generated(200, 9))
    r = client.post(
        f"{API}/manifests?filename=m.ndjson&arrival_date=2026-03-10", content=data, headers=carrier
    )
    assert r.status_code == 202, r.text
    job = r.json()
    assert job["status_url"] == f"{API}/jobs/{job['id']}" == r.headers["location"]
    done = _wait(client, job["status_url"], carrier)
    assert done["status"] == "done" and done["progress"] == 1.0
    assert done["parcels"] == done["decided"] == 200
    assert sum(done["decisions"].values()) == 200
    again = client.post(
        f"{API}/manifests?filename=m.ndjson&arrival_date=2026-03-10", content=data, headers=carrier
    ).json()
    assert again["id"] == job["id"] and again["resubmitted"] is True
    listed = client.get(
        f"{API}/manifests/{job['id']}/decisions?decision=release", headers=carrier
    ).json()
    assert len(listed) == done["decisions"]["release"]
    csv_text = client.get(done["decisions_file_url"], headers=carrier)
    assert csv_text.status_code == 200 and csv_text.text.startswith("waybill,decision")
    assert len(csv_text.text.strip().splitlines()) == 201
    # one parcel, decided at once
    one = client.post(
        f"{API}/parcels?arrival_date=2026-03-10",
        headers=carrier,
        json=parcel("W-API-1", items=[dict(parcel("x")["items"][0], description="gift")]),
    )
    assert one.status_code == 200, one.text
    assert one.json()["decision"] == "hold" and "too vague" in one.json()["reasons"]
    # the officer's queue and a result
    queue = client.get(f"{API}/queue", headers=officer).json()
    assert "W-API-1" in {q["waybill"] for q in queue}
    res = client.post(
        f"{API}/parcels/W-API-1/result",
        headers=officer,
        json={"result": "no_finding", "note": "books"},
    )
    assert res.status_code == 200 and res.json()["status"] == "closed"
    assert (
        client.post(
            f"{API}/parcels/W-API-1/result", headers=officer, json={"result": "no_finding"}
        ).status_code
        == 409
    )
    assert (
        client.post(
            f"{API}/parcels/W-API-1/result", headers=officer, json={"result": "maybe"}
        ).status_code
        == 422
    )
    # charts are SVG
    svg = client.get(f"{API}/charts/decisions.svg", headers=officer)
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    assert "<svg" in svg.text and "release" in svg.text
    assert client.get(f"{API}/charts/nope.svg", headers=officer).status_code == 404


def test_roles_tenancy_and_bad_input(client: Any, actors: Actors) -> None:
    carrier = actors.headers(actors.user("SG", "carrier"))
    other = actors.headers(actors.user("AU", "carrier"))
    declarant = actors.headers(actors.user("SG", "declarant"))
    bad = client.post(
        f"{API}/manifests", content=b'{"waybill": 1}\n[1]\nnot json\n', headers=carrier
    )
    assert bad.status_code == 202
    doc = _wait(client, bad.json()["status_url"], carrier)
    assert doc["status"] == "rejected" and doc["bad"] == 3
    assert {e["line"] for e in doc["errors"]} == {1, 2, 3}
    assert client.get(bad.json()["status_url"], headers=other).status_code == 404
    assert client.post(f"{API}/manifests", content=b"{}", headers=declarant).status_code == 403
    assert client.post(f"{API}/manifests", content=b"{}").status_code == 401
    assert client.post(f"{API}/parcels", json=[1, 2], headers=carrier).status_code == 422
    r = client.post(f"{API}/parcels", json={"waybill": "W"}, headers=carrier)
    assert r.status_code == 422 and r.json()["errors"]
    assert client.get(f"{API}/parcels/NOPE", headers=carrier).status_code == 404
    assert client.post(f"{API}/records", json={"x": 1}, headers=carrier).status_code == 422
    out = client.post(f"{API}/records", json=[{"kind": "order"}, 5], headers=carrier).json()
    assert out["refused"] == 2


def test_party_keys_and_signed_records(client: Any, actors: Actors) -> None:
    admin = actors.headers(actors.user("SG", "admin"))
    carrier = actors.headers(actors.user("SG", "carrier"))
    private, public = signing.new_keypair()
    r = client.post(
        f"{API}/party-keys",
        headers=admin,
        json={"party_id": "CARR-A", "kind": "carrier", "public_key": public},
    )
    assert r.status_code == 200
    assert (
        client.post(
            f"{API}/party-keys",
            headers=admin,
            json={"party_id": "X", "kind": "carrier", "public_key": "short"},
        ).status_code
        == 422
    )
    assert (
        client.post(
            f"{API}/party-keys",
            headers=carrier,
            json={"party_id": "X", "kind": "carrier", "public_key": public},
        ).status_code
        == 403
    )
    payload = {"order_no": "O1", "waybill": "W1", "freight": 2.0, "consignee_address": "x"}
    good = {
        "kind": "waybill",
        "party_id": "CARR-A",
        "payload": payload,
        "signature": signing.sign(private, payload),
    }
    tampered = dict(good, payload=dict(payload, order_no="O2"))
    out = client.post(f"{API}/records", headers=carrier, json=[good, tampered]).json()
    assert out["accepted"] == 1 and out["refused"] == 1
    assert "does not verify" in out["problems"][0]["reason"]
