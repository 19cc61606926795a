"""The README's commands work as written, the CLI starts fast, results go to stdout (issue 8)."""

from __future__ import annotations

import csv
import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from smartcustoms.cli.main import run

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
HEAVY = ("lightgbm", "sklearn", "xgboost", "matplotlib", "weasyprint", "pandas", "scipy")


def readme_block(name: str) -> list[list[str]]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    block = re.search(rf"<!-- {name}:.*?-->\s*```sh\n(.*?)```", text, re.S)
    assert block, f"README has no {name} block"
    commands = []
    for line in block.group(1).splitlines():
        line = line.split(" # ")[0].strip()
        if line.startswith("smartcustoms "):
            commands.append(shlex.split(os.path.expandvars(line))[1:])
    return commands


def test_the_readme_first_steps_work_as_written(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    shared_data_dir: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(REPO)
    monkeypatch.delenv("SMARTCUSTOMS_DATABASE_URL", raising=False)
    monkeypatch.setenv("SMARTCUSTOMS_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("SMARTCUSTOMS_DATA_DIR", str(shared_data_dir))
    # The one liberty taken: the 8,481-row test split is cut to its first 300 rows (speed).
    test_split = shared_data_dir / "customs-declarations" / "df_syn_test_eng.csv"
    cut = tmp_path / "df_syn_test_eng.csv"
    with test_split.open(newline="") as src, cut.open("w", newline="") as dst:
        rows = list(csv.reader(src))[:301]
        csv.writer(dst).writerows(rows)
    commands = readme_block("first-steps")
    assert [c[:2] for c in commands][:3] == [
        ["db", "upgrade"],
        ["reference", "load"],
        ["economies", "create"],
    ]
    for argv in commands:
        argv = [str(cut) if a == str(test_split) else a for a in argv]
        code = run(argv)
        out = capsys.readouterr()
        assert code == 0, (argv, out.out[-2000:], out.err[-2000:])
        if "--json" in argv:
            json.loads(out.out)
    listed = run(["declarations", "list", "--economy", "KR", "--json"])
    assert listed == 0 and json.loads(capsys.readouterr().out)["total"] == 301


def _python(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(REPO / "src"), **env},
    )


def test_the_cli_starts_without_the_heavy_libraries() -> None:
    # `smartcustoms --help` took ~3 s: LightGBM, scikit-learn and pandas were imported first.
    probe = _python(
        "import sys\n"
        "from smartcustoms.cli.main import run\n"
        "assert run(['--help']) == 0 and run(['declarations', '--help']) == 0\n"
        "assert run(['risk', '--help']) == 0\n"
        f"print([m for m in {HEAVY!r} if m in sys.modules])\n"
    )
    assert probe.returncode == 0, probe.stderr
    assert probe.stdout.strip().splitlines()[-1] == "[]"


def test_output_without_a_terminal_is_not_cut_at_80_columns() -> None:
    probe = _python(
        "from smartcustoms.cli._common import console, err_console\n"
        "print(console.width, err_console.width)"
    )
    assert [int(w) >= 160 for w in probe.stdout.split()] == [True, True], probe.stdout


def test_risk_train_and_evaluate_print_their_results_on_stdout(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from smartcustoms.declarations.demo import write_sample

    data = tmp_path / "sample.csv"
    write_sample(data, n=600)
    model = tmp_path / "model"
    argv = ["risk", "train", "--from-file", str(data), "--out", str(model), "--trees", "30"]
    assert run(argv) == 0
    trained = capsys.readouterr()
    assert "model saved to" in trained.out
    argv = ["risk", "evaluate", "--model", str(model), "--from-file", str(data)]
    assert run(argv) == 0
    evaluated = capsys.readouterr()
    assert "precision@5%" in evaluated.out and "roc_auc" in evaluated.out


def test_the_demo_refuses_to_run_in_production(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SMARTCUSTOMS_HOME", str(tmp_path))
    monkeypatch.setenv("SMARTCUSTOMS_ENVIRONMENT", "production")
    monkeypatch.setenv("SMARTCUSTOMS_SECRET_KEY", "a-long-random-production-secret-0123456789")
    assert run(["demo", "--no-serve"]) == 1
    assert "production" in capsys.readouterr().err
    assert not (tmp_path / "smartcustoms.db").exists()
