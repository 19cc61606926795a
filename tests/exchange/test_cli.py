"""``smartcustoms exchange`` on two installations (two SQLite homes), connected out of band:
keys exported and imported as files, a certificate issued in KR and verified in SG."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from smartcustoms.cli.main import run


class Home:
    def __init__(self, path: Path, secret: str, monkeypatch: pytest.MonkeyPatch) -> None:
        self.path, self.secret, self.mp = path, secret, monkeypatch

    def __call__(self, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, Any]:
        self.mp.setenv("SMARTCUSTOMS_HOME", str(self.path))
        self.mp.setenv("SMARTCUSTOMS_SECRET_KEY", self.secret)
        self.mp.delenv("SMARTCUSTOMS_DATABASE_URL", raising=False)
        capsys.readouterr()
        code = run(list(args))
        out = capsys.readouterr().out
        try:
            return code, json.loads(out)
        except ValueError:
            return code, out


def test_two_homes_connect_and_verify_a_certificate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    kr = Home(tmp_path / "kr", "kr-secret-0123456789abcdef", monkeypatch)
    sg = Home(tmp_path / "sg", "sg-secret-0123456789abcdef", monkeypatch)
    for home, code, name, ccy in ((kr, "KR", "Korea", "KRW"), (sg, "SG", "Singapore", "SGD")):
        assert home(capsys, "db", "upgrade")[0] == 0
        assert home(capsys, "economies", "create", code, name, "--currency", ccy)[0] == 0
        rc, key = home(capsys, "exchange", "keys", "create", "--economy", code, "--json")
        assert rc == 0 and key["status"] == "active"
    rc, jwks_text = kr(capsys, "exchange", "keys", "export", "--economy", "KR")
    assert rc == 0 and isinstance(jwks_text, dict)
    assert all("d" not in k for k in jwks_text["keys"])
    (tmp_path / "kr-jwks.json").write_text(json.dumps(jwks_text))

    rc, _ = sg(capsys, "exchange", "partners", "add", "KR", "http://127.0.0.1:9", "--economy", "SG")
    assert rc == 0
    rc, partner = sg(
        capsys,
        "exchange",
        "partners",
        "import-keys",
        "KR",
        str(tmp_path / "kr-jwks.json"),
        "--economy",
        "SG",
        "--json",
    )
    assert rc == 0 and len(partner["keys"]) == 1

    data = {
        "importing_economy": "SG",
        "trade_agreement": "Korea-Singapore FTA",
        "exporter": {"id": "KR-EXP-1"},
        "importer": {"id": "SG-IMP-9"},
        "goods": [{"hs_code": "850760", "description": "batteries", "origin_criterion": "CTH"}],
    }
    (tmp_path / "cert.json").write_text(json.dumps(data))
    rc, credential = kr(
        capsys, "exchange", "certificates", "issue", str(tmp_path / "cert.json"),
        "--economy", "KR", "--json",
    )  # fmt: skip
    assert rc == 0
    (tmp_path / "credential.json").write_text(json.dumps(credential))
    rc, verdict = sg(
        capsys, "exchange", "certificates", "verify", str(tmp_path / "credential.json"),
        "--economy", "SG", "--json",
    )  # fmt: skip
    assert rc == 0 and verdict["valid"] is True and verdict["issuer"] == "KR"

    credential["credentialSubject"]["importer"]["id"] = "SOMEONE-ELSE"
    (tmp_path / "forged.json").write_text(json.dumps(credential))
    rc, verdict = sg(
        capsys, "exchange", "certificates", "verify", str(tmp_path / "forged.json"),
        "--economy", "SG", "--json",
    )  # fmt: skip
    assert rc == 1 and verdict["valid"] is False
    assert any("altered" in p for p in verdict["problems"])

    # Invalid input: every problem reported, exit code 2.
    (tmp_path / "bad.json").write_text(json.dumps({"goods": []}))
    rc, err = kr(
        capsys, "exchange", "certificates", "issue", str(tmp_path / "bad.json"),
        "--economy", "KR", "--json",
    )  # fmt: skip
    assert rc == 2
    assert {"importing_economy", "trade_agreement", "exporter", "importer", "goods"} <= {
        e["path"] for e in err["errors"]
    }
