"""The API and the CLI give the service's figures; errors are 4xx / exit 2, never a 500."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from smartcustoms.cli.main import run
from tests.stats.conftest import StatsKR


def test_api_trade_growth_and_errors(stats_kr: StatsKR, client: Any) -> None:
    k = stats_kr.kr
    h = {"Authorization": k.users["analyst"]["Authorization"]}
    r = client.get("/api/v1/stats/trade", params={"period": "2021-Q2", "by": "partner"}, headers=h)
    assert r.status_code == 200, r.text
    doc = r.json()
    assert doc["total"]["value"] == "2000000.00"
    assert [(x["key"], x["value"], x["share_pct"]) for x in doc["rows"]][:2] == [
        ("CN", "1000000.00", "50.00"),
        ("DE", "500000.00", "25.00"),
    ]
    g = client.get("/api/v1/stats/growth", params={"period": "2021-Q2"}, headers=h).json()
    assert g["total"]["growth_pct"] == "400.00"
    c = client.get(
        "/api/v1/stats/growth", params={"period": "2021-H1", "vs": "2020-H1"}, headers=h
    ).json()
    assert c["growth_pct"] == "200.00"
    bad = client.get("/api/v1/stats/trade", params={"period": "2021-Q9", "by": "colour"}, headers=h)
    assert bad.status_code == 422
    assert client.get("/api/v1/stats/trade", params={"period": "2021"}).status_code == 401
    declarant = {"Authorization": k.users["declarant"]["Authorization"]}
    assert (
        client.get("/api/v1/stats/trade", params={"period": "2021"}, headers=declarant).status_code
        == 403
    )


def test_cli_trade_json(stats_kr: StatsKR, settings: Any, monkeypatch: Any, capsys: Any) -> None:
    monkeypatch.setenv("SMARTCUSTOMS_DATABASE_URL", stats_kr.kr.db.url)
    monkeypatch.setenv("SMARTCUSTOMS_HOME", str(settings.home))
    code = run(
        ["stats", "trade", "--economy", "KR", "--by", "partner", "--period", "2021-Q2", "--json"]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    doc = json.loads(out)
    assert Decimal(doc["total"]["value"]) == 2_000_000
    assert {x["key"]: x["share_pct"] for x in doc["rows"]} == {
        "CN": "50.00", "DE": "25.00", "US": "15.00", "JP": "10.00"
    }  # fmt: skip
    # Only KR has declarations here: the economy may be left out (as on the demo).
    assert run(["stats", "trade", "--by", "partner", "--period", "2021-Q2", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["economy"] == "KR"
    assert run(["stats", "trade", "--economy", "KR", "--period", "nope", "--json"]) == 2
    capsys.readouterr()
    assert run(["stats", "growth", "--economy", "KR", "--period", "2021-Q2"]) == 0


def test_api_green_cap_release_mirror(stats_kr: StatsKR, client: Any) -> None:
    h = {"Authorization": stats_kr.kr.users["analyst"]["Authorization"]}
    g = client.get("/api/v1/stats/green", params={"period": "2021-Q2"}, headers=h)
    assert g.status_code == 200 and g.json()["green_share_pct"] == "40.00"
    cap = client.get("/api/v1/stats/green/tariff-cap", headers=h).json()
    assert cap["cap_pct"] == "5" and cap["above_cap"]
    rt = client.get("/api/v1/stats/release-times", params={"period": "2021-Q2"}, headers=h)
    assert rt.status_code == 200 and rt.json()["total"]["count"] == 3
    assert (
        client.get(
            "/api/v1/stats/release-times", params={"period": "2021-Q2", "by": "x"}, headers=h
        ).status_code
        == 422
    )
    m = client.get("/api/v1/stats/mirror", params={"partner": "ZZ", "period": "2021"}, headers=h)
    assert m.status_code == 404


def test_cli_green_release_mirror(
    stats_kr: StatsKR, settings: Any, monkeypatch: Any, capsys: Any
) -> None:
    monkeypatch.setenv("SMARTCUSTOMS_DATABASE_URL", stats_kr.kr.db.url)
    monkeypatch.setenv("SMARTCUSTOMS_HOME", str(settings.home))
    base = ["--economy", "KR", "--period", "2021-Q2"]
    assert run(["stats", "green", *base, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["green_share_pct"] == "40.00"
    assert run(["stats", "green", *base, "--tariff-cap", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["above_cap"]
    assert run(["stats", "release-times", *base, "--by", "lane"]) == 0
    assert "green" in capsys.readouterr().out
    assert run(["stats", "mirror", *base, "--partner", "KR", "--json"]) == 2


def test_cli_named_period_export_and_report(
    stats_kr: StatsKR, settings: Any, monkeypatch: Any, capsys: Any, tmp_path: Any
) -> None:
    monkeypatch.setenv("SMARTCUSTOMS_DATABASE_URL", stats_kr.kr.db.url)
    monkeypatch.setenv("SMARTCUSTOMS_HOME", str(settings.home))
    kr = ["--economy", "KR"]
    assert run(["stats", "define-period", "SPRING", *kr, "--label", "Spring 2021",
                "--months", "2021-03..2021-05"]) == 0  # fmt: skip
    assert run(["stats", "define-period", "1x", *kr, "--label", "", "--months", "soon"]) == 2
    capsys.readouterr()
    assert run(["stats", "periods", *kr, "--json"]) == 0
    codes = {p["code"] for p in json.loads(capsys.readouterr().out)}
    assert {"SPRING", "FYP14"} <= codes
    assert run(["stats", "trade", *kr, "--period", "spring", "--by", "total", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["period"]["label"] == "Spring 2021" and doc["total"]["value"] == "2000000.00"
    out = tmp_path / "kr.sdmx.csv"
    assert run(["stats", "export", *kr, "--period", "2021-Q2", "--format", "sdmx",
                "--out", str(out)]) == 0  # fmt: skip
    assert out.read_text().startswith("DATAFLOW,REPORTER,PARTNER")
    pdf = tmp_path / "report.pdf"
    assert run(["stats", "report", *kr, "--period", "2021-Q2", "--out", str(pdf)]) == 0
    assert pdf.read_bytes().startswith(b"%PDF")


def test_cli_publish(stats_kr: StatsKR, settings: Any, monkeypatch: Any, capsys: Any) -> None:
    monkeypatch.setenv("SMARTCUSTOMS_DATABASE_URL", stats_kr.kr.db.url)
    monkeypatch.setenv("SMARTCUSTOMS_HOME", str(settings.home))
    args = ["stats", "publish", "--economy", "KR", "--period", "2021-Q2", "--title", "Q2"]
    assert run([*args, "--threshold", "1", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["payload"]["suppressed"] == 0 and len(doc["payload"]["rows"]) == 4
    assert run([*args, "--by", "subheading"]) == 2  # not publishable: too fine
