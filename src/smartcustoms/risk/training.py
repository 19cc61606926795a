"""Learning from inspections: train from the database, retrain-and-compare, drift watch.

The latest period (``holdout`` share of inspected declarations, cut at a day boundary) is held
out: ``train`` uses it for early stopping and threshold calibration, then adds its labels to the
model's history (boosters from the earlier period); ``retrain`` trains the
candidate without it, scores both models on it and activates the candidate only if its
precision at the budgeted inspection rate (red + yellow) is higher (or when forced). The
candidate's history then gets the held-out labels (boosters unchanged) before it is saved.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from smartcustoms.accounts.model import Principal, Role
from smartcustoms.core.clock import Clock
from smartcustoms.db.uow import UnitOfWork
from smartcustoms.errors import Conflict, InvalidInput
from smartcustoms.risk import registry, service
from smartcustoms.risk.ml.drift import psi
from smartcustoms.risk.ml.estimator import RiskModel
from smartcustoms.risk.ml.evaluation import precision_at
from smartcustoms.risk.model import DriftReport, ModelInfo, RetrainResult, WeekDrift
from smartcustoms.risk.registry import CalibrationSample, history_model
from smartcustoms.risk.source import declarations_frame

Step = Callable[[str], None]
MIN_ROWS = 200


def _noop(_: str) -> None:
    return None


def split_latest(frame: pd.DataFrame, share: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(earlier, latest): the latest ``share`` of rows by date, never splitting a day."""
    if not 0 < share < 1:
        raise InvalidInput.single("holdout", "out_of_range", "a share between 0 and 1")
    dates = frame["date"].to_numpy()
    cut = dates[min(len(dates) - 1, int(len(dates) * (1 - share)))]
    earlier = frame[frame["date"] < cut].reset_index(drop=True)
    latest = frame[frame["date"] >= cut].reset_index(drop=True)
    if len(earlier) == 0:
        raise InvalidInput.single(
            "holdout", "one_period", "all inspected declarations share one date: nothing earlier"
        )
    return earlier, latest


def _inspected(uow: UnitOfWork, economy: str, until: date | None) -> pd.DataFrame:
    frame = declarations_frame(uow, economy, until=until, inspected_only=True)
    if len(frame) < MIN_ROWS or frame["fraud"].nunique() < 2:
        raise InvalidInput.single(
            "economy",
            "too_few_labels",
            f"{economy} has {len(frame)} inspected declarations (with both outcomes needed); "
            f"training needs at least {MIN_ROWS}",
        )
    return frame


def inspection_rate(uow: UnitOfWork, economy: str) -> float:
    b = service.budget_of(uow, economy)
    return b.red + b.yellow


def train_from_database(
    uow: UnitOfWork,
    principal: Principal,
    files_dir: Path,
    *,
    params: dict[str, Any] | None = None,
    holdout: float = 0.2,
    until: date | None = None,
    activate: bool | None = None,
    step: Step = _noop,
    clock: Clock | None = None,
) -> ModelInfo:
    """Train on the economy's inspected declarations and register the model (activated when
    ``activate``, or by default when the economy has no active model yet)."""
    principal.require(Role.ANALYST)
    step("reading inspected declarations")
    frame = _inspected(uow, principal.economy, until)
    earlier, latest = split_latest(frame, holdout)
    step(f"training on {len(earlier)} declarations, early stopping on {len(latest)}")
    # Boosters learn from the earlier period; the history then takes every label (refit off,
    # so the latest period's scores below stay out-of-sample for the threshold calibration).
    model = RiskModel(**(params or {}) | {"refit_full": False}).fit(earlier, valid=latest)
    model.sources_ = {"database": principal.economy, "holdout_from": str(latest["date"].min())}
    step("calibrating lane thresholds")
    sample = _sample_before(model, earlier, latest)
    if activate is None:
        activate = registry.active_info(uow, principal.economy) is None
    step("registering")
    return registry.register_model(
        uow,
        principal,
        files_dir,
        model,
        sample,
        source="database",
        note=f"trained on {len(frame)} inspected declarations",
        activate=activate,
        clock=clock,
    )


def _sample_before(
    model: RiskModel, earlier: pd.DataFrame, latest: pd.DataFrame
) -> CalibrationSample:
    """Scores of ``latest`` by ``model``'s boosters with a history of ``earlier`` only."""
    from smartcustoms.risk.ml.features import FeatureBuilder

    scorer = copy.copy(model)
    scorer.builder_ = FeatureBuilder(model.smoothing, model.exact_values)
    scorer.builder_.fit_transform(earlier)
    return CalibrationSample.of(scorer, latest)


def retrain(
    uow: UnitOfWork,
    principal: Principal,
    files_dir: Path,
    *,
    params: dict[str, Any] | None = None,
    holdout: float = 0.2,
    force: bool = False,
    activate_if_better: bool = True,
    step: Step = _noop,
    clock: Clock | None = None,
) -> RetrainResult:
    principal.require(Role.ANALYST)
    economy = principal.economy
    step("reading inspected declarations")
    frame = _inspected(uow, economy, None)
    earlier, latest = split_latest(frame, holdout)
    step(f"training the candidate on {len(earlier)} declarations")
    inner_earlier, inner_latest = split_latest(earlier, holdout)
    candidate = RiskModel(**(params or {})).fit(inner_earlier, valid=inner_latest)
    step(f"comparing on the latest {len(latest)} declarations")
    rate = inspection_rate(uow, economy)
    y = latest["fraud"].to_numpy()
    cand_scores = candidate.predict_risk(latest).fraud
    cand_p = precision_at(y, cand_scores, rate)
    active = registry.active_info(uow, economy)
    active_p = None
    warnings: list[str] = []
    if active is not None:
        incumbent = history_model(uow, economy, active.directory, latest["date"].min().date())
        active_p = precision_at(y, incumbent.predict_risk(latest).fraud, rate)
        if active.training_to >= latest["date"].min().date():
            warnings.append(
                f"the active model {active.version} was trained on part of the "
                "comparison period: the comparison favours it"
            )
    sample = CalibrationSample.of(candidate, latest)
    candidate.update_history(latest)  # boosters unchanged; the history learns the latest labels
    better = active_p is None or cand_p > active_p
    activate = force or (activate_if_better and better)
    if force:
        reason = "forced"
    elif active_p is None:
        reason = "no active model"
    else:
        verdict = "better" if better else "not better"
        reason = f"candidate {verdict}: precision@{rate:.0%} {cand_p:.3f} vs {active_p:.3f}"
    step("registering")
    info = registry.register_model(
        uow,
        principal,
        files_dir,
        candidate,
        sample,
        source="database",
        note=reason,
        activate=activate,
        clock=clock,
    )
    return RetrainResult(
        candidate=info,
        active_before=active.version if active else None,
        holdout_from=latest["date"].min().date(),
        holdout_to=latest["date"].max().date(),
        holdout_rows=len(latest),
        inspection_rate=rate,
        candidate_precision=cand_p,
        active_precision=active_p,
        activated=activate,
        reason=reason,
        warnings=warnings,
    )


def scores_since_training(
    uow: UnitOfWork, principal: Principal, *, since: date | None = None, until: date | None = None
) -> tuple[ModelInfo, CalibrationSample, pd.DataFrame, np.ndarray]:
    """The active model, its reference (calibration) sample, and the stored declarations dated
    after its training period with their fraud scores now (what drift is measured on)."""
    principal.require(Role.ANALYST, Role.OFFICER)
    active = registry.active_info(uow, principal.economy)
    if active is None:
        raise Conflict(f"{principal.economy} has no active model")
    reference = CalibrationSample.load(active.directory)
    start = since or active.training_to
    frame = declarations_frame(uow, principal.economy, since=start, until=until)
    frame = frame[frame["date"] > pd.Timestamp(active.training_to)].reset_index(drop=True)
    scores = np.zeros(0)
    if len(frame):
        model = history_model(uow, principal.economy, active.directory, frame["date"].min().date())
        scores = model.predict_risk(frame.drop(columns=["fraud", "critical_fraud"])).fraud
    return active, reference, frame, np.asarray(scores, np.float64)


def drift(
    uow: UnitOfWork, principal: Principal, *, since: date | None = None, until: date | None = None
) -> DriftReport:
    """Weekly score distribution (PSI) and hit rate of stored declarations after the active
    model's training period, against its reference (calibration) sample."""
    scored = scores_since_training(uow, principal, since=since, until=until)
    return drift_of(principal.economy, *scored)


def drift_of(
    economy: str,
    active: ModelInfo,
    reference: CalibrationSample,
    frame: pd.DataFrame,
    scores: np.ndarray,
) -> DriftReport:
    """The weekly drift report of what :func:`scores_since_training` returned."""
    weeks: list[WeekDrift] = []
    if len(frame):
        days = frame["date"].to_numpy(dtype="datetime64[D]")
        week = (days.astype(np.int64) + 3) // 7
        fraud = frame["fraud"].to_numpy(np.float64)
        for w in np.unique(week):
            mask = week == w
            value = psi(reference.scores, scores[mask])
            labelled = mask & ~np.isnan(fraud)
            weeks.append(
                WeekDrift(
                    week_start=str(np.datetime64(int(w * 7 - 3), "D")),
                    declarations=int(mask.sum()),
                    psi=value,
                    status="stable" if value < 0.1 else ("watch" if value < 0.25 else "shifted"),
                    mean_score=float(scores[mask].mean()),
                    inspected=int(labelled.sum()),
                    hit_rate=float(fraud[labelled].mean()) if labelled.any() else None,
                )
            )
    ref_fraud = reference.fraud[~np.isnan(reference.fraud)]
    return DriftReport(
        economy=economy,
        model_version=active.version,
        reference_size=len(reference.scores),
        reference_mean_score=float(reference.scores.mean()) if len(reference.scores) else 0.0,
        reference_hit_rate=float(ref_fraud.mean()) if len(ref_fraud) else None,
        weeks=weeks,
    )


def train_from_frames(
    uow: UnitOfWork,
    principal: Principal,
    files_dir: Path,
    train: pd.DataFrame,
    valid: pd.DataFrame | None = None,
    *,
    params: dict[str, Any] | None = None,
    activate: bool | None = None,
    sources: dict[str, str] | None = None,
    step: Step = _noop,
    clock: Clock | None = None,
) -> ModelInfo:
    """Train on labelled frames (e.g. files read through a profile) and register the model
    like :func:`train_from_database` (``valid``, or else the latest 20% of ``train``, is the
    early-stopping and calibration period)."""
    principal.require(Role.ANALYST)
    if valid is None or len(valid) == 0:
        train, valid = split_latest(train, 0.2)
    step(f"training on {len(train)} declarations, early stopping on {len(valid)}")
    model = RiskModel(**(params or {}) | {"refit_full": False}).fit(train, valid=valid)
    model.sources_ = dict(sources or {})
    step("calibrating lane thresholds")
    sample = _sample_before(model, train, valid)
    if activate is None:
        activate = registry.active_info(uow, principal.economy) is None
    step("registering")
    return registry.register_model(
        uow,
        principal,
        files_dir,
        model,
        sample,
        source="file",
        note=f"trained on {len(train) + len(valid)} declarations from files",
        activate=activate,
        clock=clock,
    )
