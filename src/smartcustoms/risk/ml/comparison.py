"""Train and compare risk models over several seeds (the evaluation report's figures).

Separate from :mod:`.evaluation` (pure metrics, used by the estimator itself) so that the
estimator and the metrics do not import each other.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from smartcustoms.risk.ml.baseline import BaselineModel
from smartcustoms.risk.ml.estimator import RiskModel
from smartcustoms.risk.ml.evaluation import evaluate_scores, precision_curve, summarize
from smartcustoms.risk.ml.frame import FRAUD, critical_target

__all__ = ["compare"]


def compare(
    train: Any,
    test: Any,
    valid: Any = None,
    seeds: int = 1,
    params: Mapping[str, Any] | None = None,
    baseline: bool = False,
    variants: Mapping[str, Mapping[str, Any]] | None = None,
    on_step: Any = None,
    include_model: bool = True,
) -> tuple[dict[str, dict[str, dict[str, float]]], dict[str, list[tuple[float, float]]]]:
    """Train each model with seeds ``0..seeds-1`` and score ``test``; returns summaries and the
    first seed's precision curve per model.

    ``variants`` adds RiskModel variants (name -> parameter overrides); ``baseline`` adds the
    paper's LightGBM and XGBoost pipeline trained on ``train`` only, as in the paper. ``on_step``
    is called with a short description after each fit (progress reporting).
    """
    y = test[FRAUD].to_numpy()
    crit = critical_target(test)
    specs: dict[str, Any] = {"risk model": dict(params or {})} if include_model else {}
    for name, overrides in (variants or {}).items():
        specs[name] = {**(params or {}), **overrides}
    results: dict[str, dict[str, dict[str, float]]] = {}
    curves: dict[str, list[tuple[float, float]]] = {}
    for name, spec in specs.items():
        runs = []
        for seed in range(seeds):
            model = RiskModel(**{**spec, "random_state": seed}).fit(train, valid=valid)
            scores = model.predict_proba(test)[:, 1]
            runs.append(evaluate_scores(y, scores, crit))
            curves.setdefault(name, precision_curve(y, scores))
            if on_step:
                on_step(f"{name} seed {seed}")
        results[name] = summarize(runs)
    if baseline:
        for kind, label in (("lightgbm", "paper LightGBM"), ("xgboost", "paper XGBoost")):
            runs = []
            for seed in range(seeds):
                base = BaselineModel(kind=kind, random_state=seed).fit(train)  # type: ignore[arg-type]
                scores = base.predict_proba(test)[:, 1]
                runs.append(evaluate_scores(y, scores, crit))
                curves.setdefault(label, precision_curve(y, scores))
                if on_step:
                    on_step(f"{label} seed {seed}")
            results[label] = summarize(runs)
    return results, curves
