"""A bulk file with many kinds of errors reports exactly the errors it reported before the fast
path of the intake (issue 16): row, column, field, code and message of every problem, in order,
and the warning counts. ``data/import_errors.json`` was written by the implementation before
that change (commit 1a508c8); set ``SMARTCUSTOMS_WRITE_EXPECTED=1`` to write it again from the
code under test (only when a message is meant to change)."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path
from typing import Any

import pytest

from smartcustoms.declarations.intake import importing
from smartcustoms.declarations.intake.importing import ImportRejected
from tests.declarations.conftest import KR

EXPECTED = Path(__file__).parent / "data" / "import_errors.json"

BASE = {
    "Declaration ID": "",
    "Date": "2021-05-14",
    "Office ID": "40",
    "Process Type": "B",
    "Import Type": "11",
    "Import Use": "21",
    "Payment Type": "11",
    "Mode of Transport": "10",
    "Declarant ID": "DCL1",
    "Importer ID": "IMP1",
    "Seller ID": "SEL1",
    "Courier ID": "",
    "HS6 Code": "850760",
    "Country of Departure": "CN",
    "Country of Origin": "CN",
    "Tax Rate": "8.0",
    "Tax Type": "A",
    "Country of Origin Indicator": "G",
    "Net Mass": "1.5",
    "Item Price": "1000",
    "Fraud": "0",
    "Critical Fraud": "0",
}
BAD = [
    "",
    "  ",
    "abc",
    "-5",
    "0",
    "1e20",
    "NaN",
    "2030-01-01",
    "1980-01-01",
    "2021-13-01",
    "XX",
    "kr",
    "ZZ",
    "77",
    "850440",
    "010110",
    "990000",
    "1234567890123",
    "x" * 300,
    "bad#id",
    "2000",
]


def rows() -> list[dict[str, str]]:
    """Every column given every bad value (one problem per row), then rows with several
    problems, repeated references and a few valid rows."""
    out: list[dict[str, str]] = []
    for column in BASE:
        for value in BAD:
            if column == "Declaration ID" and not value.strip():
                continue  # reported like any other, but keeps the references unique below
            out.append({**BASE, column: value})
    out += [
        {**BASE, "Net Mass": "-1", "Item Price": "abc", "Country of Origin": "XX"},
        {**BASE, "Date": "", "Office ID": "", "Mode of Transport": "70", "HS6 Code": ""},
        {**BASE, "Country of Departure": "KR", "Country of Origin": "KR"},
        {**BASE, "HS6 Code": "8507.60", "Tax Type": "FCN1", "Country of Origin": "VN"},
        {**BASE, "HS6 Code": "902710", "Net Mass": "50"},
        {**BASE},
        {**BASE},
    ]
    for n, row in enumerate(out):
        if not row["Declaration ID"]:
            row["Declaration ID"] = f"T{n:04d}"
    out.append({**out[-1]})  # the same reference twice
    out.append({**out[3], "Item Price": "5"})
    return out


def write(path: Path) -> None:
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(BASE))
        writer.writeheader()
        writer.writerows(rows())


def test_every_error_of_a_bad_file_is_reported_as_before(kr: KR, tmp_path: Path) -> None:
    file = tmp_path / "bad.csv"
    write(file)
    with pytest.raises(ImportRejected) as caught:
        importing.import_file(kr.db.uow(), kr.officer, file, "kcs-cdd", dry_run=True)
    report = caught.value.report
    got: dict[str, Any] = {
        "rows": report.rows,
        "valid": report.valid,
        "invalid": report.invalid,
        "warnings": report.warnings,
        "errors": [[e.row, e.column, e.field, e.code, e.message] for e in report.errors],
        "field_errors": [[e.path, e.code, e.message] for e in caught.value.errors],
    }
    if os.environ.get("SMARTCUSTOMS_WRITE_EXPECTED"):
        EXPECTED.parent.mkdir(exist_ok=True)
        EXPECTED.write_text(json.dumps(got, indent=0, ensure_ascii=False) + "\n")
    expected = json.loads(EXPECTED.read_text())
    assert got["rows"] == expected["rows"] and got["valid"] == expected["valid"]
    assert got["invalid"] == expected["invalid"]
    assert got["warnings"] == expected["warnings"]
    for n, (mine, theirs) in enumerate(zip(got["errors"], expected["errors"], strict=False)):
        assert mine == theirs, n
    assert len(got["errors"]) == len(expected["errors"])
    assert got["field_errors"] == expected["field_errors"]
    codes = {e[3] for e in expected["errors"]}
    assert len(codes) >= 12, codes  # the file covers many kinds of problems
