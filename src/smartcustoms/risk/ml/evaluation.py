"""Targeting quality: precision and recall at an inspection rate, ROC AUC, critical frauds caught,
multi-seed summaries and a report (Markdown or standalone HTML) with a precision-vs-rate chart.

precision@n% is the share of true frauds among the n% highest-scored declarations, the figure
the Customs Import Declaration Datasets paper reports.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import roc_auc_score

from smartcustoms import charts

DEFAULT_RATES: tuple[float, ...] = (0.01, 0.02, 0.05, 0.10)
CURVE_RATES: tuple[float, ...] = tuple(round(r, 3) for r in np.linspace(0.005, 0.30, 60))


def _top(scores: np.ndarray, rate: float) -> np.ndarray:
    """Indices of the ``rate`` share of highest scores (at least one; ties broken by position)."""
    n = max(1, round(len(scores) * rate))
    return np.argsort(-np.asarray(scores, dtype=np.float64), kind="stable")[:n]


def precision_at(y: np.ndarray, scores: np.ndarray, rate: float) -> float:
    return float(np.asarray(y)[_top(scores, rate)].mean())


def recall_at(y: np.ndarray, scores: np.ndarray, rate: float) -> float:
    y = np.asarray(y)
    total = y.sum()
    return float(y[_top(scores, rate)].sum() / total) if total else float("nan")


def evaluate_scores(
    y: np.ndarray,
    scores: np.ndarray,
    critical: np.ndarray | None = None,
    rates: Sequence[float] = DEFAULT_RATES,
) -> dict[str, float]:
    """Flat metrics dict: ``precision@5%``, ``recall@5%``, ``critical_caught@5%``, ``roc_auc``."""
    y = np.asarray(y)
    out: dict[str, float] = {}
    for rate in rates:
        tag = f"{rate * 100:g}%"
        out[f"precision@{tag}"] = precision_at(y, scores, rate)
        out[f"recall@{tag}"] = recall_at(y, scores, rate)
        if critical is not None:
            out[f"critical_caught@{tag}"] = recall_at(np.asarray(critical), scores, rate)
    out["roc_auc"] = float(roc_auc_score(y, scores)) if 0 < y.sum() < len(y) else float("nan")
    return out


def precision_curve(
    y: np.ndarray, scores: np.ndarray, rates: Sequence[float] = CURVE_RATES
) -> list[tuple[float, float]]:
    return [(float(r), precision_at(y, scores, r)) for r in rates]


def summarize(runs: Sequence[Mapping[str, float]]) -> dict[str, dict[str, float]]:
    """Mean and (population) standard deviation of each metric over runs (seeds)."""
    keys = list(runs[0]) if runs else []
    return {
        k: {
            "mean": float(np.mean([r[k] for r in runs])),
            "std": float(np.std([r[k] for r in runs])),
            "n": float(len(runs)),
        }
        for k in keys
    }


# -- report ---------------------------------------------------------------------------------


def precision_chart_svg(curves: Mapping[str, Sequence[tuple[float, float]]]) -> str:
    """A standalone SVG line chart of precision against inspection rate, one line per model
    (drawn by the platform's chart kit)."""
    rates = sorted({r for c in curves.values() for r, _ in c})
    series = []
    for name, curve in curves.items():
        by_rate = dict(curve)
        series.append(charts.Series(name, [by_rate.get(r) for r in rates]))
    return charts.lines(
        rates,
        series,
        "Precision against inspection rate",
        x_label="share of declarations inspected",
        y_label="precision (share of inspected that are frauds)",
        x_format=charts.percent,
        y_format=charts.percent,
        y_min=0.0,
        y_max=1.0,
        markers=False,
    )


def _fmt(stat: Mapping[str, float] | float) -> str:
    if isinstance(stat, Mapping):
        if stat.get("n", 1) > 1:
            return f"{stat['mean']:.3f} ± {stat['std']:.3f}"
        return f"{stat['mean']:.3f}"
    return f"{stat:.3f}"


def _table_rows(results: Mapping[str, Mapping[str, Any]]) -> tuple[list[str], list[list[str]]]:
    metrics = list(next(iter(results.values()))) if results else []
    header = ["model", *metrics]
    rows = [[name, *(_fmt(res[m]) for m in metrics)] for name, res in results.items()]
    return header, rows


def write_report(
    path: str | Path,
    results: Mapping[str, Mapping[str, Any]],
    curves: Mapping[str, Sequence[tuple[float, float]]],
    title: str = "Risk model evaluation",
    notes: Sequence[str] = (),
) -> Path:
    """Write a Markdown (``.md``) or standalone HTML (any other suffix) report.

    ``results`` maps a model name to its metrics (floats, or summaries from :func:`summarize`).
    """
    out = Path(path)
    svg = precision_chart_svg(curves)
    header, rows = _table_rows(results)
    if out.suffix.lower() in (".md", ".markdown"):
        data_uri = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
        lines = [f"# {title}", "", *[f"- {n}" for n in notes], ""]
        lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(r) + " |" for r in rows]
        lines += ["", f"![precision vs inspection rate]({data_uri})", ""]
        out.write_text("\n".join(lines))
        return out
    cells = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>" for r in rows
    )
    note_items = "".join(f"<li>{html.escape(n)}</li>" for n in notes)
    out.write_text(
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title><style>body{{font-family:sans-serif;margin:2em}}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;"
        "text-align:right}</style></head><body>"
        f"<h1>{html.escape(title)}</h1><ul>{note_items}</ul>"
        f"<table><tr>{cells}</tr>{body}</table><h2>Precision vs inspection rate</h2>{svg}"
        "</body></html>"
    )
    return out


# -- multi-seed comparison --------------------------------------------------------------------
