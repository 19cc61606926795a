"""Explanations name real features and quote the real numbers behind them."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from smartcustoms.risk.ml.estimator import RiskModel
from smartcustoms.risk.ml.explain import explain


def test_explanations_name_real_features_with_real_counts(frame: pd.DataFrame) -> None:
    cut = frame["date"].max()
    train = frame[frame["date"] < cut].reset_index(drop=True)
    model = RiskModel(n_estimators=40, num_leaves=7, min_child_samples=5).fit(train)
    new = frame[frame["importer_id"] == "BAD"].tail(1).copy()
    new["date"] = cut + pd.Timedelta(days=1)
    reasons = explain(model, new.reset_index(drop=True), top=3)[0]
    assert 1 <= len(reasons) <= 3
    names = set(model.feature_names_in_)
    assert all(r.feature in names for r in reasons)
    texts = " | ".join(r.text for r in reasons)
    assert "importer" in texts
    # The importer's history as the model saw it: every one of its declarations was fraud.
    inspected = int((train["importer_id"] == "BAD").sum())
    sentence = next(r.text for r in reasons if r.feature == "te_importer")
    assert sentence == f"importer's past fraud rate 100% ({inspected} of {inspected} inspected)"
    assert reasons[0].contribution > 0


def test_unit_value_sentence_quotes_the_hs_norm(frame: pd.DataFrame) -> None:
    model = RiskModel(n_estimators=20, num_leaves=7, min_child_samples=5).fit(frame)
    new = frame.tail(20).copy()
    new["date"] = frame["date"].max() + pd.Timedelta(days=1)
    every = explain(model, new.reset_index(drop=True), top=len(model.feature_names_in_))
    texts = [r.text for reasons in every for r in reasons if r.feature.endswith("unit_value")]
    assert texts
    pattern = r"unit value (\d+% (below|above)|[\d.]+ times|in line with) the HS \d{6} norm"
    assert all(re.search(pattern, t) for t in texts), texts


def test_declared_value_is_said_in_the_invoice_currency(frame: pd.DataFrame) -> None:
    # Issue 8: "value KRW 100" was written for a 100 USD invoice.
    model = RiskModel(n_estimators=20, num_leaves=7, min_child_samples=5).fit(frame)
    new = frame.tail(5).copy().reset_index(drop=True)
    new["date"] = frame["date"].max() + pd.Timedelta(days=1)
    new["item_value"] = 100.0
    top = len(model.feature_names_in_)
    said = explain(model, new, top=top, batch_history=False, currencies=["USD"] * len(new))
    texts = [r.text for reasons in said for r in reasons if r.text.startswith("declared value")]
    assert texts and all(t.startswith("declared value USD 100") for t in texts), texts
    unsaid = explain(model, new, top=top, batch_history=False)
    texts = [r.text for reasons in unsaid for r in reasons if r.text.startswith("declared value")]
    assert texts and not any("KRW" in t for t in texts), texts


def test_contributions_add_up_to_the_score_a_waterfall_draws(frame: pd.DataFrame) -> None:
    import numpy as np

    from smartcustoms.risk.ml.explain import contributions

    model = RiskModel(n_estimators=20, num_leaves=7, min_child_samples=5).fit(frame)
    new = frame.tail(1).copy().reset_index(drop=True)
    new["date"] = frame["date"].max() + pd.Timedelta(days=1)
    base, reasons = contributions(model, new)
    score = float(model.predict_risk(new, batch_history=False).fraud[0])
    total = base + sum(r.contribution for r in reasons)
    assert 1 / (1 + np.exp(-total)) == pytest.approx(score, abs=1e-6)
    effects = [abs(r.contribution) for r in reasons]
    assert effects == sorted(effects, reverse=True)  # largest effect first
    assert all("nan" not in r.text for r in reasons)
