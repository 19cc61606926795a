"""Reading a kcs-cdd file into the canonical declaration frame."""

from __future__ import annotations

from pathlib import Path

import pytest

from smartcustoms.errors import InvalidInput
from smartcustoms.risk.ml.frame import CANONICAL_COLUMNS, frame_fingerprint, read_frame

HEADER = (
    "Declaration ID,Date,Office ID,Process Type,Import Type,Import Use,Payment Type,"
    "Mode of Transport,Declarant ID,Importer ID,Seller ID,Courier ID,HS6 Code,"
    "Country of Departure,Country of Origin,Tax Rate,Tax Type,Country of Origin Indicator,"
    "Net Mass,Item Price,Fraud,Critical Fraud"
)
ROWS = [
    "2,2020-01-02,40,B,11,21,11,40,SWF9S4X,7JD1S2X,8WDKMC6,,70320,CN,CN,8.0,A,Y,11352.0,"
    "375751.2,1,2",
    "1,2020-01-01,30,B,11,21,11,10,ZZR1LT6,QLRUBN9,0VKY2BR,,440890,BE,BE,0.0,FEU1,G,108.0,"
    "372254.4,0,0",
]


def _write(tmp_path: Path, rows: list[str]) -> Path:
    path = tmp_path / "d.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n")
    return path


def test_read_kcs_cdd(tmp_path: Path) -> None:
    frame = read_frame(_write(tmp_path, ROWS))
    assert tuple(frame.columns) == CANONICAL_COLUMNS
    assert frame["declaration_id"].tolist() == ["1", "2"]  # sorted by date
    assert frame["hs_code"].tolist() == ["440890", "070320"]  # leading zero restored
    assert frame["courier_id"].tolist() == ["", ""]
    assert frame["critical_fraud"].tolist() == [0, 2]
    assert frame["net_mass_kg"].dtype.kind == "f"
    assert len(frame_fingerprint(frame)) == 64


def test_errors_are_invalid_input(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="unknown profile"):
        read_frame(_write(tmp_path, ROWS), profile="nope")
    with pytest.raises(InvalidInput, match="no such file"):
        read_frame(tmp_path / "missing.csv")
    bad = tmp_path / "bad.csv"
    bad.write_text("Declaration ID,Date\n1,2020-01-01\n")
    with pytest.raises(InvalidInput) as info:
        read_frame(bad)
    assert len(info.value.errors) > 5  # every missing column at once
