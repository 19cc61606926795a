"""POST /api/v1/classify, and the lodgement check: a description that does not fit the
declared code is a warning naming the likely code, a signal rules can select on, and a reason
the officer sees; without a model, lodging is unchanged."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from smartcustoms.declarations import service
from smartcustoms.tariff import service as tariff
from smartcustoms.tariff.model import ScheduleSettings, TariffLine
from tests.integration.declarations.conftest import KR, doc


def h(actor: dict[str, str]) -> dict[str, str]:
    return {"Authorization": actor["Authorization"]}


def one_item(description: str, hs_code: str = "850760") -> dict[str, Any]:
    d = doc()
    d["items"] = [d["items"][0] | {"description": description, "hs_code": hs_code}]
    return d


def test_classify_one_with_national_lines(classify_client: Any, kr: KR) -> None:
    tariff.set_schedule(
        kr.db.uow(),
        service.system_principal("KR"),
        ScheduleSettings(economy="KR", default_rate_type="A", source="test"),
        [
            TariffLine("4202", "A", Decimal(8)),
            TariffLine("42022110", "A", Decimal(8), description="handbags of leather, national"),
        ],
    )
    r = classify_client.post(
        "/api/v1/classify",
        json={
            "description": "Genuine leather tote handbag",
            "category": "Bags > Women's Handbags",
            "top": 3,
        },
        headers=h(kr.users["declarant"]),
    )
    assert r.status_code == 200, r.text
    body = r.json()
    [result] = body["results"]
    assert body["model"] and result["index"] == 0
    codes = [s["hs_code"] for s in result["suggestions"]]
    assert len(codes) == 3 and codes[0] == "420221"
    lines = result["suggestions"][0]["national_lines"]
    assert [ln["code"] for ln in lines] == ["42022110"]


def test_classify_many_keeps_bad_items_in_place(classify_client: Any, kr: KR) -> None:
    r = classify_client.post(
        "/api/v1/classify",
        json={
            "items": [{"description": "rubber flip flops"}, {"price": 3}, {"description": "gift"}]
        },
        headers=h(kr.users["declarant"]),
    )
    assert r.status_code == 200, r.text
    results = r.json()["results"]
    assert [x["index"] for x in results] == [0, 1, 2]
    assert results[0]["suggestions"][0]["hs_code"].startswith("64")
    assert results[1]["error"]["errors"][0]["path"] == "items[1].description"
    assert results[2]["vagueness"]["vague"] and results[2]["vagueness"]["missing"]


def test_classify_invalid_input_and_auth(classify_client: Any, kr: KR) -> None:
    me = h(kr.users["declarant"])
    bad = classify_client.post("/api/v1/classify", json={"description": ""}, headers=me)
    assert bad.status_code == 422 and bad.json()["errors"][0]["path"] == "description"
    top = classify_client.post("/api/v1/classify", json={"description": "x", "top": 99}, headers=me)
    assert top.status_code == 422
    for junk in ([], "text", {"items": []}, {"items": "no"}):
        assert classify_client.post("/api/v1/classify", json=junk, headers=me).status_code == 422
    assert (
        classify_client.post("/api/v1/classify", json={"description": "socks"}).status_code == 401
    )


def test_mismatch_warns_signals_and_explains(classify_client: Any, kr: KR) -> None:
    kr.quiet_lanes()
    service.set_assessor_config(
        kr.db.uow(),
        kr.analyst,
        {
            "random_red_rate": 0,
            "random_yellow_rate": 0,
            "rules": [
                {"name": "misdescribed", "lane": "yellow", "signal": "hs_description_mismatch"}
            ],
        },
    )
    me = h(kr.users["declarant"])
    fits = classify_client.post(
        "/api/v1/declarations", json=one_item("lithium-ion accumulators"), headers=me
    )
    assert fits.status_code == 201, fits.text
    assert not [w for w in fits.json()["warnings"] if w["code"] == "hs_description_mismatch"]
    assert fits.json()["lane"] == "green"

    misfit = one_item("women's leather handbag with shoulder strap") | {"reference": "INV-2"}
    preview = classify_client.post("/api/v1/declarations/validate", json=misfit, headers=me)
    assert any(w["code"] == "hs_description_mismatch" for w in preview.json()["warnings"])
    r = classify_client.post("/api/v1/declarations", json=misfit, headers=me)
    assert r.status_code == 201, r.text
    body = r.json()
    [warning] = [w for w in body["warnings"] if w["code"] == "hs_description_mismatch"]
    assert warning["path"] == "items[0].hs_code"
    assert "4202" in warning["message"]
    assert body["lane"] == "yellow"
    officer = classify_client.get(
        f"/api/v1/declarations/{body['id']}", headers=h(kr.users["officer"])
    ).json()
    reasons = " ".join(officer["lane_reasons"])
    assert "misdescribed" in reasons and "risk signal" in reasons and "4202" in reasons


def test_without_a_model_lodging_is_unchanged(client: Any, kr: KR) -> None:
    me = h(kr.users["declarant"])
    r = client.post("/api/v1/declarations", json=one_item("women's leather handbag"), headers=me)
    assert r.status_code == 201, r.text
    assert not [w for w in r.json()["warnings"] if w["code"] == "hs_description_mismatch"]
    assert (
        client.post("/api/v1/classify", json={"description": "socks"}, headers=me).status_code
        == 503
    )


def test_learns_from_cleared_declarations_without_showing_them(
    kr: KR, tmp_path: Any, shared_data_dir: Any
) -> None:
    from smartcustoms.classify import service as classify
    from smartcustoms.classify.data import platform_examples
    from smartcustoms.classify.model import GoodsQuery
    from smartcustoms.classify.store import ModelStore
    from smartcustoms.declarations.queries import cleared_descriptions

    d = one_item("zorblax carry pouch for trinkets", "420292") | {"reference": "PLAT-1"}
    service.submit(kr.db.uow(), kr.declarant, d)
    pairs = cleared_descriptions(kr.db.uow(), "KR")
    assert ("zorblax carry pouch for trinkets", "420292") in pairs
    assert cleared_descriptions(kr.db.uow(), "JP") == []
    store = ModelStore.under(tmp_path)
    meta = classify.build_model(
        shared_data_dir, store, chapters=["42"], extra=platform_examples(pairs), refit=True
    )
    assert meta["platform_examples"] == 1
    [c] = store.load().classify([GoodsQuery("zorblax pouch")])
    assert c.suggestions[0].hs_code == "420292"
    shown = [e.text for s in c.suggestions for e in s.examples]
    assert "zorblax carry pouch for trinkets" not in shown
