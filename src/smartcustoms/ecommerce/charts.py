"""Server-rendered SVG charts of e-commerce clearance (no JavaScript, no CDN).

Each function takes plain figures and returns one ``<svg>`` element as text, with a title and
a text label on every bar so the figures are readable without hovering.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

__all__ = ["bars", "columns"]

W, H = 560, 220
COLOURS = {"release": "#2e7d32", "hold": "#f9a825", "inspect": "#c62828", "refuse": "#4a148c"}


def _fmt(v: float) -> str:
    if abs(v) >= 1_000_000:
        return f"{v / 1_000_000:.1f}M"
    if abs(v) >= 10_000:
        return f"{v / 1000:.0f}k"
    return f"{v:,.0f}" if float(v).is_integer() or abs(v) >= 100 else f"{v:,.2f}"


def columns(
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float], str]],
    testid: str,
) -> str:
    """Vertical columns per label; several series side by side (e.g. duty and tax per day)."""
    n = max(1, len(labels))
    top = max([max(vals, default=0.0) for _, vals, _ in series] + [1.0])
    left, bottom, plot_h = 40, 40, H - 70
    slot = (W - left - 10) / n
    width = max(2.0, slot * 0.8 / max(1, len(series)))
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" role="img" '
        f'data-testid="{escape(testid)}" class="ecom-chart"><title>{escape(title)}</title>',
        f'<text x="{left}" y="16" font-size="13" font-weight="bold">{escape(title)}</text>',
    ]
    for s, (name, vals, colour) in enumerate(series):
        for i, v in enumerate(vals):
            h = plot_h * v / top
            x = left + i * slot + s * width + slot * 0.1
            y = H - bottom - h
            out.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{h:.1f}" '
                f'fill="{colour}"><title>{escape(name)} {escape(labels[i])}: '
                f"{_fmt(v)}</title></rect>"
            )
            if n <= 16:
                out.append(
                    f'<text x="{x + width / 2:.1f}" y="{y - 3:.1f}" font-size="9" '
                    f'text-anchor="middle">{_fmt(v)}</text>'
                )
    step = max(1, n // 8)
    for i, label in enumerate(labels):
        if i % step == 0:
            x = left + i * slot + slot / 2
            out.append(
                f'<text x="{x:.1f}" y="{H - bottom + 14}" font-size="9" '
                f'text-anchor="middle">{escape(label)}</text>'
            )
    for s, (name, _, colour) in enumerate(series):
        out.append(
            f'<rect x="{left + s * 110}" y="{H - 14}" width="10" height="10" '
            f'fill="{colour}"/><text x="{left + s * 110 + 14}" y="{H - 5}" '
            f'font-size="10">{escape(name)}</text>'
        )
    out.append("</svg>")
    return "".join(out)


def bars(
    title: str,
    items: Sequence[tuple[str, float]],
    testid: str,
    colours: dict[str, str] | None = None,
) -> str:
    """Horizontal bars with their label and value (decisions by kind, top HS chapters)."""
    colours = colours or {}
    rows = max(1, len(items))
    row_h = min(26, (H - 30) / rows)
    height = int(30 + row_h * rows + 6)
    top = max([v for _, v in items] + [1.0])
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {height}" role="img" '
        f'data-testid="{escape(testid)}" class="ecom-chart"><title>{escape(title)}</title>',
        f'<text x="0" y="16" font-size="13" font-weight="bold">{escape(title)}</text>',
    ]
    for i, (label, v) in enumerate(items):
        y = 28 + i * row_h
        w = (W - 200) * v / top
        colour = colours.get(label, "#1565c0")
        out.append(f'<text x="0" y="{y + row_h * 0.65:.1f}" font-size="11">{escape(label)}</text>')
        out.append(
            f'<rect x="120" y="{y:.1f}" width="{w:.1f}" height="{row_h * 0.75:.1f}" '
            f'fill="{colour}"><title>{escape(label)}: {_fmt(v)}</title></rect>'
        )
        out.append(
            f'<text x="{124 + w:.1f}" y="{y + row_h * 0.65:.1f}" font-size="11">{_fmt(v)}</text>'
        )
    if not items:
        out.append('<text x="0" y="44" font-size="11">no parcels yet</text>')
    out.append("</svg>")
    return "".join(out)
