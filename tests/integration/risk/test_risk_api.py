"""/api/v1/risk: roles, economy isolation (another economy's rule or model is a 404) and the
score endpoint, on both databases."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from smartcustoms.declarations.intake import importing
from smartcustoms.declarations.service import system_principal
from smartcustoms.risk import training
from smartcustoms.web.api.declarations import EXAMPLE

RULE = {"name": "watch", "conditions": {"hs_prefix": ["8507"]}, "action": {"score_add": 0.2}}


@pytest.fixture
def setup(db, actors, client, settings, shared_data_dir: Path, tmp_path: Path):  # type: ignore[no-untyped-def]
    raw = pd.read_csv(
        shared_data_dir / "customs-declarations" / "df_syn_train_eng.csv", nrows=1500, dtype=str
    )
    path = tmp_path / "slice.csv"
    raw.to_csv(path, index=False)
    actors.economy("KR")
    importing.import_file(db.uow(), system_principal("KR"), path, "kcs-cdd")
    model = training.train_from_database(
        db.uow(), system_principal("KR"), settings.files_dir, params={"n_estimators": 15}
    )
    kr = actors.headers(actors.user("KR", "analyst"))
    jp = actors.headers(actors.user("JP", "analyst"))
    officer = actors.headers(actors.user("KR", "officer"))
    rule = client.post("/api/v1/risk/rules", json=RULE, headers=kr)
    assert rule.status_code == 201, rule.text
    return {
        "kr": kr,
        "jp": jp,
        "officer": officer,
        "rule": rule.json()["id"],
        "model": model.version,
    }


def test_other_economy_gets_404_everywhere(client, setup) -> None:  # type: ignore[no-untyped-def]
    rule, model, jp = setup["rule"], setup["model"], setup["jp"]
    calls = [
        ("get", f"/api/v1/risk/rules/{rule}", None),
        ("put", f"/api/v1/risk/rules/{rule}", RULE),
        ("post", f"/api/v1/risk/rules/{rule}/status", {"status": "active"}),
        ("post", f"/api/v1/risk/rules/{rule}/test", None),
        ("get", f"/api/v1/risk/models/{model}", None),
        ("post", f"/api/v1/risk/models/{model}/activate", None),
    ]
    for method, url, body in calls:
        response = client.request(method, url, json=body, headers=jp)
        assert response.status_code == 404, (method, url, response.text)
    assert client.get("/api/v1/risk/rules", headers=jp).json() == []
    assert client.get("/api/v1/risk/models", headers=jp).json() == []
    assert client.post("/api/v1/risk/models/rollback", headers=jp).status_code == 409
    assert client.get("/api/v1/risk/drift", headers=jp).status_code == 409


def test_roles_and_analyst_flow(client, setup) -> None:  # type: ignore[no-untyped-def]
    kr, officer = setup["kr"], setup["officer"]
    assert client.get("/api/v1/risk/rules", headers=officer).status_code == 403
    assert (
        client.put(
            "/api/v1/risk/budget", headers=officer, json={"red": 0.05, "yellow": 0.05}
        ).status_code
        == 403
    )
    assert client.get("/api/v1/risk/rules").status_code == 401
    tested = client.post(f"/api/v1/risk/rules/{setup['rule']}/test", headers=kr)
    assert tested.status_code == 200 and tested.json()["declarations"] == 1500
    budget = client.put(
        "/api/v1/risk/budget", headers=kr, json={"red": 0.04, "yellow": 0.06, "exploration": 0.01}
    )
    assert budget.status_code == 200, budget.text
    assert budget.json()["thresholds"]["budget"]["red"] == 0.04
    bad = client.put("/api/v1/risk/budget", headers=kr, json={"red": 2, "yellow": 0.1})
    assert bad.status_code == 422
    assert client.get("/api/v1/risk/models", headers=kr).json()[0]["status"] == "active"
    assert client.get("/api/v1/risk/drift", headers=kr).status_code == 200
    scored = client.post("/api/v1/risk/score", headers=officer, json=EXAMPLE)
    assert scored.status_code == 200, scored.text
    body = scored.json()
    assert body["lane"] in ("green", "yellow", "red")
    assert 0 <= body["fraud_probability"] <= 1 and body["explanations"]
    assert (
        client.post("/api/v1/risk/aeo", headers=kr, json={"trader_id": "IMP-778"}).status_code
        == 204
    )
    assert client.post("/api/v1/risk/score", headers=officer, json=EXAMPLE).json()["aeo"]
