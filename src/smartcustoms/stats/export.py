"""Trade figures as files: CSV, XLSX (openpyxl) and SDMX-CSV (version 1 layout: one
observation per row, dimensions then ``TIME_PERIOD`` and ``OBS_VALUE``) for statistical
offices."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal

from smartcustoms.stats.model import By, Period, TradeResult

__all__ = ["FORMATS", "table", "to_csv", "to_sdmx_csv", "to_xlsx"]

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "sdmx": "text/csv; charset=utf-8",
}
DATAFLOW = "SMARTCUSTOMS:TRADE(1.0)"
_FLOW_CODE = {"import": "M", "export": "X", "total": "T"}


def table(r: TradeResult) -> tuple[list[str], list[list[object]]]:
    header = [
        r.by.value, "label", f"value_{r.currency}", "value_USD", "share_pct", "net_mass_kg",
        "items",
    ]  # fmt: skip
    rows: list[list[object]] = [
        [x.key, x.label, x.value, x.value_usd, x.share_pct, x.net_mass_kg, x.items] for x in r.rows
    ]
    if r.other is not None:
        o = r.other
        rows.append(["other", "", o.value, o.value_usd, None, o.net_mass_kg, o.items])
    t = r.total
    rows.append(["total", "", t.value, t.value_usd, Decimal(100), t.net_mass_kg, t.items])
    return header, rows


def _text(v: object) -> str:
    return "" if v is None else str(v)


def to_csv(r: TradeResult) -> str:
    header, rows = table(r)
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow([f"# {r.economy} {r.flow.value} trade by {r.by.value}, {r.period.label}"])
    w.writerow(header)
    for row in rows:
        w.writerow([_text(v) for v in row])
    return out.getvalue()


def to_xlsx(r: TradeResult) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = f"{r.by.value} {r.period.code}"[:31].replace("..", "-")
    ws.append([f"{r.economy} {r.flow.value} trade by {r.by.value}, {r.period.label}"])
    header, rows = table(r)
    ws.append(header)
    for row in rows:
        # Numbers as numbers (Excel sums them); exact decimals keep their digits.
        ws.append([float(v) if isinstance(v, Decimal) else v for v in row])
    for col, w in zip("ABCDEFG", (12, 36, 20, 18, 10, 16, 10), strict=True):
        ws.column_dimensions[col].width = w
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def sdmx_period(p: Period) -> str:
    if re.fullmatch(r"\d{4}(-Q[1-4]|-\d{2})?", p.code):
        return p.code
    return f"{p.first.isoformat()}/P{p.length}M"


def to_sdmx_csv(r: TradeResult) -> str:
    """Values in the economy's currency and in USD as two observations per row (UNIT_MEASURE).
    Rows of a partner breakdown carry the partner; other breakdowns put their key into
    COMMODITY (HS levels), TRANSPORT_MODE or CUSTOMS_OFFICE."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(
        ["DATAFLOW", "REPORTER", "PARTNER", "FLOW", "COMMODITY", "TRANSPORT_MODE",
         "CUSTOMS_OFFICE", "TIME_PERIOD", "UNIT_MEASURE", "OBS_VALUE"]
    )  # fmt: skip
    flow = _FLOW_CODE[r.flow.value]
    for x in r.rows:
        partner = x.key if r.by is By.PARTNER else r.filters.get("partner", "_T")
        hs = x.key if r.by in (By.CHAPTER, By.HEADING, By.SUBHEADING) else r.filters.get("hs", "_T")
        mode = x.key if r.by is By.MODE else r.filters.get("mode", "_T")
        office = x.key if r.by is By.OFFICE else r.filters.get("office", "_T")
        time = sdmx_period(r.period)
        if r.by in (By.MONTH, By.QUARTER, By.YEAR):
            time = x.key
        for unit, value in ((r.currency, x.value), ("USD", x.value_usd)):
            if value is not None:
                w.writerow([DATAFLOW, r.economy, partner, flow, hs, mode, office, time, unit,
                            value])  # fmt: skip
    return out.getvalue()
