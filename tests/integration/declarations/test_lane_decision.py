"""The whole lane decision is stored on the declaration and shown by its page (issue 8,
defect 2): lodged or imported, the detail page opens and shows score, model and explanations."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from smartcustoms.declarations import service
from smartcustoms.declarations.demo import write_sample
from smartcustoms.declarations.intake import importing
from smartcustoms.declarations.lanes import AssessorContext
from smartcustoms.declarations.model import Declaration, Lane, LaneDecision, LaneExplanation
from tests.integration.declarations.conftest import KR, doc
from tests.integration.declarations.test_pages import login


class ExplainingAssessor:
    """An assessor that decides like a learned one: a score, a model, reasons in plain words."""

    def assess(self, declaration: Declaration, context: AssessorContext) -> LaneDecision:
        return LaneDecision(
            lane=Lane.RED,
            score=0.8125,
            reasons=["fraud probability 81% (critical 3%), model KR-test-1"],
            rules_fired=["rule:watch"],
            model_version="KR-test-1",
            explanations=[
                LaneExplanation("te_importer", 1.25, "importer's past fraud rate 40% (4 of 10)"),
                LaneExplanation("unit_value_dev", -0.5, "value per kg close to the usual"),
            ],
        )


def test_a_lodged_decision_keeps_model_rules_and_explanations(client: TestClient, kr: KR) -> None:
    result = service.submit(
        kr.db.uow(), kr.declarant, doc(reference="EXPLAINED-1"), assessor=ExplainingAssessor()
    )
    record = service.get(kr.db.uow(), kr.officer, result.record.id)
    assert record.lane is Lane.RED and record.lane_score == 0.8125
    assert record.lane_model_version == "KR-test-1"
    assert record.lane_rules_fired == ["rule:watch"]
    assert [e.feature for e in record.lane_explanations] == ["te_importer", "unit_value_dev"]
    assert record.lane_explanations[0].contribution == 1.25

    login(client, kr.users["officer"]["email"])
    page = client.get(f"/declarations/{record.id}")
    assert page.status_code == 200
    assert 'data-testid="explanations"' in page.text
    assert "importer&#39;s past fraud rate 40% (4 of 10)" in page.text
    assert "KR-test-1" in page.text and "0.812" in page.text

    api = client.get(
        f"/api/v1/declarations/{record.id}", headers={"accept": "application/json"}
    ).json()
    assert api["lane_model_version"] == "KR-test-1"
    assert api["lane_explanations"][0] == {
        "feature": "te_importer",
        "contribution": 1.25,
        "text": "importer's past fraud rate 40% (4 of 10)",
    }


def test_imported_declarations_detail_pages_open(
    client: TestClient, kr: KR, tmp_path: Path
) -> None:
    path = tmp_path / "sample.csv"
    write_sample(path, n=60)
    # The test schedule levies a duty per unit on 8504 (the file has no quantities): leave out.
    lines = path.read_text().splitlines()
    kept = [ln for ln in lines[1:] if ",8504" not in ln][:12]
    path.write_text("\n".join([lines[0], *kept]) + "\n")
    try:
        report = importing.import_file(kr.db.uow(), service.system_principal("KR"), path, "kcs-cdd")
    except importing.ImportRejected as exc:
        raise AssertionError(exc.report.errors) from exc
    assert report.stored == 12, report.errors
    login(client, kr.users["officer"]["email"])
    listing = client.get("/declarations?tab=all")
    ids = sorted(set(_ids(listing.text)))
    assert len(ids) >= 12
    for declaration_id in ids[:12]:
        page = client.get(f"/declarations/{declaration_id}")
        assert page.status_code == 200, page.text[:400]
        assert "recorded by the kcs-cdd import" in page.text


def _ids(html: str) -> list[str]:
    import re

    return re.findall(r'href="/declarations/([0-9a-z]{20,32})"', html)
