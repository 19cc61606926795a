"""Reading a kcs-cdd file into the canonical declaration frame."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from smartcustoms.errors import InvalidInput
from smartcustoms.risk.ml.frame import (
    CANONICAL_COLUMNS,
    KCS_CDD_COLUMNS,
    LABEL_COLUMNS,
    NUMERIC_COLUMNS,
    frame_fingerprint,
    normalize_frame,
    normalize_records,
    read_frame,
)

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


def _kcs_records(path: Path, n: int) -> list[dict[str, object]]:
    """The first ``n`` rows of a kcs-cdd file as plain records (text, float or None), the
    shapes a stored declaration's records have."""
    raw = pd.read_csv(path, dtype=str, nrows=n).rename(columns=KCS_CDD_COLUMNS)
    out: list[dict[str, object]] = []
    for row in raw.drop(columns=list(LABEL_COLUMNS)).to_dict("records"):
        record: dict[str, object] = {k: None if pd.isna(v) else v for k, v in row.items()}
        record["date"] = date.fromisoformat(str(record["date"]))
        for c in NUMERIC_COLUMNS:
            record[c] = None if record[c] is None else float(str(record[c]))
        out.append(record)
    return out


def test_records_normalise_like_a_frame(shared_data_dir: Path) -> None:
    records = _kcs_records(shared_data_dir / "customs-declarations/df_syn_test_eng.csv", 300)
    # What pandas and the plain path might treat differently: padding, short HS codes, empty
    # and missing values, integers, long decimals, dates in another type, date order.
    records[0] |= {"office": " 040 ", "hs_code": "70320", "courier_id": None}
    records[1] |= {"importer_id": "", "net_mass_kg": 3, "item_value": 1234.567891}
    records[2] |= {"tax_rate": None, "date": np.datetime64("2021-04-03", "ns")}
    records[3] |= {"date": date(2021, 3, 31), "extra": "dropped"}
    plain = normalize_records(records)
    frame = normalize_frame(pd.DataFrame(records))
    assert list(plain) == list(frame.columns)
    for c in frame.columns:
        expected = frame[c].to_numpy()
        assert plain[c].dtype == expected.dtype, c
        assert np.array_equal(plain[c], expected, equal_nan=expected.dtype.kind == "f"), c
    # Records pandas must interpret (a Decimal, labels) take the frame's path: same values.
    odd = [r | {"item_value": Decimal("12.5"), "fraud": 1} for r in records[:5]]
    via_frame = normalize_frame(pd.DataFrame(odd))
    got = normalize_records(odd)
    for c in via_frame.columns:
        expected = via_frame[c].to_numpy()
        assert np.array_equal(got[c], expected, equal_nan=expected.dtype.kind == "f"), c


def test_records_the_plain_path_refuses_take_the_frames(shared_data_dir: Path) -> None:
    """Each column's types are checked at once: one odd record sends the whole batch through
    the frame (a bool is not a number, a datetime not a date, a number not text, a column
    missing, a label present)."""
    records = _kcs_records(shared_data_dir / "customs-declarations/df_syn_test_eng.csv", 50)
    for odd in (
        {"net_mass_kg": True},
        {"date": datetime(2021, 4, 3, 12, 30)},
        {"declaration_id": 17},
        {"office": 40},
        {"critical_fraud": 0},
        {"seller_id": ...},  # removed
    ):
        batch = [dict(r) for r in records]
        batch[7] |= odd
        if "seller_id" in odd:
            del batch[7]["seller_id"]
        got = normalize_records(batch)
        expected = normalize_frame(pd.DataFrame(batch))
        assert list(got) == list(expected.columns)
        for c in expected.columns:
            want = expected[c].to_numpy()
            assert np.array_equal(got[c], want, equal_nan=want.dtype.kind == "f"), (odd, c)
