"""POST /api/v1/classify, and the lodgement check: a description that does not fit the
declared code is a warning naming the likely code, a signal rules can select on, and a reason
the officer sees; without a model, lodging is unchanged."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
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


def test_risk_rules_select_on_the_mismatch_signal(classify_client: Any, kr: KR) -> None:
    """The learned assessor (active risk rules) passes the lodging signals to the one rule
    engine: a rule with a ``signals`` condition fires on the misdescribed item only."""
    from smartcustoms.risk import service as risk

    kr.quiet_lanes()
    rule = {
        "name": "misdescribed goods",
        "conditions": {"signals": ["hs_description_mismatch"]},
        "action": {"lane": "red"},
    }
    created = risk.create_rule(kr.db.uow(), kr.analyst, rule, activate=True)
    assert created.status == "active"
    me = h(kr.users["declarant"])
    fits = classify_client.post(
        "/api/v1/declarations", json=one_item("lithium-ion accumulators"), headers=me
    )
    assert fits.status_code == 201, fits.text
    misfit = one_item("women's leather handbag with shoulder strap") | {"reference": "INV-2"}
    r = classify_client.post("/api/v1/declarations", json=misfit, headers=me)
    assert r.status_code == 201, r.text
    assert r.json()["lane"] == "red"
    officer = h(kr.users["officer"])
    seen = classify_client.get(f"/api/v1/declarations/{r.json()['id']}", headers=officer).json()
    assert "rule 'misdescribed goods' (signal hs_description_mismatch)" in seen["lane_reasons"]
    other = classify_client.get(f"/api/v1/declarations/{fits.json()['id']}", headers=officer)
    assert not any("misdescribed goods" in x for x in other.json()["lane_reasons"])


def test_signal_condition_is_validated_and_matches_nothing_in_the_past() -> None:
    import pandas as pd
    import pytest

    from smartcustoms.errors import InvalidInput
    from smartcustoms.selectivity import RuleContext, evaluate, parse_definition

    with pytest.raises(InvalidInput) as bad:
        parse_definition({"name": "x", "conditions": {"signals": ["Bad Name"]}, "action": {}})
    paths = {e.path for e in bad.value.errors}
    assert paths == {"conditions.signals[0]", "action"}
    rule = parse_definition(
        {
            "name": "x",
            "conditions": {"signals": "hs_description_mismatch"},
            "action": {"lane": "red"},
        }
    )
    past = pd.DataFrame({"hs_code": ["850760"], "item_value": [1.0], "net_mass_kg": [1.0]})
    assert not evaluate([rule], past, RuleContext()).any()
    now = past.assign(signals=[("hs_description_mismatch",)])
    assert evaluate([rule], now, RuleContext()).all()


def test_bulk_import_raises_the_signal_for_each_chunk(
    kr: KR,
    tmp_path: Any,
    classify_home: Any,
    shared_data_dir: Any,
) -> None:
    """``import --assess --check-descriptions``: the same check and rules as live lodging."""
    import csv

    from smartcustoms.classify.lodgement import DescriptionCheck, LazySuggester
    from smartcustoms.declarations.intake import importing
    from smartcustoms.declarations.intake.profiles import load_profile
    from smartcustoms.risk import service as risk

    kr.quiet_lanes()
    rule = {
        "name": "misdescribed goods",
        "conditions": {"signals": ["hs_description_mismatch"]},
        "action": {"lane": "red"},
    }
    risk.create_rule(kr.db.uow(), kr.analyst, rule, activate=True)
    source = shared_data_dir / "customs-declarations" / "df_syn_test_eng.csv"
    with source.open(encoding="utf-8") as f:
        rows = [r for _, r in zip(range(2), csv.DictReader(f), strict=False)]
    wanted = [("420221", "leather handbag"), ("850760", "women's leather handbag with strap")]
    for row, (code, text) in zip(rows, wanted, strict=True):
        row["HS6 Code"], row["Description"] = code, text
    path = tmp_path / "two.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    kcs = Path(importing.__file__).parent / "profiles" / "kcs-cdd.yaml"
    lines = kcs.read_text(encoding="utf-8").splitlines()
    described = [
        "  items[0].description: {column: Description}" if "items[0].description" in ln else ln
        for ln in lines
    ]
    (tmp_path / "described.yaml").write_text("\n".join(described) + "\n", encoding="utf-8")
    profile = load_profile(tmp_path / "described.yaml")
    check = DescriptionCheck(LazySuggester.under(classify_home))
    from smartcustoms.bootstrap import bootstrap
    from smartcustoms.config import Settings

    wired = bootstrap(Settings(environment="test", home=tmp_path), db=kr.db)  # learned lanes
    report = importing.import_file(
        wired.uow(), kr.officer, path, profile, assess=True, signals=check
    )
    assert report.stored == 2, report
    listed = {d.reference: d for d in service.list_declarations(kr.db.uow(), kr.officer).items}
    misfit = service.get(kr.db.uow(), kr.officer, listed[f"KCS-{rows[1]['Declaration ID']}"].id)
    fits = service.get(kr.db.uow(), kr.officer, listed[f"KCS-{rows[0]['Declaration ID']}"].id)
    assert misfit.lane is not None and misfit.lane.value == "red", misfit.lane_reasons
    assert any("signal hs_description_mismatch" in r for r in misfit.lane_reasons)
    assert any("risk signal" in r and "4202" in r for r in misfit.lane_reasons)
    assert not any("misdescribed" in r for r in fits.lane_reasons)
