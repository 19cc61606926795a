"""The simulator's chart: weekly precision of each run (the platform's SVG chart kit)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from smartcustoms import charts

__all__ = ["chart_svg"]


def chart_svg(runs: Mapping[str, Any], width: int = 720, height: int = 320) -> str:
    """Lines of weekly precision (0..1) per run, with labelled axes and a legend."""
    longest = max((len(r.weeks) for r in runs.values()), default=0)
    series = [charts.Series(name, [w.precision for w in run.weeks]) for name, run in runs.items()]
    return charts.lines(
        [float(i + 1) for i in range(longest)],
        series,
        "Weekly precision per run",
        x_label="week of the simulation",
        y_label="precision (hit rate)",
        x_format=lambda v: f"{v:g}",
        y_format=charts.percent,
        y_min=0.0,
        y_max=1.0,
        markers=False,
        width=width,
        height=height,
    )
