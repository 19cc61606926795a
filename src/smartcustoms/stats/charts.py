"""Server-rendered SVG charts (no scripts, no CDN): they print, they work without JavaScript,
and WeasyPrint puts them into the PDF report as they are.

Each function returns one ``<svg>`` element as a string, with a ``<title>`` and an
``aria-label`` that say what it shows.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal
from html import escape

__all__ = ["bars", "columns", "compact", "donut", "line"]

PALETTE = ("#1f6f8b", "#e07a1f", "#4c9a2a", "#b23a48", "#6b4c9a", "#8a8a8a")
FONT = 'font-family="system-ui, sans-serif"'


def compact(value: float) -> str:
    """1234567 -> 1.23M (axis labels and bar ends)."""
    v = abs(value)
    for limit, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if v >= limit:
            return f"{value / limit:.3g}{suffix}"
    return f"{value:.3g}" if v else "0"


def _svg(width: int, height: int, title: str, body: str) -> str:
    t = escape(title)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{t}" class="chart">'
        f"<title>{t}</title>{body}</svg>"
    )


def bars(
    items: Sequence[tuple[str, float | Decimal]],
    title: str,
    *,
    unit: str = "",
    width: int = 640,
    note: Sequence[str] | None = None,
) -> str:
    """Horizontal bars, largest first as given (partner shares, products)."""
    rows = [(label, float(v)) for label, v in items]
    bar_h, gap, left, top = 22, 6, 230, 30
    height = top + len(rows) * (bar_h + gap) + 10
    top_value = max((v for _, v in rows), default=0) or 1
    span = width - left - 90
    parts = [f'<text x="0" y="18" {FONT} font-size="14" font-weight="600">{escape(title)}</text>']
    for i, (label, v) in enumerate(rows):
        y = top + i * (bar_h + gap)
        w = max(1.0, span * v / top_value) if v > 0 else 0
        extra = f" · {note[i]}" if note and i < len(note) and note[i] else ""
        parts.append(
            f'<text x="{left - 6}" y="{y + 15}" text-anchor="end" {FONT} font-size="11">'
            f"{escape(label if len(label) <= 34 else label[:33] + '…')}</text>"
            f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{bar_h}" '
            f'fill="{PALETTE[0]}"><title>{escape(label)}: {v:,.2f} {escape(unit)}</title></rect>'
            f'<text x="{left + w + 4:.1f}" y="{y + 15}" {FONT} font-size="11">'
            f"{compact(v)}{escape(extra)}</text>"
        )
    if not rows:
        parts.append(f'<text x="0" y="50" {FONT} font-size="12">no data</text>')
        height = 60
    return _svg(width, height, title, "".join(parts))


def line(
    points: Sequence[tuple[str, float | Decimal]],
    title: str,
    *,
    unit: str = "",
    width: int = 640,
    height: int = 240,
) -> str:
    """A time series (months or quarters along the bottom)."""
    pts = [(label, float(v)) for label, v in points]
    left, right, top, bottom = 60, 30, 30, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    parts = [f'<text x="0" y="18" {FONT} font-size="14" font-weight="600">{escape(title)}</text>']
    if not pts:
        parts.append(f'<text x="0" y="50" {FONT} font-size="12">no data</text>')
        return _svg(width, 60, title, "".join(parts))
    hi = max(v for _, v in pts) or 1
    lo = min(0.0, min(v for _, v in pts))
    step = plot_w / max(1, len(pts) - 1)

    def xy(i: int, v: float) -> tuple[float, float]:
        return left + i * step, top + plot_h - (v - lo) / (hi - lo) * plot_h

    for k in range(5):  # horizontal grid with values
        v = lo + (hi - lo) * k / 4
        y = top + plot_h - plot_h * k / 4
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" {FONT} font-size="10">'
            f"{compact(v)}</text>"
        )
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in (xy(i, v) for i, (_, v) in enumerate(pts)))
    parts.append(f'<polyline points="{path}" fill="none" stroke="{PALETTE[0]}" stroke-width="2"/>')
    every = max(1, math.ceil(len(pts) / 12))
    for i, (label, v) in enumerate(pts):
        x, y = xy(i, v)
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{PALETTE[0]}">'
            f"<title>{escape(label)}: {v:,.2f} {escape(unit)}</title></circle>"
        )
        if i % every == 0:
            parts.append(
                f'<text x="{x:.1f}" y="{height - bottom + 16}" text-anchor="middle" {FONT} '
                f'font-size="10">{escape(label)}</text>'
            )
    return _svg(width, height, title, "".join(parts))


def columns(
    items: Sequence[tuple[str, int | float]],
    title: str,
    *,
    width: int = 640,
    height: int = 220,
) -> str:
    """Vertical columns (a distribution, e.g. release times per bucket)."""
    cols = [(label, float(v)) for label, v in items]
    left, top, bottom = 40, 30, 40
    plot_h = height - top - bottom
    hi = max((v for _, v in cols), default=0) or 1
    col_w = (width - left - 10) / max(1, len(cols))
    parts = [f'<text x="0" y="18" {FONT} font-size="14" font-weight="600">{escape(title)}</text>']
    for i, (label, v) in enumerate(cols):
        h = plot_h * v / hi
        x = left + i * col_w
        parts.append(
            f'<rect x="{x + 4:.1f}" y="{top + plot_h - h:.1f}" width="{col_w - 8:.1f}" '
            f'height="{h:.1f}" fill="{PALETTE[1]}"><title>{escape(label)}: {v:g}</title></rect>'
            f'<text x="{x + col_w / 2:.1f}" y="{top + plot_h - h - 4:.1f}" text-anchor="middle" '
            f'{FONT} font-size="10">{v:g}</text>'
            f'<text x="{x + col_w / 2:.1f}" y="{height - bottom + 16}" text-anchor="middle" '
            f'{FONT} font-size="10">{escape(label)}</text>'
        )
    return _svg(width, height, title, "".join(parts))


def donut(part: float | Decimal, whole: float | Decimal, title: str, *, label: str = "") -> str:
    """One share of a whole (e.g. green goods in all trade, APEC in all partners)."""
    p, w = float(part), float(whole)
    share = p / w if w else 0.0
    size, r, stroke = 260, 70, 28
    c = 2 * math.pi * r
    body = (
        f'<text x="0" y="18" {FONT} font-size="14" font-weight="600">{escape(title)}</text>'
        f'<circle cx="130" cy="125" r="{r}" fill="none" stroke="#e5e5e5" stroke-width="{stroke}"/>'
        f'<circle cx="130" cy="125" r="{r}" fill="none" stroke="{PALETTE[2]}" '
        f'stroke-width="{stroke}" stroke-dasharray="{c * share:.2f} {c:.2f}" '
        f'transform="rotate(-90 130 125)"><title>{escape(label)} {share * 100:.2f} %</title>'
        f"</circle>"
        f'<text x="130" y="132" text-anchor="middle" {FONT} font-size="20" font-weight="600">'
        f"{share * 100:.1f} %</text>"
    )
    return _svg(size, 210, title, body)
