"""The reference commands as a user runs them: real process, JSON output, exit codes."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from smartcustoms.db import migrate
from smartcustoms.db.engine import Database

pytestmark = pytest.mark.e2e


@pytest.fixture
def cli_env(db: Database, tmp_path: Path, shared_data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SMARTCUSTOMS_")}
    env |= {
        "SMARTCUSTOMS_HOME": str(tmp_path / "home"),
        "SMARTCUSTOMS_DATABASE_URL": db.url,
        "SMARTCUSTOMS_DATA_DIR": str(shared_data_dir),
    }
    return env


def sc(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "smartcustoms", "reference", *args],
        env=env,
        text=True,
        capture_output=True,
        timeout=300,
    )


def test_done_when_examples(cli_env: dict[str, str], shared_data_dir: Path) -> None:
    hs = sc(cli_env, "hs", "850760", "--json")
    assert hs.returncode == 0, hs.stderr
    entry = json.loads(hs.stdout)
    assert entry["level"] == 6 and "lithium-ion" in entry["description"]
    assert [a["code"] for a in entry["ancestors"]] == ["85", "8507"]

    search = sc(cli_env, "hs-search", "lithium ion battery", "--json")
    assert "850760" in [h["code"] for h in json.loads(search.stdout)[:5]]

    egl = json.loads(sc(cli_env, "egl", "854141", "--json").stdout)
    assert egl["is_environmental"] is True and egl["listed_code"] == "854140"

    fx = sc(cli_env, "fx", "1000000", "KRW", "USD", "--date", "2021-04-15", "--json")
    assert fx.returncode == 0, fx.stderr
    conversion = json.loads(fx.stdout)
    with (shared_data_dir / "exchange-rates/monthly.csv").open(encoding="utf-8") as fh:
        krw = next(
            r["Exchange rate"]
            for r in csv.DictReader(fh)
            if r["Country"] == "South Korea" and r["Date"] == "2021-04-01"
        )
    assert conversion["rates_used"] == [
        {"currency": "KRW", "month": "2021-04-01", "per_usd": krw, "source_quote": "per USD"}
    ]
    assert Decimal(conversion["result"]) == (Decimal(1_000_000) / Decimal(krw)).quantize(
        Decimal("0.0001")
    )


def test_bad_input_exits_2_and_names_the_value(cli_env: dict[str, str]) -> None:
    for args, value in [
        (("hs", "85x7"), "85x7"),
        (("hs", "850799"), "8507.99"),
        (("egl", "854150"), "8541.50"),
        (("fx", "12abc", "KRW", "USD", "--date", "2021-04-15"), "12abc"),
        (("fx", "1", "KRW", "USD", "--date", "2021-13-01"), "2021-13-01"),
        (("fx", "1", "KRW", "XYZ", "--date", "2021-04-01"), "XYZ"),
    ]:
        result = sc(cli_env, *args, "--json")
        assert result.returncode == 2, (args, result.stdout, result.stderr)
        doc = json.loads(result.stdout)
        assert doc["error"] == "InvalidInput" and value in json.dumps(doc), doc


def test_status_and_locations(cli_env: dict[str, str]) -> None:
    status = json.loads(sc(cli_env, "status", "--json").stdout)
    assert {d["name"] for d in status} >= {"hs", "fx", "unlocode"}
    assert not any(d["is_sample"] for d in status)
    places = json.loads(sc(cli_env, "locations", "busan", "--country", "KR", "--json").stdout)
    assert places[0]["code"] == "KRPUS"


def test_sample_notice_goes_to_stderr_not_json(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SMARTCUSTOMS_")}
    url = f"sqlite:///{tmp_path / 'sample.db'}"
    env |= {"SMARTCUSTOMS_HOME": str(tmp_path / "home"), "SMARTCUSTOMS_DATABASE_URL": url}
    migrate.upgrade(url, "heads")
    loaded = sc(env, "load", "--sample", "--json")
    assert loaded.returncode == 0, loaded.stderr
    assert all(
        d["is_sample"] for d in json.loads(loaded.stdout)["datasets"] if d["name"] != "countries"
    )
    text = sc(env, "hs", "85")
    assert text.returncode == 0 and "SAMPLE" in text.stderr
    as_json = sc(env, "hs", "85", "--json")
    assert json.loads(as_json.stdout)["code"] == "85" and "SAMPLE" not in as_json.stderr
