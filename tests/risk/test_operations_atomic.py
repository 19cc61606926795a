"""On both databases: a budget or AEO change whose recalibration fails (the active model's
files are missing) leaves nothing stored and surfaces as a domain error, not a 500."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from smartcustoms.db.engine import Database
from smartcustoms.declarations.service import system_principal
from smartcustoms.errors import OperationFailed
from smartcustoms.risk import operations, service
from smartcustoms.risk.repository import RiskRepository
from smartcustoms.risk.tables import ModelRow

BUDGET = {"red": 0.05, "yellow": 0.10, "exploration": 0.01, "aeo_factor": 0.5}


def active_model_without_files(db: Database, directory: Path) -> None:
    now = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
    with db.uow() as uow:
        uow.session.add(
            ModelRow(
                version="KR-missing",
                economy="KR",
                status="active",
                directory=str(directory),
                features=[],
                training_from=date(2020, 1, 1),
                training_to=date(2020, 12, 31),
                training_rows=0,
                fingerprint="x",
                parameters={},
                metrics={},
                thresholds=None,
                source="test",
                note="",
                created_by="system",
                created_at=now,
                activated_at=now,
            )
        )
        uow.commit()


def test_failed_recalibration_stores_neither_budget_nor_aeo(
    db: Database, actors, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    actors.economy("KR")
    p = system_principal("KR")
    active_model_without_files(db, tmp_path / "gone")
    with pytest.raises(OperationFailed) as failed:
        operations.set_budget(db.uow(), p, BUDGET)
    assert isinstance(failed.value.__cause__, FileNotFoundError)
    with pytest.raises(OperationFailed):
        operations.change_aeo(db.uow(), p, "IMP-1", True, "certified")
    with db.uow() as uow:
        assert uow.repo(RiskRepository).budget("KR") is None
        assert uow.repo(RiskRepository).aeo_ids("KR") == set()
    assert service.aeo_ids(db.uow(), "KR") == set()


def test_failed_recalibration_is_a_503_over_http(
    db: Database, actors, settings, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    from smartcustoms.web.app import create_app

    actors.economy("KR")
    analyst = actors.user("KR", "analyst")
    active_model_without_files(db, tmp_path / "gone")
    with TestClient(create_app(settings, db)) as client:
        response = client.put(
            "/api/v1/risk/budget", json=BUDGET, headers={"Authorization": analyst["Authorization"]}
        )
    assert response.status_code == 503, response.text
    assert response.json()["error"] == "OperationFailed"
    with db.uow() as uow:
        assert uow.repo(RiskRepository).budget("KR") is None
