"""The online inspection simulator: how targeting learns when only inspected goods get labels.

The protocol follows the published customs-selection simulations (DATE / "Take a Chance",
Mavrogiorgos et al. and Kim et al.; see ``docs/risk-online.md``):

1. the first ``initial_days`` of declarations form a fully labelled starting history;
2. then, period by period (a week by default): train on the history, score the period's
   declarations, select the budgeted share with the chosen strategy, reveal labels **only for
   the selected declarations**, add the whole period to the history with every unselected
   declaration unlabelled (it still counts as a lodgement), repeat to the end of the data;
3. per period: precision (frauds found / inspected), recall, critical-fraud recall, and the same
   normalised by the best possible selection of that size.

A *full-information* run beside it trains each week on every label of the history (the upper
bound: a model that saw every outcome) and selects its top scores. Deterministic given ``seed``.
Database-free: it works on the declaration frame of :mod:`smartcustoms.risk.ml.frame`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from smartcustoms.risk.ml.features import FeatureBuilder
from smartcustoms.risk.ml.frame import CRITICAL_CODE, CRITICAL_FRAUD, DATE, FRAUD
from smartcustoms.risk.ml.online.bandit import DEFAULT_ARMS, DiscountedUCB
from smartcustoms.risk.ml.online.strategies import STRATEGIES, Selection, select

__all__ = [
    "SCHEDULES",
    "OnlineConfig",
    "SimulationResult",
    "WeekResult",
    "inspection_rate",
    "result_document",
    "simulate",
    "summarize_weeks",
]

SCHEDULES: tuple[str, ...] = ("constant", "decay")
LAST_WEEKS = 13  # the summary window of the published results (a quarter of weekly episodes)
FULL_INFORMATION = "full-information"


@dataclass(frozen=True, slots=True)
class OnlineConfig:
    """Everything that defines one simulation run (recorded with its result)."""

    rate: float = 0.10  # share of each period's declarations inspected (the budget)
    strategy: str = "adaptive"
    share: float = 0.10  # exploration share of the budget (random / diverse)
    schedule: str = "constant"  # or "decay": 100% inspected at first, -10 pp a period to `rate`
    initial_days: int = 30
    period_days: int = 7
    exact_values: bool = True  # the exact-value history features (see risk docs: an artefact)
    ipw: bool = False  # weight labels by 1 / inclusion probability when training
    seed: int = 0
    n_estimators: int = 150
    learning_rate: float = 0.1
    num_leaves: int = 31
    num_threads: int = 1

    def __post_init__(self) -> None:
        problems = []
        if not 0.0 < self.rate <= 1.0:
            problems.append("rate must be in (0, 1]")
        if not 0.0 <= self.share <= 1.0:
            problems.append("share must be in [0, 1]")
        if self.strategy not in (*STRATEGIES, FULL_INFORMATION):
            problems.append(f"strategy must be one of {', '.join(STRATEGIES)}")
        if self.schedule not in SCHEDULES:
            problems.append(f"schedule must be one of {', '.join(SCHEDULES)}")
        if self.initial_days < 1 or self.period_days < 1:
            problems.append("initial_days and period_days must be at least 1")
        if problems:
            raise ValueError("; ".join(problems))


@dataclass(frozen=True, slots=True)
class WeekResult:
    """One period of the simulation."""

    period: int
    start: str
    declarations: int
    inspected: int
    explored: int
    exploration_share: float
    frauds: int
    frauds_found: int
    critical: int
    critical_found: int
    precision: float
    recall: float
    critical_recall: float
    upper_bound_precision: float
    normalized_precision: float
    labelled_history: int


@dataclass
class SimulationResult:
    config: OnlineConfig
    weeks: list[WeekResult] = field(default_factory=list)

    def summary(self, last: int = LAST_WEEKS) -> dict[str, float]:
        return summarize_weeks(self.weeks, last)

    def to_dict(self) -> dict[str, Any]:
        return {
            "config": asdict(self.config),
            "weeks": [asdict(w) for w in self.weeks],
            "summary": self.summary(),
        }


def summarize_weeks(weeks: list[WeekResult], last: int = LAST_WEEKS) -> dict[str, float]:
    """Mean weekly figures over the last ``last`` periods (and over all periods)."""
    tail = weeks[-last:] if weeks else []

    def mean(rows: list[WeekResult], name: str) -> float:
        values = [getattr(w, name) for w in rows]
        return float(np.mean(values)) if values else float("nan")

    return {
        "weeks": float(len(weeks)),
        "last_weeks": float(len(tail)),
        "precision": mean(tail, "precision"),
        "recall": mean(tail, "recall"),
        "critical_recall": mean(tail, "critical_recall"),
        "normalized_precision": mean(tail, "normalized_precision"),
        "exploration_share": mean(tail, "exploration_share"),
        "precision_all_weeks": mean(weeks, "precision"),
    }


def inspection_rate(config: OnlineConfig, period: int) -> float:
    """The budgeted share for ``period`` (0-based) under the run's schedule."""
    if config.schedule == "decay":
        return max(config.rate, 1.0 - 0.1 * period)
    return config.rate


def _periods(dates: pd.Series, start: pd.Timestamp, days: int) -> np.ndarray:
    """Period number of each row counted from ``start`` (negative before it)."""
    delta = (dates - start).dt.days.to_numpy()
    return np.floor_divide(delta, days)


def _train(
    history: pd.DataFrame, weights: np.ndarray, config: OnlineConfig
) -> tuple[FeatureBuilder, Any]:
    import lightgbm as lgb

    builder = FeatureBuilder(exact_values=config.exact_values)
    features = builder.fit_transform(history)
    labels = pd.to_numeric(history[FRAUD], errors="coerce").to_numpy(dtype=np.float64)
    known = np.isfinite(labels)
    params = {
        "objective": "binary",
        "learning_rate": config.learning_rate,
        "num_leaves": config.num_leaves,
        "min_data_in_leaf": 20,
        "bagging_fraction": 0.8,
        "bagging_freq": 1,
        "feature_fraction": 0.8,
        "num_threads": config.num_threads,
        "seed": config.seed,
        "deterministic": True,
        "verbose": -1,
    }
    data = lgb.Dataset(
        features[known],
        labels[known],
        weight=weights[known],
        feature_name=builder.feature_names,
        free_raw_data=True,
    )
    return builder, lgb.train(params, data, num_boost_round=config.n_estimators)


def simulate(
    frame: pd.DataFrame,
    config: OnlineConfig,
    progress: Callable[[int, int], None] | None = None,
    on_select: Callable[[np.ndarray], None] | None = None,
) -> SimulationResult:
    """Run the protocol on a labelled declaration frame.

    ``on_select`` receives the declaration ids inspected each period (tests use it to prove that
    no other label is ever read).
    """
    frame = frame.sort_values(DATE, kind="stable").reset_index(drop=True)
    true_fraud = pd.to_numeric(frame[FRAUD], errors="coerce").to_numpy(dtype=np.float64)
    if not np.isfinite(true_fraud).all():
        raise ValueError("the simulation needs every declaration's label (it reveals them)")
    true_critical = frame[CRITICAL_FRAUD].to_numpy() == CRITICAL_CODE
    start = frame[DATE].min().normalize() + pd.Timedelta(days=config.initial_days)
    period_of = _periods(frame[DATE], start, config.period_days)
    n_periods = int(period_of.max()) + 1 if len(frame) else 0
    full_information = config.strategy == FULL_INFORMATION

    # The history as the administration knows it: labels only where inspected.
    known = np.where(period_of < 0, true_fraud, np.nan)
    known_critical = np.where(period_of < 0, frame[CRITICAL_FRAUD].to_numpy(), np.nan)
    sample_weight = np.ones(len(frame))
    rng = np.random.default_rng(config.seed)
    bandit = DiscountedUCB(arms=DEFAULT_ARMS, seed=config.seed)
    importer = frame["importer_id"].to_numpy(dtype=object)
    hs4 = frame["hs_code"].astype(str).str[:4].to_numpy(dtype=object)
    result = SimulationResult(config)
    for period in range(n_periods):
        rows = np.flatnonzero(period_of == period)
        if progress:
            progress(period, n_periods)
        if len(rows) == 0:
            continue
        past = period_of < period
        history = frame.loc[past].copy()
        history[FRAUD] = known[past]
        history[CRITICAL_FRAUD] = known_critical[past]
        builder, booster = _train(history, sample_weight[past], config)
        batch = frame.iloc[rows]
        scores = np.asarray(
            booster.predict(builder.transform(batch), num_threads=config.num_threads)
        )
        k = math.floor(len(rows) * inspection_rate(config, period))
        arm = None
        if config.strategy == "adaptive":
            arm = bandit.choose()
            share = DEFAULT_ARMS[arm]
            strategy = "diverse"
        elif full_information:
            share, strategy = 0.0, "exploit"
        else:
            share, strategy = config.share, config.strategy
        selection: Selection = select(
            scores, k, strategy, share, rng, groups=(importer[rows], hs4[rows])
        )
        chosen = rows[selection.rows]
        if on_select is not None:
            on_select(frame["declaration_id"].to_numpy()[chosen])
        found = int(true_fraud[chosen].sum())
        frauds = int(true_fraud[rows].sum())
        critical = int(true_critical[rows].sum())
        critical_found = int(true_critical[chosen].sum())
        precision = found / k if k else 0.0
        upper = min(frauds / k, 1.0) if k else 0.0
        if arm is not None:
            bandit.update(arm, precision)
        # Reveal: the inspected rows get their labels; the rest of the period stays unlabelled
        # (the full-information bound sees every label).
        revealed = rows if full_information else chosen
        known[revealed] = true_fraud[revealed]
        known_critical[revealed] = frame[CRITICAL_FRAUD].to_numpy()[revealed]
        if config.ipw and not full_information:
            sample_weight[chosen] = 1.0 / selection.propensity
        result.weeks.append(
            WeekResult(
                period=period,
                start=str((start + pd.Timedelta(days=period * config.period_days)).date()),
                declarations=len(rows),
                inspected=k,
                explored=int(selection.explored.sum()),
                exploration_share=float(selection.share),
                frauds=frauds,
                frauds_found=found,
                critical=critical,
                critical_found=critical_found,
                precision=precision,
                recall=found / frauds if frauds else 0.0,
                critical_recall=critical_found / critical if critical else 0.0,
                upper_bound_precision=upper,
                normalized_precision=precision / upper if upper else 0.0,
                labelled_history=int(np.isfinite(known[past]).sum()),
            )
        )
    if progress:
        progress(n_periods, n_periods)
    return result


def compare_to_full_information(
    result: SimulationResult, full: SimulationResult, last: int = LAST_WEEKS
) -> dict[str, float]:
    """Ratios of a run's last-weeks means to the full-information run's."""
    mine, best = result.summary(last), full.summary(last)

    def ratio(name: str) -> float:
        return mine[name] / best[name] if best[name] else float("nan")

    return {
        "precision_ratio_to_full_information": ratio("precision"),
        "critical_recall_ratio_to_full_information": ratio("critical_recall"),
    }


def result_document(result: SimulationResult, full: SimulationResult) -> dict[str, Any]:
    """The run's configuration, weekly rows and summary (with its ratios to the bound), beside
    the full-information run's summary and weekly precision: what the CLI prints as JSON."""
    return {
        "config": asdict(result.config),
        "weeks": [asdict(w) for w in result.weeks],
        "summary": result.summary() | compare_to_full_information(result, full),
        "full_information": full.summary(),
        "full_information_weeks": [w.precision for w in full.weeks],
    }


def full_information_config(config: OnlineConfig) -> OnlineConfig:
    return replace(config, strategy=FULL_INFORMATION, ipw=False)


def weeks_frame(runs: Mapping[str, SimulationResult]) -> pd.DataFrame:
    """One row per (run, period): the CSV the CLI writes."""
    rows = [{"run": name, **asdict(w)} for name, run in runs.items() for w in run.weeks]
    return pd.DataFrame(rows)
