"""Metrics on hand-computed examples; the report embeds its chart."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from smartcustoms.risk.ml.drift import psi, weekly_psi
from smartcustoms.risk.ml.evaluation import (
    evaluate_scores,
    precision_at,
    recall_at,
    summarize,
    write_report,
)

Y = np.array([1, 0, 1, 0, 0, 0, 0, 0, 1, 0])
S = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.0])


def test_precision_and_recall_by_hand() -> None:
    assert precision_at(Y, S, 0.1) == 1.0  # top 1 of 10: the fraud at 0.9
    assert precision_at(Y, S, 0.2) == 0.5
    assert precision_at(Y, S, 0.3) == pytest.approx(2 / 3)
    assert recall_at(Y, S, 0.3) == pytest.approx(2 / 3)
    assert recall_at(Y, S, 1.0) == 1.0
    assert precision_at(Y, S, 0.01) == 1.0  # at least one declaration is inspected


def test_evaluate_scores_keys_and_auc() -> None:
    critical = np.array([0, 0, 1, 0, 0, 0, 0, 0, 0, 0])
    m = evaluate_scores(Y, S, critical, rates=(0.1, 0.3))
    assert m["precision@10%"] == 1.0
    assert m["critical_caught@10%"] == 0.0
    assert m["critical_caught@30%"] == 1.0
    # Negatives ranked below each fraud: 0.9 -> 7, 0.7 -> 6, 0.1 -> 1; out of 3 * 7 pairs.
    assert m["roc_auc"] == pytest.approx(14 / 21)


def test_summarize_mean_std() -> None:
    s = summarize([{"p": 0.8}, {"p": 0.9}])
    assert s["p"]["mean"] == pytest.approx(0.85)
    assert s["p"]["std"] == pytest.approx(0.05)


@pytest.mark.parametrize("name", ["r.md", "r.html"])
def test_report_has_table_and_chart(tmp_path: Path, name: str) -> None:
    results = {"risk model": summarize([{"precision@5%": 0.9}, {"precision@5%": 0.92}])}
    curves = {"risk model": [(0.01, 1.0), (0.05, 0.91), (0.1, 0.85)]}
    text = write_report(tmp_path / name, results, curves).read_text()
    assert "0.910 ± 0.010" in text
    assert ("<svg" in text) if name.endswith("html") else ("data:image/svg+xml;base64," in text)


def test_psi() -> None:
    rng = np.random.default_rng(0)
    ref = rng.normal(0, 1, 50_000)
    assert psi(ref, rng.normal(0, 1, 50_000)) < 0.01
    assert psi(ref, rng.normal(1, 1, 50_000)) > 0.25
    dates = np.array(["2021-04-05", "2021-04-11", "2021-04-12"], dtype="datetime64[D]")
    weeks = weekly_psi(ref, np.array([0.0, 0.1, 3.0]), dates)
    assert [w.week_start for w in weeks] == ["2021-04-05", "2021-04-12"]  # Mondays
    assert [w.n for w in weeks] == [2, 1]
    assert weeks[1].status == "shifted"
