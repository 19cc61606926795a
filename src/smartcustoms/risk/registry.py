"""The model registry: every trained model's files under ``files_dir/models/<economy>/<version>``
and its facts in ``risk_models``; list, activate, roll back; lane thresholds calibrated per model.

Each model directory also holds ``calibration.npz``: the out-of-time scores of its most recent
period (with importer ids for the AEO split, dates and labels). Thresholds are calibrated on it
whenever the model is registered or activated and whenever the budget or the AEO list changes;
:func:`recalibrate` with ``recent=True`` replaces it by the scores of the latest stored
declarations. Drift is measured against it too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from smartcustoms.accounts.model import Principal, Role
from smartcustoms.core.clock import Clock, SystemClock
from smartcustoms.core.ids import new_id
from smartcustoms.db.uow import UnitOfWork, transactional
from smartcustoms.errors import Conflict, InvalidInput, NotFound
from smartcustoms.risk import service
from smartcustoms.risk.ml.budget import LaneBudget, LanePolicy
from smartcustoms.risk.ml.estimator import RiskModel
from smartcustoms.risk.ml.lanes import policy_to_dict
from smartcustoms.risk.model import ModelInfo
from smartcustoms.risk.repository import RiskRepository
from smartcustoms.risk.source import declarations_frame
from smartcustoms.risk.tables import ModelRow

CALIBRATION_FILE = "calibration.npz"
WRITERS = (Role.ANALYST,)
READERS = (Role.ANALYST, Role.OFFICER)


@dataclass(frozen=True, slots=True)
class CalibrationSample:
    """Out-of-time fraud scores of a recent period (NaN fraud = not inspected)."""

    scores: np.ndarray
    traders: np.ndarray
    dates: np.ndarray
    fraud: np.ndarray

    @classmethod
    def of(cls, model: RiskModel, frame: pd.DataFrame) -> CalibrationSample:
        scores = model.predict_risk(frame).fraud if len(frame) else np.zeros(0)
        fraud = (
            frame["fraud"].to_numpy(np.float64)
            if "fraud" in frame.columns
            else np.full(len(frame), np.nan)
        )
        return cls(
            np.asarray(scores, np.float64),
            frame["importer_id"].to_numpy(object).astype(str),
            frame["date"].to_numpy(dtype="datetime64[D]"),
            fraud,
        )

    def save(self, directory: Path) -> None:
        np.savez_compressed(
            directory / CALIBRATION_FILE,
            scores=self.scores,
            traders=self.traders.astype(str),
            dates=self.dates,
            fraud=self.fraud,
        )

    @classmethod
    def load(cls, directory: str | Path) -> CalibrationSample:
        with np.load(Path(directory) / CALIBRATION_FILE) as npz:
            return cls(npz["scores"], npz["traders"].astype(object), npz["dates"], npz["fraud"])


def calibrate(
    sample: CalibrationSample, budget: LaneBudget, aeo: set[str], clock: Clock | None = None
) -> dict[str, Any]:
    if len(sample.scores) == 0:
        raise InvalidInput.single("calibration", "empty", "no recent scores to calibrate on")
    trusted = np.isin(sample.traders.astype(str), list(aeo)) if aeo else None
    policy = LanePolicy.calibrate(sample.scores, budget, trusted)
    return policy_to_dict(policy) | {
        "budget": {
            "red": budget.red,
            "yellow": budget.yellow,
            "exploration": budget.exploration,
            "aeo_factor": budget.aeo_factor,
        },
        "sample_size": len(sample.scores),
        "sample_from": str(sample.dates.min()),
        "sample_to": str(sample.dates.max()),
        "calibrated_at": (clock or SystemClock()).now().isoformat(timespec="seconds"),
    }


def info(row: ModelRow) -> ModelInfo:
    return ModelInfo(
        version=row.version,
        economy=row.economy,
        status=row.status,
        directory=row.directory,
        features=list(row.features),
        training_from=row.training_from,
        training_to=row.training_to,
        training_rows=row.training_rows,
        fingerprint=row.fingerprint,
        parameters=dict(row.parameters),
        metrics=dict(row.metrics),
        thresholds=row.thresholds,
        source=row.source,
        note=row.note,
        created_by=row.created_by,
        created_at=row.created_at,
        activated_at=row.activated_at,
    )


def models_root(files_dir: Path) -> Path:
    return Path(files_dir) / "models"


@transactional
def register_model(
    uow: UnitOfWork,
    principal: Principal,
    files_dir: Path,
    model: RiskModel,
    sample: CalibrationSample,
    *,
    source: str,
    note: str = "",
    activate: bool = False,
    clock: Clock | None = None,
) -> ModelInfo:
    """Save ``model`` and its calibration sample; record it as a candidate (or activate it)."""
    principal.require(*WRITERS)
    now = (clock or uow.clock).now()
    version = f"{principal.economy}-{now:%Y%m%d-%H%M%S}-{new_id()[:6]}"
    directory = models_root(files_dir) / principal.economy / version
    model.save(directory)
    sample.save(directory)
    meta = model.metadata()
    start, end = (date.fromisoformat(d) for d in model.training_range_)
    with uow:
        repo = uow.repo(RiskRepository)
        row = ModelRow(
            version=version,
            economy=principal.economy,
            status="candidate",
            directory=str(directory),
            features=meta["features"],
            training_from=start,
            training_to=end,
            training_rows=int(meta["training_rows"]),
            fingerprint=meta["fingerprint"],
            parameters=meta["parameters"],
            metrics=_jsonable(meta["metrics"] | {"best_iterations": meta["best_iterations"]}),
            thresholds=None,
            source=source,
            note=note,
            created_by=principal.user_id,
            created_at=now,
            activated_at=None,
        )
        row.thresholds = calibrate(
            sample,
            service.budget_of(uow, principal.economy),
            service.aeo_ids(uow, principal.economy),
            clock,
        )
        repo.add(row)
        uow.session.flush()
        if activate:
            _activate(repo, row, now)
        return info(row)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, float) and not np.isfinite(value):
        return None
    if isinstance(value, np.generic):
        return _jsonable(value.item())
    return value


def _own(repo: RiskRepository, principal: Principal, version: str) -> ModelRow:
    row = repo.model(version)
    if row is None or row.economy != principal.economy:
        raise NotFound(f"no model {version}")
    return row


def _activate(repo: RiskRepository, row: ModelRow, now: datetime) -> None:
    for other in repo.models(row.economy):
        if other.status == "active" and other.version != row.version:
            other.status = "retired"
    row.status = "active"
    row.activated_at = now


def list_models(uow: UnitOfWork, principal: Principal) -> list[ModelInfo]:
    principal.require(*READERS)
    with uow:
        return [info(r) for r in uow.repo(RiskRepository).models(principal.economy)]


def get_model(uow: UnitOfWork, principal: Principal, version: str) -> ModelInfo:
    principal.require(*READERS)
    with uow:
        return info(_own(uow.repo(RiskRepository), principal, version))


def active_info(uow: UnitOfWork, economy: str) -> ModelInfo | None:
    with uow:
        row = uow.repo(RiskRepository).active_model(economy)
        return info(row) if row else None


@transactional
def activate(
    uow: UnitOfWork, principal: Principal, version: str, *, clock: Clock | None = None
) -> ModelInfo:
    """Make ``version`` the active model (the previous one is retired); recalibrates."""
    principal.require(*WRITERS)
    now = (clock or uow.clock).now()
    with uow:
        repo = uow.repo(RiskRepository)
        row = _own(repo, principal, version)
        row.thresholds = calibrate(
            CalibrationSample.load(row.directory),
            service.budget_of(uow, row.economy),
            service.aeo_ids(uow, row.economy),
            clock,
        )
        _activate(repo, row, now)
        return info(row)


@transactional
def rollback(uow: UnitOfWork, principal: Principal, *, clock: Clock | None = None) -> ModelInfo:
    """Re-activate the model that was active before the current one."""
    principal.require(*WRITERS)
    with uow:
        repo = uow.repo(RiskRepository)
        models = repo.models(principal.economy)
        current = next((m for m in models if m.status == "active"), None)
        earlier = [
            m
            for m in models
            if m.status == "retired"
            and m.activated_at is not None
            and (current is None or m.version != current.version)
        ]
        if current is not None and current.activated_at is not None:
            earlier = [
                m for m in earlier if m.activated_at and m.activated_at <= current.activated_at
            ]
        if not earlier:
            raise Conflict(f"{principal.economy} has no earlier active model to roll back to")
        target = max(earlier, key=lambda m: (m.activated_at, m.created_at))
        return activate(uow, principal, target.version, clock=clock)


@transactional
def recalibrate(
    uow: UnitOfWork,
    principal: Principal,
    *,
    recent: bool = False,
    weeks: int = 8,
    until: date | None = None,
    clock: Clock | None = None,
) -> ModelInfo:
    """Recalibrate the active model's thresholds (``recent``: on the latest ``weeks`` of
    stored declarations dated before ``until``, scored now, which then become the calibration
    sample)."""
    principal.require(*WRITERS)
    with uow:
        repo = uow.repo(RiskRepository)
        row = repo.active_model(principal.economy)
        if row is None:
            raise Conflict(f"{principal.economy} has no active model to calibrate")
        sample = CalibrationSample.load(row.directory)
        if recent:
            sample = recent_sample(uow, row, weeks, until)
            sample.save(Path(row.directory))
        row.thresholds = calibrate(
            sample, service.budget_of(uow, row.economy), service.aeo_ids(uow, row.economy), clock
        )
        return info(row)


def recent_sample(
    uow: UnitOfWork, row: ModelRow, weeks: int, until: date | None = None
) -> CalibrationSample:
    frame = declarations_frame(uow, row.economy, until=until)
    if len(frame) == 0:
        raise InvalidInput.single(
            "recent", "no_declarations", f"{row.economy} has no stored declarations to calibrate on"
        )
    last = frame["date"].max().date()
    recent = frame[frame["date"] >= pd.Timestamp(last - timedelta(weeks=weeks))]
    recent = recent.reset_index(drop=True)
    model = history_model(uow, row.economy, row.directory, recent["date"].min().date())
    return CalibrationSample.of(model, recent)


# --- loading -------------------------------------------------------------------------------


def load_model(uow: UnitOfWork, directory: str | Path) -> RiskModel:
    """The model in ``directory``, through this application's model store when it has one."""
    store = getattr(uow.ports, "models", None) if uow.ports is not None else None
    if store is not None:
        model: RiskModel = store.load(directory)
        return model
    return RiskModel.load(str(directory))


def history_model(uow: UnitOfWork, economy: str, directory: str, before: date) -> RiskModel:
    """The registered model with the database's inspection results dated after its training
    period and before ``before`` added to its history (a cheap copy; the cached model stays)."""
    base = load_model(uow, directory)
    return _with_results(uow, economy, base, _after_training(base), before)


def extend_history(
    uow: UnitOfWork, economy: str, directory: str, model: RiskModel, since: date, before: date
) -> RiskModel:
    """``model`` (what :func:`history_model` gave for ``since``; left untouched) carried
    forward to ``before``: the inspection results dated in [since, before) added to a copy.
    The same as ``history_model(..., before)`` bit for bit (every key's sums add the rows one
    by one in (date, id) order, the order of one read), while reading only those days: a bulk
    import re-reading every result since the training period at each chunk grew quadratically.
    """
    start = max(since, _after_training(load_model(uow, directory)))
    return _with_results(uow, economy, model, start, before)


def _after_training(model: RiskModel) -> date:
    return date.fromisoformat(model.training_range_[1]) + timedelta(days=1)


def _with_results(
    uow: UnitOfWork, economy: str, model: RiskModel, since: date, before: date
) -> RiskModel:
    """``model``, or a copy with the inspection results dated in [since, before) added."""
    if before <= since:
        return model
    labelled = declarations_frame(uow, economy, since=since, until=before, inspected_only=True)
    if len(labelled) == 0:
        return model
    return model.own_copy().update_history(labelled)
