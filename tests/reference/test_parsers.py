"""Parsers and pure helpers: files in, rows out (the built-in sample and tiny tmp files)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from smartcustoms.errors import InvalidInput
from smartcustoms.reference import service
from smartcustoms.reference.loaders import egl, fx, hs, unlocode
from smartcustoms.reference.loaders.common import BadFile, fold
from smartcustoms.reference.model import format_hs
from smartcustoms.reference.sources import SAMPLE_DIR, sample_name


def test_hs_sample_parses_with_sections_chapters_and_parent_chain() -> None:
    data = hs.parse(
        SAMPLE_DIR / sample_name("harmonized-system/harmonized-system.csv"),
        SAMPLE_DIR / sample_name("harmonized-system/sections.csv"),
    )
    by_code = {r["code"]: r for r in data.codes}
    assert len(data.sections) == 21
    assert data.sections[0]["name"] == "Live animals; animal products"  # capitalised
    assert sum(1 for r in data.codes if r["level"] == 2) == 96
    assert by_code["850760"]["parent"] == "8507" and by_code["8507"]["parent"] == "85"
    assert by_code["85"]["parent"] is None and by_code["85"]["section"] == "XVI"
    # Chapter 99 ("not specified according to kind") is a statistics code, not HS (issue 8).
    assert "99" not in by_code
    docs = {d[0]: d for d in data.documents}
    assert docs["850760"][1].startswith("8507.60 ")
    assert "Electric accumulators" in docs["850760"][2]  # the heading's text as body
    assert "battery" in docs["850760"][2]  # synonym for accumulators


def test_hs_rejects_a_code_that_does_not_fit_its_level(tmp_path: Path) -> None:
    bad = tmp_path / "hs.csv"
    bad.write_text(
        "section,hscode,description,parent,level\nXVI,85,Electrical,TOTAL,2\nXVI,850,Broken,85,4\n",
        encoding="utf-8",
    )
    with pytest.raises(BadFile, match=r"hs.csv line 3: code '850' does not fit level 4"):
        hs.parse(bad, SAMPLE_DIR / sample_name("harmonized-system/sections.csv"))


def test_fx_orientation_is_measured_not_assumed() -> None:
    # EUR quoted per USD: EUR x 1.95583 equals the DEM rate of the same month.
    per_usd = [
        ("EUR", date(1999, 1, 1), Decimal("0.8627")),
        ("DEM", date(1999, 1, 1), Decimal("1.6874")),
    ]
    assert fx.detect_orientation(per_usd)[0] is False
    # The same month with EUR in USD per unit (as H.10 publishes it).
    usd_per_unit = [
        ("EUR", date(1999, 1, 1), Decimal("1.1591")),
        ("DEM", date(1999, 1, 1), Decimal("1.6874")),
    ]
    assert fx.detect_orientation(usd_per_unit)[0] is True
    # Without a euro overlap the pound decides: it was never worth less than a dollar.
    assert fx.detect_orientation([("GBP", date(2021, 4, 1), Decimal("0.7223"))])[0] is False
    assert fx.detect_orientation([("GBP", date(2021, 4, 1), Decimal("1.3845"))])[0] is True


def test_fx_inverts_only_the_usd_per_unit_currencies(tmp_path: Path) -> None:
    path = tmp_path / "monthly.csv"
    path.write_text(
        "Date,Country,Exchange rate\n2021-04-01,United Kingdom,1.25\n"
        "2021-04-01,Japan,109.0445\n2021-04-01,Venezuela,2341350.69\n",
        encoding="utf-8",
    )
    data = fx.parse(path)
    rows = {r["currency"]: r for r in data.rows}
    assert data.inverted_in_file is True
    assert rows["GBP"]["per_usd"] == "0.8" and rows["GBP"]["source_quote"] == "USD per unit"
    assert rows["JPY"]["per_usd"] == "109.0445" and rows["JPY"]["source_quote"] == "per USD"
    assert "VES" not in rows and len(rows) == 2  # Venezuela's chained series is skipped


def test_fx_sample_is_all_per_usd() -> None:
    data = fx.parse(SAMPLE_DIR / sample_name("exchange-rates/monthly.csv"))
    assert data.inverted_in_file is False
    eur = next(r for r in data.rows if r["currency"] == "EUR" and r["month"] == date(2021, 4, 1))
    assert Decimal(str(eur["per_usd"])) < 1  # a euro was worth more than a dollar in 2021


def test_fx_rejects_unknown_country(tmp_path: Path) -> None:
    path = tmp_path / "monthly.csv"
    path.write_text("Date,Country,Exchange rate\n2021-04-01,Atlantis,3.5\n", encoding="utf-8")
    with pytest.raises(BadFile, match="unknown country 'Atlantis'"):
        fx.parse(path)


def test_egl_mapping_keeps_existing_codes_and_follows_splits() -> None:
    rows, unmapped = egl.map_to_current(
        ["841919", "854140", "902780", "123450"],
        ["841919", "854141", "854142", "854143", "854149", "902781", "902789", "854150"],
    )
    pairs = {(r["code"], r["listed_code"], r["derivation"]) for r in rows}
    assert ("841919", "841919", egl.LISTED) in pairs
    assert {c for c, listed, _ in pairs if listed == "854140"} == {
        "854141",
        "854142",
        "854143",
        "854149",
    }
    assert {c for c, listed, _ in pairs if listed == "902780"} == {"902781", "902789"}
    assert unmapped == ["123450"]


def test_egl_list_file_parses() -> None:
    codes = egl.parse(SAMPLE_DIR / sample_name("apec-egl/apec_egl_hs2007_codes.txt"))
    assert len(codes) == 54 and "854140" in codes


def test_unlocode_sample_skips_headings_and_folds_names() -> None:
    rows = list(
        unlocode.parse(SAMPLE_DIR / sample_name("unlocode/unlocode-code-list-2018-1_full.csv"))
    )
    busan = next(r for r in rows if r["code"] == "KRPUS")
    assert busan["name_key"] == "busan" and busan["country"] == "KR"
    assert unlocode.function_names(str(busan["functions"]))[0] == "port"
    assert [r["id"] for r in rows] == list(range(1, len(rows) + 1))


def test_unlocode_rejects_malformed_line(tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_text(
        ',"KR","PUS","Busan","Busan","26","1-------","AF","1001",,"",\n'
        ',"KR","P","Bad","Bad","26","1-------","AF","1001",,"",\n',
        encoding="utf-8",
    )
    with pytest.raises(BadFile, match="line 2"):
        list(unlocode.parse(path))


def test_fold_removes_accents_and_case() -> None:
    assert fold("Püspökladány") == "puspokladany"


@pytest.mark.parametrize(
    "raw,expected", [("850760", "850760"), ("8507.60", "850760"), (" 85 ", "85"), ("8507", "8507")]
)
def test_normalise_hs_accepts_common_spellings(raw: str, expected: str) -> None:
    assert service.normalise_hs(raw) == expected


@pytest.mark.parametrize("raw", ["85a", "8507.6", "85076", "", "85076012"])
def test_normalise_hs_rejects_malformed_codes(raw: str) -> None:
    with pytest.raises(InvalidInput) as info:
        service.normalise_hs(raw)
    assert info.value.errors[0].code == "malformed_hs_code"
    assert repr(raw) in info.value.errors[0].message


def test_nearest_prefers_longest_shared_prefix() -> None:
    codes = ["850710", "850760", "850780", "850790", "851000"]
    assert service._nearest(codes, "850799", 2) == ["850790", "850780"]


def test_parse_amount() -> None:
    assert service.parse_amount("1000000.50") == Decimal("1000000.50")
    for bad in ("abc", "NaN", "inf", "1,000"):
        with pytest.raises(InvalidInput):
            service.parse_amount(bad)


def test_format_hs() -> None:
    assert format_hs("850760") == "8507.60" and format_hs("85") == "85"
