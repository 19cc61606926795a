"""The lodgement check without a database: mismatches, and the rule criterion on signals."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from smartcustoms.classify import service
from smartcustoms.classify.lodgement import MISMATCH, LazySuggester, find_mismatches
from smartcustoms.classify.suggester import Suggester
from smartcustoms.declarations.intake.validation import read_document
from smartcustoms.declarations.lanes import (
    AssessorContext,
    RuleBasedAssessor,
    RuleBasedConfig,
    Signal,
)
from smartcustoms.declarations.model import Lane
from tests.integration.declarations.conftest import doc


def test_only_a_confident_other_heading_is_a_mismatch(suggester: Suggester) -> None:
    found = find_mismatches(
        suggester,
        [
            ("women's leather handbag with shoulder strap", "850760"),
            ("lithium-ion accumulators", "850760"),
            ("gift", "850760"),
            ("leather handbag", "420221"),
        ],
    )
    assert [m.item for m in found] == [0]
    [m] = found
    assert m.likely.startswith("4202") and m.declared == "850760"
    assert m.likely_confidence >= 0.5 and m.declared_probability < 0.05
    assert "4202" in m.explanation and "850760"[:4] in m.explanation


def test_rules_select_on_signals() -> None:
    config = RuleBasedConfig.from_dict(
        {
            "random_red_rate": 0,
            "random_yellow_rate": 0,
            "rules": [{"name": "misdescribed", "lane": "red", "signal": MISMATCH}],
        }
    )
    assert config.to_dict()["rules"][0]["signal"] == MISMATCH
    decl, errors, _ = read_document(doc(), economy="KR", today=date(2021, 5, 14))
    assert decl is not None and not errors
    assessor = RuleBasedAssessor(config)
    quiet = assessor.assess(decl, AssessorContext("KR", "d1", date(2021, 5, 14), "u"))
    assert quiet.lane is Lane.GREEN
    signal = Signal(MISMATCH, 0, "items[0].hs_code", "reads like 4202")
    loud = assessor.assess(
        decl, AssessorContext("KR", "d1", date(2021, 5, 14), "u", signals=(signal,))
    )
    assert loud.lane is Lane.RED and loud.rules_fired == ["misdescribed"]


def test_demo_step_skips_without_data_and_holder_is_empty_without_a_model(
    tmp_path: Path,
) -> None:
    assert service.ensure_model(None, tmp_path).startswith("skipped")
    assert service.ensure_model(tmp_path, tmp_path).startswith("skipped")
    assert LazySuggester.under(tmp_path)() is None


def test_a_damaged_model_never_stops_lodging(tmp_path: Path) -> None:
    from smartcustoms.classify.lodgement import DescriptionCheck
    from smartcustoms.classify.store import ModelStore

    store = ModelStore.under(tmp_path)
    (store.root / "v1").mkdir(parents=True)
    (store.root / "v1" / "metadata.json").write_text("{}")
    (store.root / "v1" / "engine.joblib").write_bytes(b"not a model")
    (store.root / "CURRENT").write_text("v1")
    decl, _, _ = read_document(doc(), economy="KR", today=date(2021, 5, 14))
    assert decl is not None
    assert DescriptionCheck(LazySuggester(store))(decl) == []
