"""Train and evaluate on a slice of the real KCS declarations through the CLI (under ~30 s)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from smartcustoms.cli.risk import app
from smartcustoms.risk.ml.estimator import RiskModel
from smartcustoms.risk.ml.explain import explain
from smartcustoms.risk.ml.frame import read_frame

DATA = os.environ.get("SMARTCUSTOMS_DATA_DIR")
pytestmark = pytest.mark.skipif(not DATA, reason="SMARTCUSTOMS_DATA_DIR is not set")


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Slices of the three splits (files stay outside the repository, in a temp dir)."""
    base = Path(str(DATA)) / "customs-declarations"
    out = tmp_path_factory.mktemp("kcs")
    sizes = {"train": 8000, "valid": 2000, "test": 2000}
    paths = {}
    for split, rows in sizes.items():
        frame = pd.read_csv(base / f"df_syn_{split}_eng.csv", nrows=rows, dtype=str)
        paths[split] = out / f"{split}.csv"
        frame.to_csv(paths[split], index=False)
    return paths


def test_train_evaluate_explain(files: dict[str, Path], tmp_path: Path) -> None:
    runner = CliRunner()
    model_dir = tmp_path / "model"
    trained = runner.invoke(
        app,
        [
            "train",
            "--from-file",
            str(files["train"]),
            "--valid",
            str(files["valid"]),
            "--out",
            str(model_dir),
            "--json",
        ],
    )
    assert trained.exit_code == 0, trained.output
    meta = json.loads(trained.stdout)
    assert meta["training_range"][0] == "2020-01-01"
    assert "te_importer" in meta["features"]

    report = tmp_path / "report.html"
    evaluated = runner.invoke(
        app,
        [
            "evaluate",
            "--model",
            str(model_dir),
            "--from-file",
            str(files["test"]),
            "--profile",
            "kcs-cdd",
            "--report",
            str(report),
            "--json",
        ],
    )
    assert evaluated.exit_code == 0, evaluated.output
    doc = json.loads(evaluated.stdout)
    ours = doc["results"]["risk model"]
    # Far above the 21.6% base rate even on a slice (a smoke check, not the benchmark).
    assert ours["precision@5%"]["mean"] > 0.6
    assert ours["roc_auc"]["mean"] > 0.75
    assert "<svg" in report.read_text()

    model = RiskModel.load(model_dir)
    test = read_frame(files["test"])
    reasons = explain(model, test.head(20))
    assert all(r.feature in set(model.feature_names_in_) for rs in reasons for r in rs)


def test_invalid_input_exits_2(files: dict[str, Path], tmp_path: Path) -> None:
    runner = CliRunner()
    missing = runner.invoke(
        app,
        [
            "train",
            "--from-file",
            str(tmp_path / "nope.csv"),
            "--out",
            str(tmp_path / "m"),
            "--json",
        ],
    )
    assert missing.exit_code == 2
    assert json.loads(missing.stdout)["error"] == "InvalidInput"
    profile = runner.invoke(
        app,
        [
            "train",
            "--from-file",
            str(files["train"]),
            "--out",
            str(tmp_path / "m"),
            "--profile",
            "unknown",
        ],
    )
    assert profile.exit_code == 2
