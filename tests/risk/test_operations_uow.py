"""Budget and AEO changes on the fake unit of work: the change and the recalibration of the
active model are one transaction, so a failing recalibration stores nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from smartcustoms.accounts.model import Principal, Role
from smartcustoms.core.clock import FixedClock
from smartcustoms.errors import InvalidInput, OperationFailed
from smartcustoms.risk import operations, service
from smartcustoms.risk.tables import ModelRow
from tests.fakes import FakeUnitOfWork

CLOCK = FixedClock(datetime(2026, 1, 5, 8, 0, tzinfo=UTC))
ANALYST = Principal("u-an", "an@x", "Analyst", "KR", frozenset({Role.ANALYST}))
BUDGET = {"red": 0.05, "yellow": 0.10, "exploration": 0.01, "aeo_factor": 0.5}


def with_active_model(uow: FakeUnitOfWork, directory: Path) -> None:
    uow.risk.data["models"].append(
        ModelRow(
            version="KR-1",
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
            created_by="u-an",
            created_at=CLOCK.now(),
            activated_at=CLOCK.now(),
        )
    )
    uow.risk.commit()


def test_set_budget_without_a_model_is_stored() -> None:
    uow = FakeUnitOfWork()
    view = operations.set_budget(uow, ANALYST, BUDGET | {"window": 500}, clock=CLOCK)
    assert (view.red, view.yellow, view.window) == (0.05, 0.10, 500)
    assert uow.commits == 1
    assert [b.red for b in uow.risk.committed("budgets")] == [0.05]


def test_set_budget_is_validated_before_anything_is_stored() -> None:
    uow = FakeUnitOfWork()
    with pytest.raises(InvalidInput):
        operations.set_budget(uow, ANALYST, BUDGET | {"exploration": 0.5}, clock=CLOCK)
    assert uow.risk.committed("budgets") == []


def test_set_budget_with_missing_model_files_stores_nothing(tmp_path: Path) -> None:
    uow = FakeUnitOfWork()
    with_active_model(uow, tmp_path / "gone")
    with pytest.raises(OperationFailed) as failed:
        operations.set_budget(uow, ANALYST, BUDGET, clock=CLOCK)
    assert isinstance(failed.value.__cause__, FileNotFoundError)
    assert uow.commits == 0 and uow.risk.committed("budgets") == []
    assert service.budget_of(uow, "KR") == service.budget_of(FakeUnitOfWork(), "KR")


def test_change_aeo_with_missing_model_files_stores_nothing(tmp_path: Path) -> None:
    uow = FakeUnitOfWork()
    with_active_model(uow, tmp_path / "gone")
    with pytest.raises(OperationFailed):
        operations.change_aeo(uow, ANALYST, "IMP-1", True, clock=CLOCK)
    assert uow.risk.committed("aeo") == []


def test_change_aeo_adds_and_removes() -> None:
    uow = FakeUnitOfWork()
    operations.change_aeo(uow, ANALYST, "IMP-1", True, "certified", clock=CLOCK)
    assert service.aeo_ids(uow, "KR") == {"IMP-1"}
    operations.change_aeo(uow, ANALYST, "IMP-1", False, clock=CLOCK)
    assert service.aeo_ids(uow, "KR") == set() and uow.commits == 2
