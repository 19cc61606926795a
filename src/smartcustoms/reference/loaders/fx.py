"""Monthly exchange rates from ``exchange-rates/monthly.csv`` (US Federal Reserve H.10 / G.5).

Columns: Date (first of the month), Country (a country or "Euro"), Exchange rate.

**Which way the rates are quoted.** The Fed's H.10 release quotes AUD, EUR, NZD, GBP and IEP
in USD per unit and every other currency in units per USD, and the dataset's README repeats
that. The published ``monthly.csv``, however, already holds *all* series in units per USD
(April 2021: Euro 0.8358, United Kingdom 0.7223, Australia 1.2985). Trusting the README would
invert five currencies and get every conversion through them wrong, so the orientation is
*measured* from the file itself:

1. Euro against a legacy euro currency in the months both are quoted (1999–2001): the
   irrevocable conversion rates (1 EUR = 1.95583 DEM, 6.55957 FRF, ...) are exact, so
   ``EUR × 1.95583 ≈ DEM`` holds only if both are in units per USD;
2. otherwise the pound: it has never been worth less than one dollar, so GBP values below 1
   are units per USD and values above 1 are USD per unit;
3. otherwise the layout of the published file (units per USD).

Every stored rate is normalised to units per USD; ``source_quote`` records how the file had it.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from decimal import Context, Decimal, InvalidOperation
from pathlib import Path

from smartcustoms.reference.loaders.common import BadFile, read_text

# The file names currencies by country; map them to ISO 4217 (legacy codes before the euro).
CURRENCY_OF: dict[str, str] = {
    "Australia": "AUD",
    "Austria": "ATS",
    "Belgium": "BEF",
    "Brazil": "BRL",
    "Canada": "CAD",
    "China": "CNY",
    "Denmark": "DKK",
    "Euro": "EUR",
    "Finland": "FIM",
    "France": "FRF",
    "Germany": "DEM",
    "Greece": "GRD",
    "Hong Kong": "HKD",
    "India": "INR",
    "Ireland": "IEP",
    "Italy": "ITL",
    "Japan": "JPY",
    "Malaysia": "MYR",
    "Mexico": "MXN",
    "Netherlands": "NLG",
    "New Zealand": "NZD",
    "Norway": "NOK",
    "Portugal": "PTE",
    "Singapore": "SGD",
    "South Africa": "ZAR",
    "South Korea": "KRW",
    "Spain": "ESP",
    "Sri Lanka": "LKR",
    "Sweden": "SEK",
    "Switzerland": "CHF",
    "Taiwan": "TWD",
    "Thailand": "THB",
    "United Kingdom": "GBP",
}
# Venezuela's series chains three currencies (VEB, VEF, VES/VED) through redenominations
# without saying where, so no single ISO code is right for it: skipped on purpose.
SKIPPED_SERIES: dict[str, str] = {"Venezuela": "chains VEB/VEF/VES redenominations"}

# The H.10 convention: these are quoted in USD per unit at the source.
H10_USD_PER_UNIT = frozenset({"AUD", "EUR", "NZD", "GBP", "IEP"})

# Irrevocable euro conversion rates (units of legacy currency per 1 EUR).
EURO_FIXED: dict[str, Decimal] = {
    "DEM": Decimal("1.95583"),
    "FRF": Decimal("6.55957"),
    "ITL": Decimal("1936.27"),
    "ESP": Decimal("166.386"),
    "NLG": Decimal("2.20371"),
    "BEF": Decimal("40.3399"),
    "ATS": Decimal("13.7603"),
    "PTE": Decimal("200.482"),
    "FIM": Decimal("5.94573"),
}
PER_USD = "per USD"
USD_PER_UNIT = "USD per unit"
_PRECISION = Context(prec=12)


@dataclass(frozen=True, slots=True)
class FxData:
    rows: list[dict[str, object]]
    inverted_in_file: bool
    """True when the file quotes the H.10 five in USD per unit (and they were inverted)."""
    orientation_evidence: str


def parse(path: Path) -> FxData:
    raw: list[tuple[str, date, Decimal, str]] = []
    reader = csv.reader(io.StringIO(read_text(path)))
    header = next(reader, None)
    if header is None or [h.strip() for h in header[:3]] != ["Date", "Country", "Exchange rate"]:
        raise BadFile(path, f"expected the header Date,Country,Exchange rate; got {header}", 1)
    seen: set[tuple[str, date]] = set()
    for line, row in enumerate(reader, start=2):
        if not row or not any(cell.strip() for cell in row):
            continue
        if len(row) != 3:
            raise BadFile(path, f"expected 3 columns, got {len(row)}", line)
        when_text, country, value_text = (cell.strip() for cell in row)
        if country in SKIPPED_SERIES:
            continue
        currency = CURRENCY_OF.get(country)
        if currency is None:
            raise BadFile(path, f"unknown country {country!r} (no currency mapped)", line)
        try:
            when = date.fromisoformat(when_text)
        except ValueError:
            raise BadFile(path, f"date {when_text!r} is not YYYY-MM-DD", line) from None
        if not value_text:
            continue  # a month without a quote
        try:
            value = Decimal(value_text)
        except InvalidOperation:
            raise BadFile(path, f"rate {value_text!r} is not a number", line) from None
        if not value.is_finite() or value <= 0:
            raise BadFile(path, f"rate {value_text!r} is not a positive number", line)
        month = when.replace(day=1)
        if (currency, month) in seen:
            raise BadFile(path, f"{country} {month:%Y-%m} appears twice", line)
        seen.add((currency, month))
        raw.append((currency, month, value, country))
    if not raw:
        raise BadFile(path, "holds no rates")
    inverted, evidence = detect_orientation([(c, m, v) for c, m, v, _ in raw])
    rows: list[dict[str, object]] = []
    for currency, month, value, country in raw:
        flip = inverted and currency in H10_USD_PER_UNIT
        per_usd = _PRECISION.divide(Decimal(1), value) if flip else value
        rows.append(
            {
                "currency": currency,
                "month": month,
                "per_usd": str(per_usd),
                "value": str(value),
                "source_quote": USD_PER_UNIT if flip else PER_USD,
                "source_name": country,
            }
        )
    return FxData(rows, inverted, evidence)


def detect_orientation(rates: list[tuple[str, date, Decimal]]) -> tuple[bool, str]:
    """Whether the H.10 five are in USD per unit in this file, and why we think so."""
    by_key = {(c, m): v for c, m, v in rates}
    for (_, month), eur in sorted((k, v) for k, v in by_key.items() if k[0] == "EUR"):
        for legacy, fixed in EURO_FIXED.items():
            other = by_key.get((legacy, month))
            if other is None:
                continue
            if _close(eur * fixed, other):
                return False, f"EUR×{fixed} = {legacy} in {month:%Y-%m}: EUR is per USD"
            if _close(fixed / eur, other):
                return True, f"{fixed}/EUR = {legacy} in {month:%Y-%m}: EUR is USD per unit"
    gbp = [v for (c, _m), v in by_key.items() if c == "GBP"]
    if gbp and all(v < 1 for v in gbp):
        return False, "every GBP value is below 1: GBP is per USD"
    if gbp and all(v > 1 for v in gbp):
        return True, "every GBP value is above 1: GBP is USD per unit"
    return False, "no evidence in the file; assumed the published layout (all per USD)"


def _close(a: Decimal, b: Decimal) -> bool:
    return abs(a - b) <= b * Decimal("0.02")
