"""The HTTP API: status codes, 422 bodies with JSON paths, economy isolation, actions."""

from __future__ import annotations

from typing import Any

from tests.declarations.conftest import KR, doc


def h(actor: dict[str, str]) -> dict[str, str]:
    return {"Authorization": actor["Authorization"]}


def test_submit_replay_conflict_and_read(client: Any, kr: KR) -> None:
    me = h(kr.users["declarant"])
    r = client.post("/api/v1/declarations", json=doc(), headers=me)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["status"] == "released" and body["assessment"]["currency"] == "KRW"
    assert isinstance(body["assessment"]["total"], str)  # money never travels as a float
    assert [x["action"] for x in body["history"]] == ["submit", "assess", "route"]
    again = client.post("/api/v1/declarations", json=doc(), headers=me)
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    clash = client.post("/api/v1/declarations", json=doc(office="999"), headers=me)
    assert clash.status_code == 409 and clash.json()["error"] == "Conflict"
    got = client.get(f"/api/v1/declarations/{body['id']}", headers=h(kr.users["officer"]))
    assert got.status_code == 200 and got.json()["document"]["reference"] == "INV-1"
    listed = client.get(
        "/api/v1/declarations?hs_prefix=8504&status=released", headers=h(kr.users["officer"])
    ).json()
    assert listed["total"] == 1 and listed["items"][0]["hs_codes"][1] == "850440"


def test_422_body_lists_every_problem(client: Any, kr: KR) -> None:
    bad = doc(invoice_currency="QQQ")
    bad["items"][1]["net_mass_kg"] = "abc"
    bad["items"][2]["hs_code"] = "12"
    r = client.post("/api/v1/declarations", json=bad, headers=h(kr.users["declarant"]))
    assert r.status_code == 422
    body = r.json()
    assert body["error"] == "InvalidInput"
    assert {(e["path"], e["code"]) for e in body["errors"]} == {
        ("invoice_currency", "unknown_currency"),
        ("items[1].net_mass_kg", "not_a_number"),
        ("items[2].hs_code", "invalid_hs_code"),
    }
    assert all(e["message"] for e in body["errors"])
    v = client.post(
        "/api/v1/declarations/validate", json=bad, headers=h(kr.users["declarant"])
    ).json()
    assert not v["valid"] and len(v["errors"]) == 3
    assert client.get("/api/v1/declarations", headers=h(kr.users["officer"])).json()["total"] == 0


def test_other_economy_gets_404_and_roles_403(client: Any, kr: KR) -> None:
    kr.quiet_lanes("yellow")
    i = client.post("/api/v1/declarations", json=doc(), headers=h(kr.users["declarant"])).json()[
        "id"
    ]
    jp = kr.actors.user("JP", "officer")
    assert client.get(f"/api/v1/declarations/{i}", headers=h(jp)).status_code == 404
    assert (
        client.post(
            f"/api/v1/declarations/{i}/inspection",
            json={"outcome": "no_discrepancy"},
            headers=h(jp),
        ).status_code
        == 404
    )
    assert (
        client.post(
            f"/api/v1/declarations/{i}/inspection",
            json={"outcome": "no_discrepancy"},
            headers=h(kr.users["declarant"]),
        ).status_code
        == 403
    )
    r = client.post(
        f"/api/v1/declarations/{i}/inspection",
        json={"outcome": "discrepancy", "revenue_adjustment": "1200", "hold": True},
        headers=h(kr.users["officer"]),
    )
    assert r.status_code == 200 and r.json()["status"] == "held"
    assert r.json()["allowed_actions"] == ["release", "seize"]
    assert (
        client.post(
            f"/api/v1/declarations/{i}/release", json={}, headers=h(kr.users["officer"])
        ).json()["status"]
        == "released"
    )
    assert (
        client.post(
            f"/api/v1/declarations/{i}/cancel", json={}, headers=h(kr.users["declarant"])
        ).status_code
        == 409
    )
    assert client.get("/api/v1/declarations").status_code == 401


def test_tariff_endpoints(client: Any, kr: KR) -> None:
    s = client.get("/api/v1/tariff/KR").json()
    assert s["lines"] == 4 and s["vat_rate"] == "10"
    m = client.get("/api/v1/tariff/KR/lookup?hs_code=8507600000&origin=CN&claim=FCN1").json()
    assert m["hs_prefix"] == "850760" and m["rate_type"] == "FCN1"
