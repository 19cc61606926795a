"""The production lane selector runs the simulator's strategies one declaration at a time and
records each declaration's propensity; labels weighted by it estimate the fraud rate without
bias (checked here on simulated declarations where the truth is known)."""

from __future__ import annotations

import numpy as np
import pytest

from smartcustoms.risk.ml.budget import SELECTION_STRATEGIES, LaneBudget, LanePolicy
from smartcustoms.risk.ml.lanes import (
    decide,
    exploration_probability,
    policy_from_dict,
    policy_to_dict,
)
from smartcustoms.risk.ml.online.ipw import estimate_fraud_rate
from smartcustoms.risk.rules import ActiveRule, parse_definition


def _population(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Fraud labels and model scores that see them imperfectly (frauds score higher)."""
    rng = np.random.default_rng(seed)
    risk = rng.beta(1.0, 9.0, n)  # the true fraud probability, mean 10%
    fraud = (rng.random(n) < risk).astype(np.float64)
    score = np.clip(risk + rng.normal(0.0, 0.05, n), 0.0, 1.0)
    return fraud, score


def _policy(scores: np.ndarray, budget: LaneBudget) -> LanePolicy:
    return LanePolicy.calibrate(scores, budget)


@pytest.mark.parametrize("strategy", SELECTION_STRATEGIES)
def test_same_decision_alone_and_in_a_batch(strategy: str) -> None:
    _, scores = _population(600, 1)
    budget = LaneBudget(red=0.05, yellow=0.05, exploration=0.03, strategy=strategy)
    policy = _policy(scores, budget)
    ids = [f"D{i:05d}" for i in range(len(scores))]
    rule = ActiveRule(
        "r9",
        1,
        parse_definition(
            {"name": "check", "conditions": {"min_value": 0}, "action": {"random_check": 0.1}}
        ),
    )
    fired = (np.arange(len(scores)) % 7 == 0).reshape(-1, 1)
    batch = decide(ids, scores, fired, [rule], policy, budget)
    for i in range(len(ids)):
        one = decide([ids[i]], scores[i : i + 1], fired[i : i + 1], [rule], policy, budget)
        assert one.lanes[0] == batch.lanes[i]
        assert one.propensity[0] == batch.propensity[i]
        assert one.explored[0] == batch.explored[i]
    if strategy == "exploit":
        assert not batch.explored.any()
    else:
        assert batch.explored.any()
    # Certain controls have propensity 1; the others the chance of their draws.
    certain = scores >= policy.regular.yellow
    assert (batch.propensity[certain] == 1.0).all()
    assert (batch.propensity[~certain] < 1.0).all()
    # Random rule checks raise the chance of the rows the rule fires on.
    lower = ~certain & ~fired[:, 0]
    raised = ~certain & fired[:, 0]
    expected = 1 - (1 - batch.exploration[raised]) * 0.9
    assert np.allclose(batch.propensity[raised], expected)
    assert np.allclose(batch.propensity[lower], batch.exploration[lower])


def test_diverse_draws_follow_uncertainty_and_hold_the_share() -> None:
    _, scores = _population(20_000, 2)
    budget = LaneBudget(red=0.05, yellow=0.05, exploration=0.02, strategy="diverse")
    policy = _policy(scores, budget)
    assert policy.uncertainty > 0
    assert policy_from_dict(policy_to_dict(policy)) == policy
    q = exploration_probability(scores, "diverse", budget.exploration, policy.uncertainty)
    assert q[np.argmin(np.abs(scores - 0.5))] > q[np.argmin(scores)]  # uncertain first
    assert abs(q.mean() - budget.exploration) < 0.002  # the share holds on average
    uniform = exploration_probability(scores, "random", budget.exploration, policy.uncertainty)
    assert np.allclose(uniform, budget.exploration)
    assert not exploration_probability(scores, "exploit", 0.02, policy.uncertainty).any()


@pytest.mark.parametrize("strategy", ["random", "diverse"])
def test_ipw_estimate_of_the_fraud_rate_is_unbiased(strategy: str) -> None:
    """Replay the same declarations many times with fresh draws (new declaration ids): the
    inverse propensity weighted estimate centres on the true fraud rate, the hit rate of
    controls does not."""
    fraud, scores = _population(3000, 3)
    truth = float(fraud.mean())
    budget = LaneBudget(red=0.05, yellow=0.03, exploration=0.03, strategy=strategy)
    policy = _policy(scores, budget)
    fired = np.zeros((len(scores), 0), bool)
    estimates, hajek, hit_rates, covered = [], [], [], 0
    for rep in range(150):
        ids = [f"R{rep}-{i}" for i in range(len(scores))]
        d = decide(ids, scores, fired, [], policy, budget)
        controlled = d.lanes >= 1
        observed = np.where(controlled, fraud, np.nan)  # labels only for controls
        e = estimate_fraud_rate(d.propensity, controlled, observed, d.explored)
        assert e.horvitz_thompson is not None and e.horvitz_thompson_se is not None
        assert e.hajek is not None and e.hit_rate is not None
        estimates.append(e.horvitz_thompson)
        hajek.append(e.hajek)
        hit_rates.append(e.hit_rate)
        covered += abs(e.horvitz_thompson - truth) <= 1.96 * e.horvitz_thompson_se
    mean, spread = float(np.mean(estimates)), float(np.std(estimates) / np.sqrt(len(estimates)))
    assert abs(mean - truth) < 3 * spread + 1e-4, (mean, truth, spread)
    assert abs(float(np.mean(hajek)) - truth) < 0.01
    assert float(np.mean(hit_rates)) > 2 * truth  # the naive figure is far off
    assert covered / len(estimates) > 0.85  # the standard error is honest


def test_exploit_only_cannot_be_estimated_for_what_it_never_looks_at() -> None:
    fraud, scores = _population(2000, 4)
    budget = LaneBudget(red=0.05, yellow=0.05, exploration=0.0, strategy="exploit")
    d = decide(
        [f"X{i}" for i in range(2000)],
        scores,
        np.zeros((2000, 0), bool),
        [],
        _policy(scores, budget),
        budget,
    )
    e = estimate_fraud_rate(d.propensity, d.lanes >= 1, np.where(d.lanes >= 1, fraud, np.nan))
    assert e.unreachable == int((d.lanes == 0).sum()) > 0


def test_no_model_lanes_are_a_uniform_sample() -> None:
    fraud, _ = _population(4000, 5)
    budget = LaneBudget(red=0.05, yellow=0.05, exploration=0.0)
    d = decide([f"N{i}" for i in range(4000)], None, np.zeros((4000, 0), bool), [], None, budget)
    assert np.allclose(d.propensity, 0.10)
    e = estimate_fraud_rate(d.propensity, d.lanes >= 1, np.where(d.lanes >= 1, fraud, np.nan))
    assert e.horvitz_thompson is not None and e.horvitz_thompson_se is not None
    assert abs(e.horvitz_thompson - fraud.mean()) < 4 * e.horvitz_thompson_se
