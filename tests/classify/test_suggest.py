"""The classifier built from a slice of the data: suggestions, explanations, vagueness,
calibration, the saved model's metadata."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from smartcustoms.classify import service
from smartcustoms.classify.model import GoodsQuery
from smartcustoms.classify.store import ModelStore
from smartcustoms.classify.suggester import Suggester
from smartcustoms.errors import InvalidInput


def test_saved_model_carries_version_fingerprint_and_metrics(classify_home: Path) -> None:
    store = ModelStore.under(classify_home)
    [meta] = store.versions()
    assert meta["version"] == store.current()
    assert len(meta["fingerprint"]) == 64
    assert set(meta["files"]) >= {"harmonized-system/harmonized-system.csv"}
    test = meta["metrics"]["test"]["all"]
    for key in ("top1_hs2", "top5_hs2", "top1_hs4", "top5_hs4", "top1_hs6", "top5_hs6"):
        assert 0.0 <= test[key] <= 1.0
    assert test["top5_hs6"] >= test["top1_hs6"]
    assert test["top1_hs2"] >= test["top1_hs4"] >= test["top1_hs6"]
    assert meta["chapters"] == ["42", "61", "62", "64", "71", "85", "95"]


def test_suggestions_are_ranked_calibrated_and_explained(suggester: Suggester) -> None:
    [c] = suggester.classify(
        [
            GoodsQuery(
                "925 Sterling Silver Heart Pendant Necklace",
                "Jewelry & Accessories > Fine Jewelry > Necklaces",
            )
        ],
        top=5,
    )
    assert len(c.suggestions) == 5
    best = c.suggestions[0]
    assert best.hs_code[:4] == "7113"
    confidences = [s.confidence for s in c.suggestions]
    assert all(0.0 <= x <= 1.0 for x in confidences)
    assert [s.level for s in best.path] == ["section", "chapter", "heading", "subheading"]
    assert best.path[-1].code == best.hs_code
    assert "jewellery" in " ".join(best.matched_words)
    assert best.examples and all(e.hs_code == best.hs_code for e in best.examples)
    assert best.heading_confidence >= best.confidence - 1e-9
    assert not c.vagueness.vague


def test_the_category_path_and_attributes_change_the_answer(suggester: Suggester) -> None:
    plain, knitted = suggester.classify(
        [
            GoodsQuery("Women's top"),
            GoodsQuery(
                "Women's top",
                "Women's Clothing > Tops > T-Shirts",
                {"Fabric Type": "Knitted", "Material": "Cotton"},
            ),
        ]
    )
    assert knitted.suggestions[0].hs_code == "610910"
    assert plain.suggestions[0].hs_code != knitted.suggestions[0].hs_code or (
        plain.suggestions[0].confidence < knitted.suggestions[0].confidence
    )


@pytest.mark.parametrize("text", ["gift", "parts", "sample", "NEW hot sale!!!"])
def test_vague_descriptions_are_flagged_with_what_is_missing(
    suggester: Suggester, text: str
) -> None:
    [c] = suggester.classify([GoodsQuery(text)])
    assert c.vagueness.vague
    assert c.vagueness.missing and all(isinstance(m, str) and m for m in c.vagueness.missing)


def test_classify_many_is_the_light_batch_path(suggester: Suggester) -> None:
    results = suggester.classify_many(["leather handbag", "wooden jigsaw puzzle"], top=2)
    assert [r.suggestions[0].hs_code[:4] for r in results] == ["4202", "9503"]
    assert all(len(r.suggestions) == 2 for r in results)


def test_parse_query_reports_every_problem_at_once() -> None:
    with pytest.raises(InvalidInput) as err:
        service.parse_query(
            {"description": " ", "category": 3, "attributes": [], "price": -1, "currency": "E"}
        )
    paths = sorted(e.path for e in err.value.errors)
    assert paths == ["attributes", "category", "currency", "description", "price"]


def test_batch_keeps_bad_lines_in_place(suggester: Suggester) -> None:
    lines = [
        json.dumps({"description": "silver ring", "attributes": {"Material": "925 silver"}}),
        "{not json",
        json.dumps({"category": "Shoes"}),
        "",
        json.dumps({"description": "sneakers", "price": 30, "currency": "usd"}),
    ]
    results = service.classify_batch(suggester, service.parse_batch(lines), top=3)
    docs = [r.to_dict() for r in results]
    assert [d["index"] for d in docs] == [0, 1, 2, 3, 4]
    assert ["error" in d for d in docs] == [False, True, True, True, False]
    assert docs[2]["error"]["errors"][0]["path"] == "line 3.description"
    assert docs[0]["suggestions"][0]["hs_code"].startswith("71")
    assert docs[4]["suggestions"][0]["hs_code"].startswith("64")
    assert len(docs[4]["suggestions"]) == 3


def test_no_model_built_is_a_clear_not_found(tmp_path: Path) -> None:
    store = ModelStore.under(tmp_path)
    assert store.try_load() is None
    with pytest.raises(Exception, match="classify build"):
        store.load()


def test_parcel_classifier_for_other_features(classify_home: Path, tmp_path: Path) -> None:
    from smartcustoms.classify.queries import ParcelClassifier

    answers = ParcelClassifier.under(classify_home).classify_many(
        ["rubber flip flops", "", "gift", "leather handbag"]
    )
    assert answers[1] is None
    first, vague, wallet = answers[0], answers[2], answers[3]
    assert first is not None and first.hs_code.startswith("64") and not first.vague
    assert len(first.alternatives) == 2
    assert vague is not None and vague.vague and vague.missing
    assert wallet is not None and wallet.hs_code.startswith("4202")
    absent = ParcelClassifier.under(tmp_path)
    assert not absent.available and absent.classify_many(["socks"]) == [None]
