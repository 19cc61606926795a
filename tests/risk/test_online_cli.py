"""``risk simulate-online`` on a slice of the real KCS declarations, through the CLI."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import pytest

from smartcustoms.cli.main import run

DATA = os.environ.get("SMARTCUSTOMS_DATA_DIR")
pytestmark = pytest.mark.skipif(not DATA, reason="SMARTCUSTOMS_DATA_DIR is not set")


def test_simulate_online_json_and_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = Path(str(DATA)) / "customs-declarations" / "df_syn_train_eng.csv"
    path = tmp_path / "slice.csv"
    pd.read_csv(src, nrows=4000, dtype=str).to_csv(path, index=False)
    out = tmp_path / "out"
    code = run(
        [
            "risk", "simulate-online", "--from-file", str(path), "--profile", "kcs-cdd",
            "--rate", "0.10", "--strategy", "adaptive", "--trees", "10",
            "--initial-days", "7", "--out", str(out), "--json",
        ]
    )  # fmt: skip
    assert code == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["config"]["strategy"] == "adaptive"
    assert len(doc["weeks"]) >= 2
    assert {"precision", "recall", "critical_recall", "exploration_share"} <= set(doc["weeks"][0])
    ratio = doc["summary"]["precision_ratio_to_full_information"]
    assert ratio == ratio and ratio > 0  # a number, not NaN
    assert (out / "weeks.csv").is_file() and (out / "result.json").is_file()
    assert (out / "chart.svg").read_text().startswith("<svg")


def test_simulate_online_refuses_bad_options(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "x.csv"
    path.write_text("a\n1\n")
    code = run(["risk", "simulate-online", "--from-file", str(path), "--rate", "2", "--json"])
    assert code == 2
    assert "rate" in json.loads(capsys.readouterr().out)["message"]
