"""The answer to a lodgement is built from the values just stored, not read back: it must equal
what reading the declaration gives (GET /api/v1/declarations/{id}, ``service.get``) in every
case — each lane, rule reasons, risk signals, a pre-lodged declaration, the learned model's
scores and explanations — on both databases."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import pandas as pd

from smartcustoms.core.clock import SystemClock
from smartcustoms.declarations import service
from smartcustoms.declarations.lanes import Signal
from smartcustoms.declarations.model import Declaration
from smartcustoms.risk import service as risk
from smartcustoms.risk import training
from smartcustoms.web.api.declarations import EXAMPLE
from tests.declarations.conftest import KR, doc
from tests.risk.risk_synth import make_frame


def _without_warnings(body: dict[str, Any]) -> dict[str, Any]:
    # Warnings belong to the lodgement (the read has none); everything else must be equal.
    return {k: v for k, v in body.items() if k != "warnings"}


def _post_equals_get(client: Any, kr: KR, document: dict[str, Any], status: int = 201) -> Any:
    me = kr.actors.headers(kr.users["declarant"])
    posted = client.post("/api/v1/declarations", json=document, headers=me)
    assert posted.status_code == status, posted.text
    body = posted.json()
    read = client.get(f"/api/v1/declarations/{body['id']}", headers=me)
    assert read.status_code == 200
    assert _without_warnings(body) == _without_warnings(read.json())
    return body


def test_answer_equals_the_read_for_every_lane(client: Any, kr: KR) -> None:
    body = _post_equals_get(client, kr, doc(reference="G"))
    assert body["lane"] == "green" and len(body["history"]) == 3
    for lane in ("yellow", "red"):
        kr.quiet_lanes(lane)
        body = _post_equals_get(client, kr, doc(reference=f"L-{lane}"))
        assert body["lane"] == lane and body["lane_rules_fired"] == ["force"]
    # A replay answers from the stored declaration, as before.
    assert _post_equals_get(client, kr, doc(reference="L-red"), status=200)["lane"] == "red"


def test_answer_equals_the_read_for_a_pre_lodged_declaration(client: Any, kr: KR) -> None:
    today = SystemClock().now().date()
    document = doc(
        reference="PRE",
        date=(today - timedelta(days=1)).isoformat(),
        arrival_date=(today + timedelta(days=5)).isoformat(),
    )
    body = _post_equals_get(client, kr, document)
    assert body["status"] == "pre_lodged" and body["lane"] is None


def test_answer_equals_the_read_with_risk_signals(kr: KR) -> None:
    class Odd:
        """A signal source that finds the second item's description odd."""

        def __call__(self, declaration: Declaration) -> list[Signal]:
            return [Signal("description_mismatch", 1, "items[1].description", "looks odd", {})]

        def many(self, declarations: Sequence[Declaration]) -> list[list[Signal]]:
            return [self(d) for d in declarations]

    signals = Odd()
    result = service.submit(kr.db.uow(), kr.declarant, doc(reference="SIG"), signals=signals)
    assert result.created and result.warnings
    assert result.record.lane_reasons[-1] == "risk signal: looks odd"
    assert result.record == service.get(kr.db.uow(), kr.declarant, result.record.id)


def test_answer_equals_the_read_with_the_learned_model(client: Any, kr: KR, tmp_path: Path) -> None:
    train = make_frame(n=600, days=40, seed=0)
    valid = make_frame(n=300, days=20, seed=1)
    valid["date"] = valid["date"] + pd.Timedelta(days=40)
    training.train_from_frames(
        kr.db.uow(),
        kr.analyst,
        tmp_path / "files",
        train,
        valid,
        params={"n_estimators": 15},
        activate=True,
    )
    risk.create_rule(
        kr.db.uow(),
        kr.analyst,
        {"name": "analysers", "conditions": {"hs_prefix": ["9027"]}, "action": {"lane": "red"}},
        activate=True,
    )
    explained = 0
    for n in range(4):
        document = copy.deepcopy(EXAMPLE)
        document["reference"] = f"ML-{n}"
        document["items"][0]["invoice_value"] = str(1000 + 37 * n)
        if n % 2:
            document["items"][0] |= {"hs_code": "902710", "origin_country": "US"}
            document["items"][0].pop("preference")
        body = _post_equals_get(client, kr, document)
        assert body["lane_model_version"] is not None and body["lane_score"] is not None
        explained += bool(body["lane_explanations"])
    assert explained  # the red ones carry the model's explanations
