"""The one chart kit of the platform: server-rendered SVG, pure Python (no scripts, no CDN).

Charts print, work without JavaScript, go into the PDF report as they are and run offline.
Every function returns one ``<svg>`` element as text with

- ``role="img"``, an ``aria-label`` and a ``<title>`` saying what it shows,
- a ``<desc>`` listing the figures drawn (what a screen reader reads, and the data fallback),
- labelled axes with their unit, and a ``<title>`` tooltip on every mark.

Values that are not finite numbers (NaN, infinities, ``None``) are never drawn: a line breaks
there and a bar is left out, so no ``NaN`` ever reaches the markup. Text is escaped.

The kit is the platform's kernel (imports nothing of SmartCustoms): stats, e-commerce and risk
draw with it, and the pages embed what it returns with ``|safe``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape
from itertools import pairwise

__all__ = [
    "PALETTE",
    "Series",
    "bars",
    "columns",
    "compact",
    "donut",
    "grouped_columns",
    "histogram",
    "line",
    "lines",
    "percent",
    "waterfall",
]

PALETTE = ("#1f6f8b", "#e07a1f", "#4c9a2a", "#b23a48", "#6b4c9a", "#8a8a8a")
FONT = 'font-family="system-ui, sans-serif"'
AXIS = "#5b6b7c"
GRID = "#e3e7ec"
Number = float | int | Decimal
Format = Callable[[float], str]


@dataclass(frozen=True, slots=True)
class Series:
    """One named series of values (``None``/NaN: no value there)."""

    name: str
    values: Sequence[Number | None]
    colour: str | None = None
    dashed: bool = False


# --- number formats ------------------------------------------------------------------------


def compact(value: float) -> str:
    """1234567 -> 1.23M (axis labels and bar ends)."""
    v = abs(value)
    for limit, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if v >= limit:
            return f"{value / limit:.3g}{suffix}"
    return f"{value:.3g}" if v else "0"


def percent(value: float) -> str:
    """0.125 -> 12.5% (shares and rates)."""
    text = f"{value * 100:.1f}".rstrip("0").rstrip(".")
    return f"{text}%"


def _num(value: Number | None) -> float | None:
    """A drawable number, or None (NaN, infinities and None are never drawn)."""
    if value is None or isinstance(value, bool):
        return None
    f = float(value)
    return f if math.isfinite(f) else None


def _nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round tick values covering [lo, hi] (1, 2, 2.5, 5 times a power of ten)."""
    if hi <= lo:
        hi = lo + 1.0
    raw = (hi - lo) / max(1, count)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first = math.floor(lo / step) * step
    ticks = []
    v = first
    while v < hi + step * 0.999:
        ticks.append(round(v, 12))
        v += step
    return ticks


# --- the frame every chart shares ----------------------------------------------------------


def _svg(
    width: float,
    height: float,
    title: str,
    body: str,
    *,
    desc: str = "",
    testid: str | None = None,
    css_class: str | None = None,
) -> str:
    t = escape(title)
    classes = "chart" + (f" {escape(css_class)}" if css_class else "")
    test = f' data-testid="{escape(testid)}"' if testid else ""
    described = f"<desc>{escape(desc)}</desc>" if desc else ""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:g} {height:g}" '
        f'width="{width:g}" height="{height:g}" role="img" aria-label="{t}" '
        f'class="{classes}"{test}><title>{t}</title>{described}{body}</svg>'
    )


def _heading(title: str) -> str:
    return f'<text x="0" y="18" {FONT} font-size="14" font-weight="600">{escape(title)}</text>'


def _no_data(width: int, title: str, testid: str | None, css_class: str | None) -> str:
    body = _heading(title) + f'<text x="0" y="50" {FONT} font-size="12">no data</text>'
    return _svg(width, 60, title, body, desc="no data", testid=testid, css_class=css_class)


def _with_unit(fmt: Format, unit: str) -> Callable[[float], str]:
    return lambda v: f"{fmt(v)} {unit}".strip()


class _Plot:
    """A rectangular plot area with a numeric y axis (and gridlines, ticks, axis titles)."""

    def __init__(
        self,
        width: int,
        height: int,
        lo: float,
        hi: float,
        *,
        left: int = 64,
        right: int = 20,
        top: int = 34,
        bottom: int = 48,
        y_format: Format = compact,
    ) -> None:
        self.left, self.right, self.top, self.bottom = left, right, top, bottom
        self.width, self.height = width, height
        self.plot_w = width - left - right
        self.plot_h = height - top - bottom
        self.ticks = _nice_ticks(lo, hi)
        self.lo, self.hi = min(self.ticks[0], lo), max(self.ticks[-1], hi)
        if self.hi <= self.lo:
            self.hi = self.lo + 1.0
        self.y_format = y_format

    def y(self, v: float) -> float:
        return self.top + self.plot_h * (1.0 - (v - self.lo) / (self.hi - self.lo))

    def axes(self, x_label: str, y_label: str) -> str:
        parts = []
        for tick in self.ticks:
            y = self.y(tick)
            parts.append(
                f'<line x1="{self.left}" x2="{self.left + self.plot_w}" y1="{y:.1f}" '
                f'y2="{y:.1f}" stroke="{GRID}"/>'
                f'<text x="{self.left - 6}" y="{y + 4:.1f}" text-anchor="end" {FONT} '
                f'font-size="10" fill="{AXIS}">{escape(self.y_format(tick))}</text>'
            )
        base = self.top + self.plot_h
        parts.append(
            f'<line x1="{self.left}" x2="{self.left + self.plot_w}" y1="{base}" y2="{base}" '
            f'stroke="{AXIS}"/><line x1="{self.left}" x2="{self.left}" y1="{self.top}" '
            f'y2="{base}" stroke="{AXIS}"/>'
        )
        if x_label:
            parts.append(
                f'<text x="{self.left + self.plot_w / 2:.1f}" y="{self.height - 6}" '
                f'text-anchor="middle" {FONT} font-size="11" fill="{AXIS}">'
                f"{escape(x_label)}</text>"
            )
        if y_label:
            mid = self.top + self.plot_h / 2
            parts.append(
                f'<text x="12" y="{mid:.1f}" transform="rotate(-90 12 {mid:.1f})" '
                f'text-anchor="middle" {FONT} font-size="11" fill="{AXIS}">'
                f"{escape(y_label)}</text>"
            )
        return "".join(parts)


def _legend(
    series: Sequence[Series], x: float, y: float, colours: Sequence[str], swatch: str = "line"
) -> str:
    parts = []
    offset = 0.0
    for s, colour in zip(series, colours, strict=True):
        dash = ' stroke-dasharray="5 3"' if s.dashed else ""
        if swatch == "rect":
            parts.append(
                f'<rect x="{x + offset + 3:.1f}" y="{y - 9:.1f}" width="10" height="10" '
                f'fill="{colour}"/>'
            )
        else:
            parts.append(
                f'<line x1="{x + offset:.1f}" x2="{x + offset + 16:.1f}" y1="{y - 4:.1f}" '
                f'y2="{y - 4:.1f}" stroke="{colour}" stroke-width="3"{dash}/>'
            )
        parts.append(
            f'<text x="{x + offset + 20:.1f}" y="{y:.1f}" {FONT} font-size="11">'
            f"{escape(s.name)}</text>"
        )
        offset += 28 + 6.5 * len(s.name)
    return "".join(parts)


def _colours(series: Sequence[Series]) -> list[str]:
    return [s.colour or PALETTE[i % len(PALETTE)] for i, s in enumerate(series)]


# --- horizontal bars -----------------------------------------------------------------------


def bars(
    items: Sequence[tuple[str, Number | None]],
    title: str,
    *,
    unit: str = "",
    width: int = 640,
    note: Sequence[str] | None = None,
    colours: dict[str, str] | None = None,
    value_format: Format = compact,
    label_width: int = 230,
    testid: str | None = None,
    css_class: str | None = None,
    empty: str = "no data",
) -> str:
    """Horizontal bars in the order given, each with its label and value (one ``<rect>`` per
    bar: partner shares, decisions by kind, feature importance)."""
    rows = [(label, _num(v)) for label, v in items]
    bar_h, gap, left, top = 22, 6, label_width, 30
    height = top + len(rows) * (bar_h + gap) + 24
    top_value = max((v for _, v in rows if v is not None), default=0) or 1
    span = width - left - 90
    shown = _with_unit(value_format, unit)
    parts = [_heading(title)]
    for i, (label, v) in enumerate(rows):
        y = top + i * (bar_h + gap)
        w = max(1.0, span * v / top_value) if v is not None and v > 0 else 0.0
        extra = f" · {note[i]}" if note and i < len(note) and note[i] else ""
        value = shown(v) if v is not None else "–"
        colour = (colours or {}).get(label, PALETTE[0])
        parts.append(
            f'<text x="{left - 6}" y="{y + 15}" text-anchor="end" {FONT} font-size="11">'
            f"{escape(label if len(label) <= 34 else label[:33] + '…')}</text>"
            f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{bar_h}" '
            f'fill="{colour}"><title>{escape(label)}: {escape(value)}</title></rect>'
            f'<text x="{left + w + 4:.1f}" y="{y + 15}" {FONT} font-size="11">'
            f"{escape(value_format(v) if v is not None else '–')}{escape(extra)}</text>"
        )
    if not rows:
        parts.append(f'<text x="0" y="50" {FONT} font-size="12">{escape(empty)}</text>')
        return _svg(
            width, 60, title, "".join(parts), desc=empty, testid=testid, css_class=css_class
        )
    if unit:
        parts.append(
            f'<text x="{left}" y="{height - 6}" {FONT} font-size="10" fill="{AXIS}">'
            f"{escape(unit)}</text>"
        )
    desc = "; ".join(f"{label}: {shown(v) if v is not None else 'no value'}" for label, v in rows)
    return _svg(width, height, title, "".join(parts), desc=desc, testid=testid, css_class=css_class)


# --- vertical columns ----------------------------------------------------------------------


def columns(
    items: Sequence[tuple[str, Number | None]],
    title: str,
    *,
    unit: str = "",
    x_label: str = "",
    y_label: str = "",
    colour: str = PALETTE[1],
    width: int = 640,
    height: int = 240,
    value_format: Format = compact,
    testid: str | None = None,
    css_class: str | None = None,
) -> str:
    """One series of vertical columns (a distribution; one ``<rect>`` per column)."""
    return grouped_columns(
        [label for label, _ in items],
        [Series(y_label or unit or "value", [v for _, v in items], colour)],
        title,
        unit=unit,
        x_label=x_label,
        y_label=y_label,
        width=width,
        height=height,
        value_format=value_format,
        testid=testid,
        css_class=css_class,
        legend=False,
    )


def grouped_columns(
    labels: Sequence[str],
    series: Sequence[Series],
    title: str,
    *,
    unit: str = "",
    x_label: str = "",
    y_label: str = "",
    width: int = 640,
    height: int = 240,
    value_format: Format = compact,
    testid: str | None = None,
    css_class: str | None = None,
    legend: bool = True,
) -> str:
    """Columns per label, several series side by side (duty and tax per day)."""
    if not labels:
        return _no_data(width, title, testid, css_class)
    values = [[_num(v) for v in s.values] for s in series]
    finite = [v for vals in values for v in vals if v is not None]
    plot = _Plot(
        width,
        height,
        min(0.0, min(finite, default=0.0)),
        max(finite, default=1.0) or 1.0,
        bottom=52 if legend else 40,
        y_format=value_format,
    )
    colours = _colours(series)
    n = len(labels)
    slot = plot.plot_w / n
    bar_w = max(1.0, slot * 0.8 / max(1, len(series)))
    shown = _with_unit(value_format, unit)
    parts = [_heading(title), plot.axes(x_label, y_label or unit)]
    zero = plot.y(max(plot.lo, 0.0))
    for s, vals in enumerate(values):
        for i, v in enumerate(vals[:n]):
            if v is None:
                continue
            y = plot.y(v)
            x = plot.left + i * slot + slot * 0.1 + s * bar_w
            top, h = min(y, zero), abs(zero - y)
            parts.append(
                f'<rect x="{x:.1f}" y="{top:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                f'fill="{colours[s]}"><title>{escape(series[s].name)}, {escape(labels[i])}: '
                f"{escape(shown(v))}</title></rect>"
            )
            if n * len(series) <= 24:
                parts.append(
                    f'<text x="{x + bar_w / 2:.1f}" y="{top - 3:.1f}" text-anchor="middle" '
                    f'{FONT} font-size="9">{escape(value_format(v))}</text>'
                )
    every = max(1, math.ceil(n / 12))
    for i, label in enumerate(labels):
        if i % every == 0:
            parts.append(
                f'<text x="{plot.left + (i + 0.5) * slot:.1f}" '
                f'y="{plot.top + plot.plot_h + 14}" text-anchor="middle" {FONT} '
                f'font-size="10">{escape(label)}</text>'
            )
    if legend and len(series) > 0:
        parts.append(_legend(series, plot.left, height - 22, colours, swatch="rect"))
    desc = " | ".join(
        f"{s.name}: "
        + "; ".join(
            f"{label} {shown(v) if v is not None else 'no value'}"
            for label, v in zip(labels, vals, strict=False)
        )
        for s, vals in zip(series, values, strict=True)
    )
    return _svg(width, height, title, "".join(parts), desc=desc, testid=testid, css_class=css_class)


def histogram(
    edges: Sequence[float],
    series: Sequence[Series],
    title: str,
    *,
    x_label: str = "",
    y_label: str = "",
    x_format: Format = compact,
    value_format: Format = percent,
    width: int = 640,
    height: int = 260,
    testid: str | None = None,
    css_class: str | None = None,
) -> str:
    """Bins between consecutive ``edges``; each series gives one value per bin (counts or
    shares), drawn side by side so two distributions compare bin by bin."""
    if len(edges) < 2:
        return _no_data(width, title, testid, css_class)
    labels = [f"{x_format(a)}–{x_format(b)}" for a, b in pairwise(edges)]
    return grouped_columns(
        labels,
        series,
        title,
        x_label=x_label,
        y_label=y_label,
        width=width,
        height=height,
        value_format=value_format,
        testid=testid,
        css_class=css_class,
    )


# --- lines ---------------------------------------------------------------------------------


def lines(
    x: Sequence[Number],
    series: Sequence[Series],
    title: str,
    *,
    x_label: str = "",
    y_label: str = "",
    x_format: Format = compact,
    y_format: Format = compact,
    x_ticks: Sequence[tuple[float, str]] | None = None,
    y_min: float | None = None,
    y_max: float | None = None,
    markers: bool = True,
    width: int = 640,
    height: int = 280,
    testid: str | None = None,
    css_class: str | None = None,
) -> str:
    """Lines over a numeric x axis, one per series; a missing value breaks its line."""
    xs = [_num(v) for v in x]
    values = [[_num(v) for v in s.values] for s in series]
    finite = [v for vals in values for v in vals if v is not None]
    finite_x = [v for v in xs if v is not None]
    if not finite or not finite_x:
        return _no_data(width, title, testid, css_class)
    lo = y_min if y_min is not None else min(0.0, min(finite))
    hi = y_max if y_max is not None else max(finite)
    plot = _Plot(width, height, lo, hi if hi > lo else lo + 1, bottom=58, y_format=y_format)
    x_lo, x_hi = min(finite_x), max(finite_x)
    if x_hi <= x_lo:  # one point: in the middle
        x_lo, x_hi = x_lo - 0.5, x_hi + 0.5

    def px(v: float) -> float:
        return plot.left + plot.plot_w * (v - x_lo) / (x_hi - x_lo)

    colours = _colours(series)
    parts = [_heading(title), plot.axes(x_label, y_label)]
    ticks = x_ticks if x_ticks is not None else [(t, x_format(t)) for t in _nice_ticks(x_lo, x_hi)]
    base = plot.top + plot.plot_h
    every = max(1, math.ceil(len(ticks) / 12))
    for k, (t, label) in enumerate(ticks):
        if not x_lo <= t <= x_hi or k % every:
            continue
        parts.append(
            f'<line x1="{px(t):.1f}" x2="{px(t):.1f}" y1="{base}" y2="{base + 4}" '
            f'stroke="{AXIS}"/><text x="{px(t):.1f}" y="{base + 15}" text-anchor="middle" '
            f'{FONT} font-size="10" fill="{AXIS}">{escape(label)}</text>'
        )
    for s, vals in enumerate(values):
        dash = ' stroke-dasharray="6 4"' if series[s].dashed else ""
        run: list[str] = []
        runs: list[list[str]] = []
        for xv, v in zip(xs, vals, strict=False):
            if xv is None or v is None:
                if run:
                    runs.append(run)
                run = []
                continue
            run.append(f"{px(xv):.1f},{plot.y(v):.1f}")
        if run:
            runs.append(run)
        for r in runs:
            parts.append(
                f'<polyline points="{" ".join(r)}" fill="none" stroke="{colours[s]}" '
                f'stroke-width="2"{dash}/>'
            )
        if markers and len(xs) <= 30:
            for xv, v in zip(xs, vals, strict=False):
                if xv is None or v is None:
                    continue
                parts.append(
                    f'<circle cx="{px(xv):.1f}" cy="{plot.y(v):.1f}" r="2.5" '
                    f'fill="{colours[s]}"><title>{escape(series[s].name)}, '
                    f"{escape(x_format(xv))}: {escape(y_format(v))}</title></circle>"
                )
    if len(series) > 1 or (series and series[0].name):
        parts.append(_legend(series, plot.left, height - 26, colours))
    desc = " | ".join(
        f"{s.name}: "
        + "; ".join(
            f"{x_format(xv) if xv is not None else '?'} "
            f"{y_format(v) if v is not None else 'no value'}"
            for xv, v in zip(xs, vals, strict=False)
        )
        for s, vals in zip(series, values, strict=True)
    )
    return _svg(width, height, title, "".join(parts), desc=desc, testid=testid, css_class=css_class)


def line(
    points: Sequence[tuple[str, Number | None]],
    title: str,
    *,
    unit: str = "",
    width: int = 640,
    height: int = 240,
    x_label: str = "",
    value_format: Format = compact,
    testid: str | None = None,
    css_class: str | None = None,
) -> str:
    """One time series with labelled points (months, quarters or weeks along the bottom)."""
    if not points:
        return _no_data(width, title, testid, css_class)
    labels = [label for label, _ in points]
    return lines(
        list(range(len(points))),
        [Series("", [v for _, v in points])],
        title,
        x_label=x_label,
        y_label=unit,
        x_format=lambda i: labels[int(i)] if 0 <= int(i) < len(labels) else "",
        y_format=value_format,
        x_ticks=[(float(i), label) for i, label in enumerate(labels)],
        width=width,
        height=height,
        testid=testid,
        css_class=css_class,
    )


# --- waterfall -----------------------------------------------------------------------------


def waterfall(
    start: tuple[str, Number],
    steps: Sequence[tuple[str, Number | None]],
    title: str,
    *,
    end_label: str = "total",
    unit: str = "",
    value_format: Format = compact,
    axis_format: Format | None = None,
    marks: Sequence[tuple[str, float]] = (),
    width: int = 720,
    label_width: int = 300,
    testid: str | None = None,
    css_class: str | None = None,
) -> str:
    """A running total from ``start`` through each step's contribution to the end, one row per
    step (long labels fit on the left); ``marks`` draws labelled vertical lines at values (a
    lane threshold, say). Positive steps are red (raise), negative green (lower)."""
    base = _num(start[1]) or 0.0
    rows: list[tuple[str, float, float, str]] = []  # label, from, to, kind
    total = base
    for label, v in steps:
        d = _num(v)
        if d is None:
            continue
        rows.append((label, total, total + d, "up" if d >= 0 else "down"))
        total += d
    everything = [base, total, *(a for _, a, _, _ in rows), *(b for _, _, b, _ in rows)]
    everything += [m for _, m in marks if _num(m) is not None]
    lo, hi = min(everything), max(everything)
    ticks = _nice_ticks(lo, hi)
    lo, hi = min(lo, ticks[0]), max(hi, ticks[-1])
    drawn_marks = [(label, v) for label, v in marks if _num(v) is not None]
    row_h, top = 24, 34 + 12 * max(0, len(drawn_marks) - 1)
    left, right = label_width, 70
    plot_w = width - left - right
    n = len(rows) + 2
    height = top + n * row_h + 48
    axis_fmt = axis_format or value_format

    def px(v: float) -> float:
        return left + plot_w * (v - lo) / (hi - lo)

    parts = [_heading(title)]
    bottom = top + n * row_h
    for t in ticks:
        parts.append(
            f'<line x1="{px(t):.1f}" x2="{px(t):.1f}" y1="{top}" y2="{bottom}" stroke="{GRID}"/>'
            f'<text x="{px(t):.1f}" y="{bottom + 14}" text-anchor="middle" {FONT} '
            f'font-size="10" fill="{AXIS}">{escape(axis_fmt(t))}</text>'
        )
    if unit:
        parts.append(
            f'<text x="{left + plot_w / 2:.1f}" y="{height - 8}" text-anchor="middle" {FONT} '
            f'font-size="11" fill="{AXIS}">{escape(unit)}</text>'
        )
    shown = [
        (start[0], min(0.0, base) if lo < 0 < hi else lo, base, "total"),
        *rows,
        (end_label, min(0.0, total) if lo < 0 < hi else lo, total, "total"),
    ]
    fills = {"up": "#c62828", "down": "#1f8a4c", "total": PALETTE[0]}
    for i, (label, a, b, kind) in enumerate(shown):
        y = top + i * row_h
        x0, x1 = sorted((px(a), px(b)))
        change = b - a if kind != "total" else b
        sign = "+" if kind == "up" else ""
        text = f"{sign}{value_format(change)}"
        room = max(12, label_width // 6)  # characters that fit at 11px
        short = label if len(label) <= room else label[: room - 1] + "…"
        parts.append(
            f'<text x="{left - 6}" y="{y + 16}" text-anchor="end" {FONT} font-size="11"'
            f"{' font-weight=' + chr(34) + '600' + chr(34) if kind == 'total' else ''}>"
            f"{escape(short)}</text>"
            f'<rect x="{x0:.1f}" y="{y + 4}" width="{max(1.0, x1 - x0):.1f}" '
            f'height="{row_h - 8}" fill="{fills[kind]}"><title>{escape(label)}: '
            f"{escape(text)} {escape(unit)}</title></rect>"
            f'<text x="{x1 + 4:.1f}" y="{y + 16}" {FONT} font-size="10">{escape(text)}</text>'
        )
        if 0 < i < len(shown) - 1:  # the connector to the next bar
            nxt = y + row_h + 4
            parts.append(
                f'<line x1="{px(b):.1f}" x2="{px(b):.1f}" y1="{y + row_h - 4}" y2="{nxt}" '
                f'stroke="{AXIS}" stroke-dasharray="2 2"/>'
            )
    for k, (label, value) in enumerate(drawn_marks):
        mv = float(value)
        label_y = top - 8 - 12 * (len(drawn_marks) - 1 - k)  # stacked: labels never overlap
        parts.append(
            f'<line x1="{px(mv):.1f}" x2="{px(mv):.1f}" y1="{label_y + 2}" y2="{bottom}" '
            f'stroke="#333" stroke-width="1.5" stroke-dasharray="6 3"><title>{escape(label)}: '
            f"{escape(axis_fmt(mv))}</title></line>"
            f'<text x="{px(mv) + 3:.1f}" y="{label_y}" {FONT} font-size="10">'
            f"{escape(label)}</text>"
        )
    desc = "; ".join(
        [f"{start[0]}: {value_format(base)}"]
        + [f"{label}: {'+' if b >= a else ''}{value_format(b - a)}" for label, a, b, _ in rows]
        + [f"{end_label}: {value_format(total)}"]
        + [f"{label} at {axis_fmt(v)}" for label, v in marks if _num(v) is not None]
    )
    return _svg(width, height, title, "".join(parts), desc=desc, testid=testid, css_class=css_class)


# --- a share of a whole --------------------------------------------------------------------


def donut(
    part: Number,
    whole: Number,
    title: str,
    *,
    label: str = "",
    testid: str | None = None,
    css_class: str | None = None,
) -> str:
    """One share of a whole (green goods in all trade, APEC in all partners)."""
    p, w = _num(part) or 0.0, _num(whole) or 0.0
    share = p / w if w else 0.0
    size, r, stroke = 260, 70, 28
    c = 2 * math.pi * r
    body = (
        _heading(title) + f'<circle cx="130" cy="125" r="{r}" fill="none" stroke="#e5e5e5" '
        f'stroke-width="{stroke}"/>'
        f'<circle cx="130" cy="125" r="{r}" fill="none" stroke="{PALETTE[2]}" '
        f'stroke-width="{stroke}" stroke-dasharray="{c * share:.2f} {c:.2f}" '
        f'transform="rotate(-90 130 125)"><title>{escape(label)} {share * 100:.2f} %</title>'
        f"</circle>"
        f'<text x="130" y="132" text-anchor="middle" {FONT} font-size="20" font-weight="600">'
        f"{share * 100:.1f} %</text>"
    )
    desc = f"{label or 'share'}: {share * 100:.1f} % ({compact(p)} of {compact(w)})"
    return _svg(size, 210, title, body, desc=desc, testid=testid, css_class=css_class)
