"""``smartcustoms classify suggest / batch`` through the real CLI entry point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from smartcustoms.cli.main import run


@pytest.fixture
def cli_home(classify_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SMARTCUSTOMS_HOME", str(classify_home))
    monkeypatch.setenv("SMARTCUSTOMS_DATABASE_URL", f"sqlite:///{classify_home / 'none.db'}")
    return classify_home


def test_suggest_json(cli_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = run(
        [
            "classify",
            "suggest",
            "leather handbag with shoulder strap",
            "--category",
            "Bags > Handbags",
            "--top",
            "3",
            "--json",
        ]
    )
    doc = json.loads(capsys.readouterr().out)
    assert code == 0
    [result] = doc["results"]
    assert len(result["suggestions"]) == 3
    best = result["suggestions"][0]
    assert best["hs_code"].startswith("4202")
    assert {"confidence", "path", "matched_words", "examples"} <= set(best)


def test_batch_json_one_result_per_line(
    cli_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "parcels.jsonl"
    file.write_text(
        "\n".join(
            [
                json.dumps({"description": "cotton socks", "category": "Clothing > Socks"}),
                json.dumps({"description": 5}),
                json.dumps({"description": "wooden toy train", "price": 12.5, "currency": "EUR"}),
            ]
        )
    )
    code = run(["classify", "batch", str(file), "--top", "2", "--json"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 0
    assert [r["index"] for r in doc["results"]] == [0, 1, 2]
    assert "error" in doc["results"][1]
    assert doc["results"][0]["suggestions"][0]["hs_code"][:2] in {"61", "62"}
    assert doc["results"][2]["suggestions"][0]["hs_code"].startswith("95")


def test_missing_file_and_bad_top_are_invalid_input(
    cli_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["classify", "batch", "/nonexistent.jsonl", "--json"]) == 2
    assert run(["classify", "suggest", "socks", "--top", "0"]) == 2
    capsys.readouterr()


def test_without_a_model_suggest_says_how_to_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SMARTCUSTOMS_HOME", str(tmp_path))
    assert run(["classify", "suggest", "socks", "--json"]) == 1
    assert "classify build" in json.loads(capsys.readouterr().out)["message"]


def test_evaluate_a_labelled_listing_file(
    cli_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "listings.jsonl"
    file.write_text(
        json.dumps({"description": "leather handbag", "hs_code": "420221"})
        + "\n"
        + json.dumps({"description": "rubber flip flops", "hs_code": "6402.20"})
    )
    assert run(["classify", "evaluate", "--listings", str(file), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["n"] == 2 and 0.5 <= doc["top5_hs2"] <= 1.0
    file.write_text(json.dumps({"description": "x"}))
    assert run(["classify", "evaluate", "--listings", str(file), "--json"]) == 2
    assert json.loads(capsys.readouterr().out)["errors"][0]["path"] == "line 1.hs_code"
