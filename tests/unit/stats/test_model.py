"""Periods, growth, shares, percentiles, roll-up choice, charts and SDMX periods (pure)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from smartcustoms import charts
from smartcustoms.errors import InvalidInput
from smartcustoms.stats import levels
from smartcustoms.stats.export import sdmx_period
from smartcustoms.stats.model import growth_pct, parse_period, percentile, share_pct


@pytest.mark.parametrize(
    ("text", "first", "last", "code"),
    [
        ("2021", date(2021, 1, 1), date(2021, 12, 1), "2021"),
        ("2021-q2", date(2021, 4, 1), date(2021, 6, 1), "2021-Q2"),
        ("2021-H2", date(2021, 7, 1), date(2021, 12, 1), "2021-H2"),
        ("2021-05", date(2021, 5, 1), date(2021, 5, 1), "2021-05"),
        ("2021-01..2021-03", date(2021, 1, 1), date(2021, 3, 1), "2021-Q1"),
        ("2020-11..2021-02", date(2020, 11, 1), date(2021, 2, 1), "2020-11..2021-02"),
        ("fyp14", date(2021, 1, 1), date(2025, 12, 1), "FYP14"),
    ],
)
def test_periods(text: str, first: date, last: date, code: str) -> None:
    p = parse_period(text)
    assert (p.first, p.last, p.code) == (first, last, code)


def test_previous_and_year_before() -> None:
    q = parse_period("2021-Q1")
    assert q.previous().code == "2020-Q4" and q.year_before().code == "2020-Q1"
    fyp = parse_period("FYP14")
    assert (fyp.previous().first, fyp.previous().last) == (date(2016, 1, 1), date(2020, 12, 1))
    assert parse_period("2021-02").end_date == date(2021, 2, 28)
    named = {"PLAN": ("A plan", date(2022, 1, 1), date(2022, 6, 1))}
    assert parse_period("plan", named=named).label == "A plan"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "2021-Q5",
        "2021-13",
        "21",
        "2021-06..2021-01",
        "later",
        "0000",
        "9999-12",
        "0000-01..2021-01",
    ],
)
def test_bad_periods(text: str) -> None:
    with pytest.raises(InvalidInput):
        parse_period(text)


def test_growth_share_percentile() -> None:
    assert growth_pct(Decimal(150), Decimal(100)) == Decimal("50.00")
    assert growth_pct(Decimal(1), Decimal(0)) is None
    assert share_pct(Decimal(1), Decimal(3)) == Decimal("33.33")
    assert share_pct(Decimal(1), Decimal(0)) is None
    assert percentile([], 50) is None
    assert percentile([1, 2, 3, 4], 50) == 2.5
    assert percentile([0, 10], 90) == 9
    assert percentile([5], 90) == 5


def test_smallest_level_that_answers() -> None:
    assert levels.choose(partner=True, hs_digits=0, mode_office=False).code == "p"
    assert levels.choose(partner=False, hs_digits=4, mode_office=False).code == "h4"
    assert levels.choose(partner=True, hs_digits=2, mode_office=False).code == "ph2"
    assert levels.choose(partner=True, hs_digits=6, mode_office=False).code == "f"
    assert levels.choose(partner=False, hs_digits=0, mode_office=True).code == "mo"
    lv = levels.choose(partner=False, hs_digits=4, mode_office=False)
    assert levels.project(lv, "CN", "850760", "sea", "020") == ("*", "8507", "*", "*")


def test_charts_are_svg_with_titles_and_escape_text() -> None:
    svg = charts.bars([("A <b>", 10), ("B", 5)], "Top & partners", unit="KRW")
    assert svg.startswith("<svg") and "<title>Top &amp; partners</title>" in svg
    assert "<b>" not in svg and svg.count("<rect") == 2
    assert "no data" in charts.line([], "empty")
    assert "25.0 %" in charts.donut(1, 4, "share")
    assert charts.columns([("a", 1), ("b", 3)], "dist").count("<rect") == 2
    assert charts.compact(1_234_567) == "1.23M"


def test_sdmx_periods() -> None:
    assert sdmx_period(parse_period("2021-Q2")) == "2021-Q2"
    assert sdmx_period(parse_period("FYP14")) == "2021-01-01/P60M"
