"""The CLI mirrors the API: submit, show, list, act, with --json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from smartcustoms.cli.main import run
from smartcustoms.declarations import service
from tests.declarations.conftest import KR, doc


def test_submit_show_list_inspect(
    kr: KR, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SMARTCUSTOMS_DATABASE_URL", kr.db.url)
    kr.quiet_lanes("red")
    file = tmp_path / "d.json"
    file.write_text(json.dumps(doc()))
    dec, off = kr.users["declarant"]["email"], kr.users["officer"]["email"]
    assert run(["declarations", "submit", str(file), "--user", dec, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    i = out["record"]["id"]
    assert out["created"] and out["record"]["status"] == "physical_inspection"
    assert run(["declarations", "show", i, "--user", off, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["assessment"]["total"]
    assert run(["declarations", "list", "--user", off, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["total"] == 1
    assert run(["declarations", "inspect", i, "--outcome", "seizure", "--user", off]) == 0
    assert "seized" in capsys.readouterr().out
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc(reference="X", incoterm="ZZZ")))
    assert run(["declarations", "validate", str(bad), "--user", dec, "--json"]) == 2
    assert json.loads(capsys.readouterr().out)["errors"][0]["path"] == "incoterm"
    assert run(["declarations", "submit", str(bad), "--user", dec, "--json"]) == 2
    assert json.loads(capsys.readouterr().out)["errors"][0]["path"] == "incoterm"


def test_tariff_import_and_lookup(
    kr: KR, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SMARTCUSTOMS_DATABASE_URL", kr.db.url)
    f = tmp_path / "t.csv"
    f.write_text(
        "hs_prefix,rate_type,ad_valorem,specific_amount,specific_unit,origins\n"
        "8507,MFN,5,,,\n850760,AUFTA,0,,,AU\n"
    )
    assert (
        run(
            [
                "tariff",
                "import",
                str(f),
                "--economy",
                "JP",
                "--vat",
                "10",
                "--default-rate-type",
                "MFN",
                "--json",
            ]
        )
        == 0
    )
    assert json.loads(capsys.readouterr().out)["lines"] == 2
    assert (
        run(
            [
                "tariff",
                "lookup",
                "850760",
                "--economy",
                "JP",
                "--origin",
                "NZ",
                "--claim",
                "AUFTA",
                "--json",
            ]
        )
        == 0
    )
    assert json.loads(capsys.readouterr().out)["line"]["rate_type"] == "MFN"
    f.write_text("hs_prefix,rate_type\n1,MFN\n")
    assert run(["tariff", "import", str(f), "--economy", "JP"]) == 2


def test_attach_list_and_read_back_a_document(
    kr: KR, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SMARTCUSTOMS_DATABASE_URL", kr.db.url)
    monkeypatch.setenv("SMARTCUSTOMS_HOME", str(tmp_path / "home"))
    kr.quiet_lanes("yellow")
    did = service.submit(kr.db.uow(), kr.declarant, doc()).record.id
    dec = kr.users["declarant"]["email"]
    invoice = tmp_path / "invoice.pdf"
    invoice.write_bytes(b"%PDF-1.4\n%%EOF\n")
    attach = ["declarations", "attach", did, str(invoice), "--kind", "commercial_invoice"]
    assert run([*attach, "--user", dec, "--json"]) == 0
    added = json.loads(capsys.readouterr().out)
    assert added["content_type"] == "application/pdf" and added["kind"] == "commercial_invoice"
    assert run(["declarations", "documents", did, "--user", dec, "--json"]) == 0
    assert [d["id"] for d in json.loads(capsys.readouterr().out)] == [added["id"]]
    out = tmp_path / "copy.pdf"
    read = ["declarations", "document", did, added["id"], "--out", str(out)]
    assert run([*read, "--user", dec]) == 0
    assert out.read_bytes() == invoice.read_bytes()
    bad = ["declarations", "attach", did, str(tmp_path / "none.pdf"), "--kind", "other"]
    assert run([*bad, "--user", dec, "--json"]) == 2
