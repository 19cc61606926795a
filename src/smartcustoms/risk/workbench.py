"""What the analyst's workbench pages show beyond the plain use cases (read-only).

- :func:`model_evaluation`: a registered model's evaluation curves (precision and recall
  against the inspection rate, critical frauds caught) and its feature importance;
- :func:`preview_budget`: the thresholds and expected lane shares a budget would give, before
  it is saved (saving is :func:`smartcustoms.risk.operations.set_budget`, as for the API);
- :func:`score_distribution`: the fraud score distribution of the training reference against
  the declarations lodged since, in bins (drift, beside :func:`.training.drift`'s PSI);
- :func:`lane_waterfall`: a stored declaration's fraud score as a waterfall of contributions,
  with its lane thresholds and the rules that fired.

Nothing here writes: every change goes through the services the API calls.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from smartcustoms.accounts.model import Principal
from smartcustoms.db.uow import UnitOfWork
from smartcustoms.declarations import service as declarations
from smartcustoms.errors import Conflict, NotFound
from smartcustoms.risk import registry, service, training
from smartcustoms.risk.ml.budget import Lane, LaneBudget, LanePolicy
from smartcustoms.risk.ml.evaluation import CURVE_RATES, precision_at, recall_at
from smartcustoms.risk.ml.explain import contributions
from smartcustoms.risk.ml.lanes import policy_from_dict
from smartcustoms.risk.model import DriftReport, ModelInfo
from smartcustoms.risk.registry import CalibrationSample
from smartcustoms.risk.repository import RiskRepository
from smartcustoms.risk.source import declaration_records

__all__ = [
    "BudgetPreview",
    "LaneWaterfall",
    "ModelEvaluation",
    "ScoreDistribution",
    "drift_view",
    "lane_waterfall",
    "logit",
    "model_evaluation",
    "preview_budget",
    "score_distribution",
    "sigmoid",
]

log = logging.getLogger("smartcustoms.risk.workbench")
_METRIC = re.compile(r"^(precision|recall|critical_caught)@([0-9.]+)%$")
TOP_FEATURES = 15
MIN_LABELS = 20


@dataclass(frozen=True, slots=True)
class ModelEvaluation:
    info: ModelInfo
    curve_source: str
    """"holdout" (the calibration period's inspected declarations) or "metrics"."""
    rates: list[float]
    precision: list[float | None]
    recall: list[float | None]
    critical_rates: list[float]
    critical_caught: list[float | None]
    importance: list[tuple[str, float]]
    """(feature, share of the total gain), largest first."""
    roc_auc: float | None


def _finite(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def model_evaluation(uow: UnitOfWork, principal: Principal, version: str) -> ModelEvaluation:
    info = registry.get_model(uow, principal, version)  # 404 for another economy's model
    valid = info.metrics.get("valid") or {}
    points: dict[str, dict[float, float | None]] = {}
    for key, value in valid.items():
        found = _METRIC.match(str(key))
        if found:
            points.setdefault(found[1], {})[float(found[2]) / 100] = _finite(value)
    critical = sorted(points.get("critical_caught", {}).items())
    rates = sorted(points.get("precision", {}))
    precision = [points["precision"][r] for r in rates]
    recall = [points.get("recall", {}).get(r) for r in rates]
    source = "metrics"
    importance: list[tuple[str, float]] = []
    try:
        sample = CalibrationSample.load(info.directory)
        labelled = ~np.isnan(sample.fraud)
        y = sample.fraud[labelled]
        if labelled.sum() >= MIN_LABELS and 0 < y.sum() < len(y):
            scores = sample.scores[labelled]
            rates = list(CURVE_RATES)
            precision = [precision_at(y, scores, r) for r in rates]
            recall = [recall_at(y, scores, r) for r in rates]
            source = "holdout"
        model = registry.load_model(uow, info.directory)
        gain = np.asarray(model.fraud_booster_.feature_importance(importance_type="gain"))
        total = float(gain.sum())
        if total > 0:
            names = [str(n) for n in model.feature_names_in_]
            order = np.argsort(-gain, kind="stable")[:TOP_FEATURES]
            importance = [(names[k], float(gain[k]) / total) for k in order if gain[k] > 0]
    except Exception:
        log.warning("model %s: evaluation files unreadable", info.version, exc_info=True)
    return ModelEvaluation(
        info=info,
        curve_source=source,
        rates=rates,
        precision=precision,
        recall=recall,
        critical_rates=[r for r, _ in critical],
        critical_caught=[v for _, v in critical],
        importance=importance,
        roc_auc=_finite(valid.get("roc_auc")),
    )


# --- budget preview ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BudgetPreview:
    budget: LaneBudget
    current: dict[str, Any] | None
    """The active model's thresholds now (None without an active model)."""
    proposed: dict[str, Any] | None
    """The thresholds this budget would give (None without an active model)."""
    shares: dict[str, float] = field(default_factory=dict)
    """Expected lane shares on the calibration sample: green, yellow, red (incl. exploration)."""
    sample_size: int = 0


def preview_budget(uow: UnitOfWork, principal: Principal, budget: LaneBudget) -> BudgetPreview:
    """Calibrate ``budget`` on the active model's sample without storing anything."""
    principal.require(*service.READERS)
    active = registry.active_info(uow, principal.economy)
    if active is None:
        return BudgetPreview(budget, None, None)
    sample = CalibrationSample.load(active.directory)
    aeo = service.aeo_ids(uow, principal.economy)
    proposed = registry.calibrate(sample, budget, aeo)
    policy = policy_from_dict(proposed)
    scored = LanePolicy(policy.regular, policy.aeo, 0.0)
    trusted = np.isin(sample.traders.astype(str), list(aeo)) if aeo else None
    lanes = scored.assign(sample.scores, trusted)
    n = max(1, len(lanes))
    green, yellow, red = ((lanes == lane).sum() / n for lane in Lane)
    # Exploration sends its share of what is not red already to red; the exploit strategy
    # explores nothing (risk.ml.lanes draws no one under it).
    rate = 0.0 if budget.strategy == "exploit" else budget.exploration
    explored = rate * (green + yellow)
    shares = {
        "green": float(green * (1 - rate)),
        "yellow": float(yellow * (1 - rate)),
        "red": float(red + explored),
    }
    return BudgetPreview(budget, active.thresholds, proposed, shares, len(sample.scores))


# --- drift ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ScoreDistribution:
    model_version: str
    edges: list[float]
    reference: list[float]
    """Share of the reference (training calibration) period's declarations per bin."""
    recent: list[float]
    """Share of the declarations lodged after the training period per bin."""
    latest_week: list[float]
    latest_week_start: str | None
    reference_size: int
    recent_size: int


def _shares(values: np.ndarray, edges: np.ndarray) -> list[float]:
    if len(values) == 0:
        return [0.0] * (len(edges) - 1)
    counts, _ = np.histogram(np.clip(values, edges[0], edges[-1]), bins=edges)
    return [float(c) / len(values) for c in counts]


def drift_view(
    uow: UnitOfWork,
    principal: Principal,
    *,
    since: date | None = None,
    until: date | None = None,
) -> tuple[DriftReport, ScoreDistribution]:
    """The drift report (as the API gives it) and the score distribution, scoring once."""
    scored = training.scores_since_training(uow, principal, since=since, until=until)
    return training.drift_of(principal.economy, *scored), score_distribution(*scored)


def score_distribution(
    active: ModelInfo,
    reference: CalibrationSample,
    frame: pd.DataFrame,
    scores: np.ndarray,
    bins: int = 10,
) -> ScoreDistribution:
    """Score shares per bin: training reference, everything since, the latest week."""
    # Deciles of the reference: each bin holds a tenth of it, so shifts show as uneven bars.
    qs = np.quantile(reference.scores, np.linspace(0, 1, bins + 1)) if len(reference.scores) else []
    edges = np.unique(np.concatenate([[0.0], np.asarray(qs)[1:-1], [1.0]]))
    latest: list[float] = [0.0] * (len(edges) - 1)
    week_start = None
    if len(frame):
        days = frame["date"].to_numpy(dtype="datetime64[D]")
        week = (days.astype(np.int64) + 3) // 7
        last = int(week.max())
        latest = _shares(scores[week == last], edges)
        week_start = str(np.datetime64(last * 7 - 3, "D"))
    return ScoreDistribution(
        active.version,
        [float(e) for e in edges],
        _shares(reference.scores, edges),
        _shares(scores, edges),
        latest,
        week_start,
        len(reference.scores),
        len(scores),
    )


# --- one declaration's lane ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LaneWaterfall:
    declaration_id: str
    reference: str
    lane: str | None
    stored_score: float | None
    model_version: str | None
    base: float | None
    """The model's base value (log-odds); None when no model explains this lane."""
    steps: list[tuple[str, float]]
    """(sentence, contribution in log-odds), largest effect first."""
    score: float | None
    """The fraud probability for this declaration now: the model's, then the fired rules'
    ``score_add`` (the score the thresholds compare, as at routing)."""
    thresholds: dict[str, float]
    """Lane thresholds of the declaration's trader (probabilities): yellow, red."""
    rules_fired: list[str]
    reasons: list[str]
    note: str = ""


def sigmoid(x: float) -> float:
    """The probability of log-odds ``x`` (no overflow at either end)."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def logit(p: float) -> float:
    """Log-odds of a probability (the waterfall's scale), clipped away from 0 and 1."""
    p = min(max(p, 1e-9), 1 - 1e-9)
    return math.log(p / (1 - p))


def _score_adds(uow: UnitOfWork, economy: str, fired: Sequence[str]) -> list[tuple[str, float]]:
    """(tag, score_add) of the fired rules (``name@vN``) whose fired version adds to the score."""
    wanted = dict(t.rsplit("@v", 1) for t in fired if "@v" in t and not t.startswith("random:"))
    if not wanted:
        return []
    out: list[tuple[str, float]] = []
    with uow:
        repo = uow.repo(RiskRepository)
        for row in repo.rules(economy):
            number = wanted.get(row.name, "")
            version = repo.rule_version(row.id, int(number)) if number.isdigit() else None
            if version is None:
                continue
            add = (version.definition.get("action") or {}).get("score_add") or 0.0
            if isinstance(add, int | float) and add:
                out.append((f"{row.name}@v{number}", float(add)))
    order = {t: n for n, t in enumerate(fired)}
    return sorted(out, key=lambda p: order.get(p[0], 0))


def lane_waterfall(
    uow: UnitOfWork, principal: Principal, declaration_id: str, *, top: int = 8
) -> LaneWaterfall:
    """The declaration's fraud score as base + contributions, recomputed with the model that
    routed it (or the active one when that model is gone); thresholds in force for its trader."""
    principal.require(*service.READERS)
    record = declarations.get(uow, principal, declaration_id)  # 404 outside the economy
    common: dict[str, Any] = {
        "declaration_id": record.id,
        "reference": record.declaration.reference,
        "lane": record.lane.value if record.lane else None,
        "stored_score": record.lane_score,
        "rules_fired": list(record.lane_rules_fired),
        "reasons": list(record.lane_reasons),
    }
    info = None
    if record.lane_model_version:
        try:
            info = registry.get_model(uow, principal, record.lane_model_version)
        except NotFound:  # a model removed since: fall back to the active one
            info = None
    note = ""
    if info is None:
        info = registry.active_info(uow, principal.economy)
        if info is not None and record.lane_model_version != info.version:
            note = f"explained with the active model {info.version}"
    if info is None:
        return LaneWaterfall(
            **common,
            model_version=None,
            base=None,
            steps=[],
            score=None,
            thresholds={},
            note="no risk model scored this declaration: its lane came from rules and the budget",
        )
    try:
        model = registry.load_model(uow, info.directory)
    except (OSError, ValueError) as exc:
        raise Conflict(f"the model {info.version} cannot be loaded: {exc}") from exc
    d = record.declaration
    frame = pd.DataFrame(declaration_records(d, record.id, record.declaration_date)[:1])
    base, reasons = contributions(model, frame, d.invoice_currency)
    steps = [(r.text, r.contribution) for r in reasons[:top]]
    rest = reasons[top:]
    if rest:
        steps.append((f"{len(rest)} other features", float(sum(r.contribution for r in rest))))
    score = sigmoid(base + sum(r.contribution for r in reasons))
    # Rules add to the probability, not the log-odds (risk/ml/lanes.decide); shown on the
    # waterfall's log-odds scale as the step each one makes, so the bars end at the score the
    # thresholds compared.
    for tag, add in _score_adds(uow, principal.economy, record.lane_rules_fired):
        after = min(max(score + add, 0.0), 1.0)
        steps.append((f"rule {tag}: fraud score {add:+g}", logit(after) - logit(score)))
        score = after
    trader = (d.importer.id if d.importer else "") or (d.exporter.id if d.exporter else "")
    thresholds: dict[str, float] = {}
    if info.thresholds:
        group = "aeo" if trader and trader in service.aeo_ids(uow, principal.economy) else "regular"
        for lane in ("yellow", "red"):
            value = (info.thresholds.get(group) or {}).get(lane)
            if isinstance(value, int | float) and math.isfinite(value):
                thresholds[lane] = float(value)
    return LaneWaterfall(
        **common,
        model_version=info.version,
        base=base,
        steps=steps,
        score=score,
        thresholds=thresholds,
        note=note,
    )
