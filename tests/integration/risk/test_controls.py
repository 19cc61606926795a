"""Recorded controls on both databases: every declaration the learned assessor lodges (alone or
in a bulk import) gets its propensity and exploration draw recorded; scoring without storing
records nothing; the IPW estimate and the adaptive strategy's bandit work from the records."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from smartcustoms.bootstrap import bootstrap
from smartcustoms.cli.main import run
from smartcustoms.db.engine import Database
from smartcustoms.declarations import service as declarations
from smartcustoms.declarations.intake import importing
from smartcustoms.declarations.service import system_principal
from smartcustoms.errors import InvalidInput
from smartcustoms.risk import controls, operations, scoring, training, wiring
from smartcustoms.risk.tables import SelectionRow
from smartcustoms.web.api.declarations import EXAMPLE
from smartcustoms.web.app import create_app

PARAMS = {"n_estimators": 25, "early_stopping_rounds": 10}


@pytest.fixture(scope="module")
def slices(tmp_path_factory: pytest.TempPathFactory, shared_data_dir: Path) -> tuple[Path, Path]:
    """History (first 2,000 rows of the train split) and a later stretch to lodge (600 rows)."""
    raw = pd.read_csv(
        shared_data_dir / "customs-declarations" / "df_syn_train_eng.csv", nrows=2600, dtype=str
    )
    folder = tmp_path_factory.mktemp("controls")
    history, later = folder / "history.csv", folder / "later.csv"
    raw.iloc[:2000].to_csv(history, index=False)
    raw.iloc[2000:].to_csv(later, index=False)
    return history, later


def _selections(db: Database) -> list[SelectionRow]:
    with db.uow() as uow:
        rows = list(uow.session.scalars(select(SelectionRow)))
        uow.session.expunge_all()  # plain objects, read after the unit of work
        return rows


def test_controls_are_recorded_estimated_and_tuned(
    db: Database,
    actors,  # type: ignore[no-untyped-def]
    settings,  # type: ignore[no-untyped-def]
    slices: tuple[Path, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    actors.economy("KR")
    p = system_principal("KR")
    history, later = slices
    assert importing.import_file(db.uow(), p, history, "kcs-cdd").stored == 2000
    with pytest.raises(InvalidInput) as bad:
        operations.set_budget(
            db.uow(),
            p,
            {
                "red": 0.05,
                "yellow": 0.05,
                "exploration": 0.03,
                "aeo_factor": 0.5,
                "strategy": "clever",
            },
        )
    assert [e.path for e in bad.value.errors] == ["strategy"]
    operations.set_budget(
        db.uow(),
        p,
        {
            "red": 0.05,
            "yellow": 0.05,
            "exploration": 0.03,
            "aeo_factor": 0.5,
            "strategy": "diverse",
        },
    )
    training.train_from_database(db.uow(), p, tmp_path, params=PARAMS, activate=True)
    app = bootstrap(db=db)
    # Historical imports (no assessor) record nothing; scoring without storing neither.
    assert _selections(db) == []
    wiring.score_payload(db.uow(), p, EXAMPLE | {"reference": "what-if"})
    assert _selections(db) == []
    # A bulk import through the assessor: one record per declaration.
    report = importing.import_file(app.uow(), p, later, "kcs-cdd", assess=True)
    assert report.stored == 600
    rows = _selections(db)
    assert len(rows) == 600
    assert {r.strategy for r in rows} == {"diverse"}
    assert all(0.0 < r.propensity <= 1.0 for r in rows)
    assert all(r.controlled == (r.lane != "green") for r in rows)
    assert all(r.propensity == 1.0 for r in rows if r.controlled and not r.explored)
    explored = [r for r in rows if r.explored]
    assert explored and all(r.lane == "red" for r in explored)
    # Explored from green: its draw was its only chance (a yellow one explored was certain).
    assert any(r.propensity < 1 for r in explored)
    # One declaration lodged alone: recorded in the same transaction as its lodgement.
    submitted = declarations.submit(app.uow(), p, EXAMPLE | {"reference": "alone"})
    assert submitted.record.lane is not None
    with db.uow() as uow:
        alone = uow.session.get(SelectionRow, submitted.record.id)
        assert alone is not None and alone.lane == submitted.record.lane.value
        alone_explored = alone.explored
        count = uow.session.scalar(select(func.count()).select_from(SelectionRow))
    assert count == 601

    # The estimate, from the CLI.
    monkeypatch.setenv("SMARTCUSTOMS_DATABASE_URL", db.url)
    assert run(["risk", "evaluate-controls", "--economy", "KR", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    estimate = doc["estimate"]
    assert estimate["lodged"] == 601 and estimate["labelled"] > 0
    assert estimate["explored"] == len(explored) + int(alone_explored)
    assert estimate["horvitz_thompson"] is not None and estimate["hajek"] is not None
    assert set(doc["by_strategy"]) == {"diverse"}
    found = controls.evaluate_controls(db.uow(), p)
    assert found.estimate.labelled == estimate["labelled"]
    # And from the API (officers and analysts of the economy).
    officer = actors.user("KR", "officer")
    with TestClient(create_app(settings, db)) as client:
        response = client.get("/api/v1/risk/controls", headers=actors.headers(officer))
        assert response.status_code == 200, response.text
        assert response.json()["estimate"] == estimate
        bad = client.get(
            "/api/v1/risk/controls", params={"since": "not-a-date"}, headers=actors.headers(officer)
        )
        assert bad.status_code == 422

    # The adaptive strategy: a bandit round from the recorded controls sets the share the
    # selector explores at.
    operations.set_budget(
        db.uow(),
        p,
        {
            "red": 0.05,
            "yellow": 0.05,
            "exploration": 0.03,
            "aeo_factor": 0.5,
            "strategy": "adaptive",
        },
    )
    assert run(["risk", "tune-exploration", "--economy", "KR", "--json"]) == 0
    tuned = json.loads(capsys.readouterr().out)
    assert tuned["rounds"] == 1 and tuned["rewarded"] == estimate["labelled"]
    assert tuned["reward"] == pytest.approx(estimate["hit_rate"])
    state = scoring.economy_state(app.uow(), "KR")
    assert state.budget.strategy == "adaptive"
    assert state.budget.exploration == pytest.approx(tuned["exploration_rate"])
    # Nothing new labelled since: a second round changes nothing.
    again = controls.tune_exploration(db.uow(), p)
    assert again.rounds == 1 and again.rewarded == 0
