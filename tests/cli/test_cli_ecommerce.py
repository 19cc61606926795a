"""``smartcustoms ecommerce generate`` then ``submit --json``, through the CLI's entry point
(in process, on the test database with its reference data)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from smartcustoms.cli.main import run
from smartcustoms.db.engine import Database

pytestmark = pytest.mark.e2e


@pytest.fixture
def cli(
    db: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> Any:
    monkeypatch.setenv("SMARTCUSTOMS_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("SMARTCUSTOMS_DATABASE_URL", db.url)

    def call(*args: str) -> tuple[int, Any]:
        capsys.readouterr()
        code = run(list(args))
        out = capsys.readouterr().out
        return code, json.loads(out) if out.strip() else None

    return call


def test_generate_submit_decisions_queue(cli: Any, tmp_path: Path) -> None:
    out = tmp_path / "sg.ndjson"
    code, gen = cli(
        "ecommerce",
        "generate",
        "--parcels",
        "300",
        "--seed",
        "4",
        "--economy",
        "SG",
        "--out",
        str(out),
        "--date",
        "2026-03-10",
        "--json",
    )
    assert code == 0 and gen["parcels"] == 300
    assert (tmp_path / "sg.ndjson.truth.csv").exists()
    code, doc = cli(
        "ecommerce", "submit", str(out), "--economy", "SG", "--date", "2026-03-10", "--json"
    )
    assert code == 0
    assert doc["parcels"] == doc["decided"] == 300
    assert set(doc["decisions"]) == {"release", "hold", "inspect", "refuse"}
    assert sum(doc["decisions"].values()) == 300
    code, again = cli(
        "ecommerce", "submit", str(out), "--economy", "SG", "--date", "2026-03-10", "--json"
    )
    assert again["id"] == doc["id"] and again["resubmitted"] is True
    code, listed = cli(
        "ecommerce", "decisions", doc["id"], "--economy", "SG", "--decision", "refuse", "--json"
    )
    assert code == 0 and len(listed) == doc["decisions"]["refuse"]
    assert all(p["decision"] == "refuse" for p in listed)
    code, queue = cli("ecommerce", "queue", "--economy", "SG", "--json")
    assert code == 0 and {q["decision"] for q in queue} <= {"inspect", "hold"}
    assert len(queue) == min(50, doc["decisions"]["inspect"] + doc["decisions"]["hold"])
    bad = tmp_path / "bad.ndjson"
    bad.write_text('{"waybill": "X"}\nnot json\n')
    code, rejected = cli("ecommerce", "submit", str(bad), "--economy", "SG", "--json")
    assert code == 2 and rejected["status"] == "rejected"
    assert {e["line"] for e in rejected["errors"]} == {1, 2}
