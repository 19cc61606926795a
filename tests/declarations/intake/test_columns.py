"""The columnar check of the bulk import gives what the per-row check gives (issue 16): the
same report (rows, counts, warnings; every error with row, column, field, code and message, in
order) and the same checked rows (declarations, assessments, documents, digests, labels), on
the real KCS file and on hostile rows. The per-row path (``columnar=False``) is the reference."""

from __future__ import annotations

import csv
import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smartcustoms.declarations.demo import KCS_DIR, TEST_SPLIT, load_kr_demo_schedule
from smartcustoms.declarations.intake import importing
from smartcustoms.declarations.intake.checking import Checker
from smartcustoms.declarations.intake.columns import ColumnReader
from smartcustoms.declarations.intake.mapping import Mapper, open_rows
from smartcustoms.declarations.intake.profiles import Profile, load_profile, parse_profile
from tests.declarations.conftest import KR
from tests.declarations.test_import_errors import BAD, BASE

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)


@dataclasses.dataclass
class Pass:
    report: dict[str, Any]
    goods: list[tuple[Any, ...]]


def check_pass(kr: KR, file: Path, prof: Profile, *, columnar: bool, chunk: int) -> Pass:
    """The import's check pass (what a dry run does), and every row it kept for storing."""
    report = importing.ImportReport(prof.name, str(file), "KR", True)
    with importing._Spool() as spool:
        importing._check_file(
            kr.db.uow(),
            kr.officer,
            prof,
            file,
            "KR",
            NOW,
            report,
            spool,
            chunk,
            lambda *_: None,
            columnar=columnar,
        )
        goods = [
            (
                g.row,
                g.fraud,
                g.critical,
                g.critical_code,
                repr(g.decl),  # reprs: every Decimal with its digits and exponent
                repr(g.assessment),
                g.digest,
                # The key order too: it is the order of the stored JSON text.
                None if g.document is None else orjson.dumps(g.document),
            )
            for chunk_ in spool
            for g in chunk_
        ]
    fields = dataclasses.asdict(report)
    fields.pop("seconds")
    return Pass(fields, goods)


def read_rows(kr: KR, file: Path, prof: Profile) -> Iterator[tuple[Any, ...]]:
    """Per row: the columnar read (or None) next to the per-row read."""
    checker = Checker(kr.db.uow(), "KR", NOW.date(), policy=prof.policy)
    columns = ColumnReader.build(prof, economy="KR", today=NOW.date(), policy=prof.policy)
    assert columns is not None
    mapper = Mapper(prof)
    reader, handle = open_rows(file, prof)
    with handle:
        rows = list(enumerate(reader, start=2))
    clean = columns.read([r for _, r in rows])
    for (line, row), done in zip(rows, clean, strict=True):
        m = mapper(row, line)
        decl, errors, warnings = checker.read(m.document)
        yield line, done, m, decl, errors, warnings


def assert_same_reads(kr: KR, file: Path, prof: Profile) -> int:
    """Every row the column reader finds clean reads clean one by one, into the same
    declaration with the same warnings and labels; returns how many were clean."""
    mapper = Mapper(prof)
    reader, handle = open_rows(file, prof)
    with handle:
        raw = list(reader)
    n = 0
    for (line, done, m, decl, errors, warnings), row in zip(
        read_rows(kr, file, prof), raw, strict=True
    ):
        if done is None:
            continue
        n += 1
        assert not m.problems and not errors, line
        assert repr(done.decl) == repr(decl), line
        assert done.warnings == warnings, line
        assert mapper.labels(row) == (m.fraud, m.critical, m.critical_code)
    return n


def test_the_kcs_file_checks_the_same_by_columns(
    kr: KR, shared_data_dir: Path, tmp_path: Path
) -> None:
    split = shared_data_dir / KCS_DIR / TEST_SPLIT
    load_kr_demo_schedule(kr.db.uow(), [split])  # the rates the demo assesses with
    prof = load_profile("kcs-cdd")
    by_rows = check_pass(kr, split, prof, columnar=False, chunk=3000)
    by_columns = check_pass(kr, split, prof, columnar=True, chunk=3000)
    assert by_columns.report == by_rows.report
    assert by_rows.report["valid"] > 8000 and not by_rows.report["errors"]
    assert set(by_rows.report["warnings"]) >= {"reimport", "departs_from_destination"}
    assert len(by_columns.goods) == len(by_rows.goods)
    for mine, theirs in zip(by_columns.goods, by_rows.goods, strict=True):
        assert mine == theirs
    # Every row of the real file is clean, and read by the columns (no per-row fallback).
    assert assert_same_reads(kr, split, prof) == by_rows.report["rows"]


# --- hostile rows ----------------------------------------------------------------------------

HOSTILE = [
    *BAD,
    " 40 ",
    "1_000",
    "1e3",
    "-0",
    "0.000",
    "+5",
    "١٢٣",
    "²",
    "８５０７６０",
    "85.07.60",
    "8507 60",
    "0850760",
    "2021-04-01T00:00",
    "20210514",
    "2021-W19-5",
    " 2021-05-14",
    "zz",
    " kr ",
    "cn",
    "\t",
    "{Declaration ID}",
    "1" * 65,
    "a\nb",
    "inf",
    "sNaN",
    "1000.5",
    "999999999999999",
    "20",
    "9",
    "",
]
OTHER_GOOD = {
    "Date": ["2021-04-01", "2026-06-01", "2025-06-02"],
    "Mode of Transport": ["10", "40", "90", "50"],
    "HS6 Code": ["850760", "610910", "30111", "8504.40", "902710"],
    "Country of Departure": ["KR", "ZZ", "us", "VN"],
    "Country of Origin": ["KR", "ZZ", "CN", "jp"],
    "Tax Type": ["FCN1", "a", "C", ""],
    "Tax Rate": ["0", "8", "1000", "1000.1"],
    "Net Mass": ["0", "0.0", "2.50", "1E+2"],
    "Item Price": ["0", "12.30", "5E2"],
    "Seller ID": [""],
    "Courier ID": ["CR1", ""],
    "Fraud": ["1", "", " 1"],
    "Critical Fraud": ["2", "1", ""],
    "Office ID": ["1" * 21, "O"],
}
text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=6
)


@st.composite
def hostile_row(
    draw: st.DrawFn, n: int, base: dict[str, str], good: dict[str, list[str]]
) -> dict[str, str]:
    row = {**base, "Declaration ID": f"H{n:04d}"}
    for column in draw(st.lists(st.sampled_from(list(base)), max_size=4)):
        row[column] = draw(
            st.sampled_from(good.get(column, [base[column]])) | st.sampled_from(HOSTILE) | text
        )
    return row


@st.composite
def hostile_file(
    draw: st.DrawFn, base: dict[str, str], good: dict[str, list[str]]
) -> list[dict[str, str]]:
    size = draw(st.integers(1, 14))
    rows = [draw(hostile_row(n, base, good)) for n in range(size)]
    for _ in range(draw(st.integers(0, 2))):  # a repeated row (and reference)
        rows.append(dict(draw(st.sampled_from(rows))))
    return rows


def write(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(BASE))
        writer.writeheader()
        writer.writerows(rows)


# A profile that maps the parties' names and countries, a template with two placeholders and
# a code list, to reach the rules the shipped profile does not (a party without its id, an
# export, a whitespace-only template, an unknown code).
EXPORT_PROFILE = {
    "name": "hostile",
    "fields": {
        "kind": {"column": "Import Type", "codes": "kind"},
        "reference": {"template": "{Declaration ID}{Payment Type}"},
        "date": {"column": "Date"},
        "office": {"column": "Office ID"},
        "transport_mode": {"column": "Mode of Transport", "codes": "mode"},
        "invoice_currency": {"column": "Process Type"},
        "incoterm": {"column": "Import Use"},
        "freight": {"column": "Tax Rate"},
        "declarant.id": {"column": "Declarant ID"},
        "declarant.name": {"template": " {Importer ID} "},
        "exporter.id": {"column": "Importer ID"},
        "buyer.id": {"column": "Seller ID"},
        "buyer.country": {"column": "Country of Departure"},
        "importer.id": {"column": "Courier ID"},
        "destination_country": {"column": "Country of Departure"},
        "departure_date": {"column": "Date"},
        "national.indicator": {"column": "Country of Origin Indicator"},
        "items[0].hs_code": {"column": "HS6 Code", "pad": 6},
        "items[0].description": {"template": "{Tax Type}"},
        "items[0].origin_country": {"column": "Country of Origin"},
        "items[0].net_mass_kg": {"column": "Net Mass"},
        "items[0].gross_mass_kg": {"column": "Item Price"},
        "items[0].invoice_value": {"column": "Item Price"},
        "items[0].quantity": {"column": "Fraud"},
        "items[0].unit": {"column": "Critical Fraud"},
        "items[0].preference": {"column": "Tax Type"},
    },
    "codes": {
        "kind": {"11": "import", "12": "export", "13": "EXPORT", "14": ""},
        "mode": {"10": "sea", "40": "air", "90": "nowhere"},
    },
    "policy": {"allow_zero_mass": True},
}
EXPORT_BASE = {
    **BASE,
    "Import Type": "12",
    "Process Type": "KRW",
    "Import Use": "FOB",
    "Payment Type": "",
    "Courier ID": "IMP9",
    "Fraud": "3",
    "Critical Fraud": "pce",
}
EXPORT_GOOD = {
    **OTHER_GOOD,
    "Import Type": ["11", "12", "13", "14", "15"],
    "Process Type": ["KRW", "usd", "XXX"],
    "Import Use": ["FOB", "cif", "ABC"],
    "Payment Type": ["", " ", "X"],
    "Courier ID": ["", "C"],
    "Fraud": ["", "0", "2"],
    "Critical Fraud": ["", "KG"],
}


@pytest.mark.parametrize("profile", ["kcs-cdd", "hostile"])
def test_hostile_rows_are_reported_the_same(kr: KR, tmp_path: Path, profile: str) -> None:
    if profile == "kcs-cdd":
        prof, base, good = load_profile(profile), BASE, OTHER_GOOD
    else:
        prof, base, good = parse_profile(EXPORT_PROFILE), EXPORT_BASE, EXPORT_GOOD
    file = tmp_path / "hostile.csv"
    seen_clean = seen_bad = 0

    @settings(
        max_examples=25,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(rows=hostile_file(base, good))
    def same(rows: list[dict[str, str]]) -> None:
        nonlocal seen_clean, seen_bad
        write(file, rows)
        by_rows = check_pass(kr, file, prof, columnar=False, chunk=5)
        by_columns = check_pass(kr, file, prof, columnar=True, chunk=5)
        assert by_columns.report == by_rows.report
        assert by_columns.goods == by_rows.goods
        clean = assert_same_reads(kr, file, prof)
        seen_clean += clean
        seen_bad += len(rows) - clean

    same()
    assert seen_clean and seen_bad  # both kinds of rows were compared


@pytest.mark.parametrize("profile", ["kcs-cdd", "hostile"])
def test_every_hostile_value_in_every_column_is_reported_the_same(
    kr: KR, tmp_path: Path, profile: str
) -> None:
    """Each column given each hostile and each other valid value, one per row."""
    if profile == "kcs-cdd":
        prof, base, good = load_profile(profile), BASE, OTHER_GOOD
    else:
        prof, base, good = parse_profile(EXPORT_PROFILE), EXPORT_BASE, EXPORT_GOOD
    rows = []
    for column in base:
        for value in [*HOSTILE, *good.get(column, [])]:
            rows.append({**base, "Declaration ID": f"E{len(rows):05d}", column: value})
    rows.append(dict(rows[-1]))  # a repeated reference
    file = tmp_path / "every.csv"
    write(file, rows)
    by_rows = check_pass(kr, file, prof, columnar=False, chunk=400)
    by_columns = check_pass(kr, file, prof, columnar=True, chunk=400)
    assert by_columns.report == by_rows.report
    assert by_columns.goods == by_rows.goods
    clean = assert_same_reads(kr, file, prof)
    assert 0 < clean < len(rows) and by_rows.report["errors"]
