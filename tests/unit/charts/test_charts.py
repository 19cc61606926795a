"""The chart kit: every chart is well-formed SVG with a title, a description, labelled axes,
and never a NaN, whatever values it is given."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

import pytest

from smartcustoms import charts
from smartcustoms.charts import Series

SVG = "{http://www.w3.org/2000/svg}"
NAN = float("nan")


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)  # raises on malformed markup
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img" and root.get("aria-label")
    assert root.find(f"{SVG}title") is not None
    assert "nan" not in svg.lower().replace("nano", "") and "inf" not in svg.lower()
    return root


def texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter(f"{SVG}text")]


def test_bars_have_labels_values_unit_and_desc() -> None:
    svg = charts.bars(
        [("KR Korea", 1500), ("JP <Japan>", 500), ("XX", NAN)], "Top & co", unit="KRW"
    )
    root = parse(svg)
    assert root.find(f"{SVG}title").text == "Top & co"  # type: ignore[union-attr]
    assert "KR Korea" in texts(root) and "JP <Japan>" in texts(root) and "KRW" in texts(root)
    assert "1.5k KRW" in (root.find(f"{SVG}desc").text or "")  # type: ignore[union-attr]
    assert svg.count("<rect") == 3  # one per bar; the NaN bar has zero width, no value


def test_lines_axes_ticks_legend_and_gaps() -> None:
    svg = charts.lines(
        [0.01, 0.05, 0.1, 0.2],
        [Series("precision", [0.9, NAN, 0.5, None]), Series("recall", [0.1, 0.3, 0.5, 0.7])],
        "Precision and recall",
        x_label="share inspected",
        y_label="share",
        x_format=charts.percent,
        y_format=charts.percent,
        y_min=0,
        y_max=1,
    )
    root = parse(svg)
    words = texts(root)
    assert "share inspected" in words and "share" in words
    assert "100%" in words and "0%" in words  # y ticks
    assert "precision" in words and "recall" in words  # legend
    assert len(root.findall(f"{SVG}polyline")) == 3  # precision broken by its missing values


def test_line_histogram_columns_donut_waterfall_are_valid() -> None:
    parse(charts.line([("2021-01", 3), ("2021-02", 5)], "Per month", unit="USD"))
    assert "no data" in charts.line([], "empty")
    hist = charts.histogram(
        [0, 0.1, 0.2, 1.0],
        [Series("training", [0.5, 0.3, 0.2]), Series("week", [0.4, NAN, 0.6])],
        "Scores",
        x_label="fraud score",
        y_label="share of declarations",
    )
    assert "fraud score" in texts(parse(hist))
    parse(charts.columns([("a", 1), ("b", -2)], "dist", x_label="bucket", y_label="n"))
    parse(charts.donut(1, 0, "share"))
    fall = charts.waterfall(
        ("average declaration", -3.0),
        [("importer's past fraud rate", 1.2), ("HS 8507", -0.4), ("bad", NAN)],
        "Why this lane",
        end_label="this declaration",
        unit="log-odds",
        marks=[("yellow", -1.5), ("red", math.inf)],
    )
    root = parse(fall)
    words = texts(root)
    assert "+1.2" in words and "-0.4" in words and "yellow" in words and "log-odds" in words
    assert "red" not in words  # an infinite threshold is no mark


@pytest.mark.parametrize("value", [0.0, 1e-9, 7, 123456789.0, -5.5])
def test_ticks_and_formats_are_finite(value: float) -> None:
    parse(charts.columns([("x", value)], "one"))
    parse(charts.lines([0, 1], [Series("s", [value, value])], "flat"))
    assert charts.percent(0.125) == "12.5%" and charts.compact(1_234_567) == "1.23M"
