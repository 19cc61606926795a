"""The CLI: import the examples, search with --json (the issue's "done when")."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pypdf import PdfReader

from smartcustoms.cases.importing import EXAMPLES_DIR
from smartcustoms.cli.main import run


@pytest.fixture
def cli_env(db, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SMARTCUSTOMS_DATABASE_URL", db.url)
    monkeypatch.setenv("SMARTCUSTOMS_HOME", str(tmp_path / "home"))
    return tmp_path


def test_import_search_compile(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["cases", "import", str(EXAMPLES_DIR), "--publish", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert len(report["created"]) >= 5

    assert run(["cases", "search", "image", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    first = result["results"][0]
    assert first["case"]["slug"] == "example-cn-intelligent-image-review"
    assert "<mark>" in first["snippet_html"]
    assert sum(v["count"] for v in result["facets"]["economy"]) == result["total"]

    out = cli_env / "cases.pdf"
    assert (
        run(["cases", "compile", "--year", "2026", "--format", "pdf", "--out", str(out), "--json"])
        == 0
    )
    capsys.readouterr()
    assert "Table of contents" in (PdfReader(out).pages[2].extract_text() or "")

    assert run(["cases", "export", str(cli_env / "export"), "--format", "json", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)["files"]) == len(report["created"])

    # A year without cases: no empty PDF with exit 0, but a clear refusal (issue 8).
    empty = cli_env / "empty.pdf"
    argv = ["cases", "compile", "--year", "1999", "--out", str(empty), "--json"]
    assert run(argv) == 2
    refused = json.loads(capsys.readouterr().out)
    assert refused["errors"][0]["code"] == "no_cases" and "1999" in refused["message"]
    assert not empty.exists()


def test_bad_import_reports_every_problem(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = cli_env / "bad"
    folder.mkdir()
    (folder / "x.yaml").write_text("title: ''\neconomy: KR\n", encoding="utf-8")
    assert run(["cases", "import", str(folder), "--json"]) == 2
    doc = json.loads(capsys.readouterr().out)
    assert doc["error"] == "InvalidInput"
    assert {"x.yaml:title", "x.yaml:year", "x.yaml:themes"} <= {e["path"] for e in doc["errors"]}
