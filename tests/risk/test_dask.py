"""`risk train --dask` and `risk score-batch --dask` on a LocalCluster of two worker processes,
against the single-machine path on the same files (slices of the real KCS splits).

Batch scoring must agree exactly: each row is scored against the model's history alone, so where
it runs cannot change its score. Training cannot agree bit for bit: distributed LightGBM agrees
the histograms' bin boundaries from each worker's own sample and draws bagging per worker, so the
trees differ a little. Tolerances, from runs on these slices (measured: correlation 0.997, mean
absolute difference 0.011 and 96.6% identical lanes on the full splits): the two models' fraud
scores on the test slice correlate at >= 0.97 with a mean absolute difference <= 0.05, the budget
gives >= 90% of declarations the same lane, and precision at 5% differs by <= 0.05. Looser than
the measured figures because the slices are small (a few hundred frauds); tight enough that a
broken distributed path (one round, wrong rows, labels misaligned) fails every one of them.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from smartcustoms.cli.risk import app
from smartcustoms.risk.ml.evaluation import evaluate_scores
from smartcustoms.risk.ml.frame import read_frame

DATA = os.environ.get("SMARTCUSTOMS_DATA_DIR")
pytestmark = pytest.mark.skipif(not DATA, reason="SMARTCUSTOMS_DATA_DIR is not set")
TREES = "150"


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = Path(str(DATA)) / "customs-declarations"
    out = tmp_path_factory.mktemp("kcs")
    paths = {}
    for split, rows in {"train": 12000, "valid": 3000, "test": 3000}.items():
        frame = pd.read_csv(base / f"df_syn_{split}_eng.csv", nrows=rows, dtype=str)
        paths[split] = out / f"{split}.csv"
        frame.to_csv(paths[split], index=False)
    return paths


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    import distributed

    api: Any = distributed  # untyped
    with api.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        yield str(cluster.scheduler_address)


def _cli(*args: str) -> dict[str, Any]:
    result = CliRunner().invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    doc: dict[str, Any] = json.loads(result.stdout)
    return doc


def _train(files: dict[str, Path], out: Path, *extra: str) -> dict[str, Any]:
    return _cli(
        "train",
        "--from-file",
        str(files["train"]),
        "--valid",
        str(files["valid"]),
        "--trees",
        TREES,
        "--out",
        str(out),
        *extra,
    )


def _score(files: dict[str, Path], model: Path, out: Path, *extra: str) -> pd.DataFrame:
    doc = _cli("score-batch", str(files["test"]), "--model", str(model), "--out", str(out), *extra)
    assert doc["rows"] == 3000
    return pd.read_csv(out, dtype={"declaration_id": str})


def test_dask_training_and_batch_scoring_agree_with_one_machine(
    files: dict[str, Path], scheduler: str, tmp_path: Path
) -> None:
    local_meta = _train(files, tmp_path / "local")
    dask_meta = _train(files, tmp_path / "dask", "--dask", scheduler)
    assert dask_meta["features"] == local_meta["features"]
    assert dask_meta["training_rows"] == local_meta["training_rows"]
    # Early stopping emulated on the cluster: a tuned round count, not the maximum or one.
    assert 1 < dask_meta["best_iterations"]["fraud"] < int(TREES) * 2

    # Batch scoring: the cluster gives exactly the single-machine scores and lanes.
    single = _score(files, tmp_path / "local", tmp_path / "single.csv")
    spread = _score(files, tmp_path / "local", tmp_path / "spread.csv", "--dask", scheduler)
    assert list(spread["declaration_id"]) == list(single["declaration_id"])
    np.testing.assert_allclose(spread["fraud_score"], single["fraud_score"], rtol=0, atol=1e-7)
    np.testing.assert_allclose(
        spread["critical_score"], single["critical_score"], rtol=0, atol=1e-7
    )
    assert list(spread["lane"]) == list(single["lane"])
    assert (single["lane"] == "red").sum() == 90  # 3% of 3,000 (no ties at the threshold)

    # Training: the Dask-trained model scores close to the single-machine one.
    other = _score(files, tmp_path / "dask", tmp_path / "other.csv")
    a, b = single["fraud_score"].to_numpy(), other["fraud_score"].to_numpy()
    assert np.corrcoef(a, b)[0, 1] >= 0.97
    assert np.abs(a - b).mean() <= 0.05
    assert (single["lane"] == other["lane"]).mean() >= 0.90
    labels = read_frame(files["test"])["fraud"].to_numpy()
    p_single = evaluate_scores(labels, a)["precision@5%"]
    p_dask = evaluate_scores(labels, b)["precision@5%"]
    assert abs(p_single - p_dask) <= 0.05, (p_single, p_dask)


def test_score_batch_refuses_bad_input(files: dict[str, Path], tmp_path: Path) -> None:
    runner = CliRunner()
    missing = runner.invoke(
        app,
        [
            "score-batch",
            str(files["test"]),
            "--model",
            str(tmp_path / "nope"),
            "--out",
            str(tmp_path / "o.csv"),
            "--json",
        ],
    )
    assert missing.exit_code == 2, missing.output
    budget = runner.invoke(
        app,
        [
            "score-batch",
            str(files["test"]),
            "--model",
            str(tmp_path),
            "--out",
            "o.csv",
            "--red",
            "0.6",
            "--yellow",
            "0.6",
            "--json",
        ],
    )
    assert budget.exit_code == 2, budget.output
