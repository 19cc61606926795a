"""Statistics as plain objects: periods, dimensions, results; pure computations (growth,
shares, percentiles). No database, no web."""

from __future__ import annotations

import enum
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal

from smartcustoms.errors import InvalidInput

__all__ = [
    "BUILTIN_PERIODS",
    "By",
    "Flow",
    "Period",
    "add_months",
    "growth_pct",
    "parse_period",
    "percentile",
    "share_pct",
]

CENT = Decimal("0.01")


class Flow(enum.StrEnum):
    IMPORT = "import"
    EXPORT = "export"
    TOTAL = "total"
    """Imports plus exports (total trade)."""

    def kinds(self) -> tuple[str, ...]:
        return ("import", "export") if self is Flow.TOTAL else (self.value,)


class By(enum.StrEnum):
    PARTNER = "partner"
    SECTION = "section"
    CHAPTER = "chapter"
    HEADING = "heading"
    SUBHEADING = "subheading"
    MODE = "mode"
    OFFICE = "office"
    FLOW = "flow"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    APEC = "apec"
    """APEC economies as one group against the rest of the world."""
    TOTAL = "total"


def add_months(d: date, n: int) -> date:
    m = d.year * 12 + d.month - 1 + n
    return date(m // 12, m % 12 + 1, 1)


@dataclass(frozen=True, slots=True)
class Period:
    """A run of whole months: ``first`` and ``last`` are first days of months (inclusive)."""

    code: str
    label: str
    first: date
    last: date

    @property
    def months(self) -> list[date]:
        n = (self.last.year - self.first.year) * 12 + self.last.month - self.first.month
        return [add_months(self.first, i) for i in range(n + 1)]

    @property
    def length(self) -> int:
        return len(self.months)

    @property
    def end_date(self) -> date:
        """The last day of the period."""
        return date.fromordinal(add_months(self.last, 1).toordinal() - 1)

    def shifted(self, months: int, code: str | None = None) -> Period:
        first, last = add_months(self.first, months), add_months(self.last, months)
        c = code or _code_of(first, last)
        return Period(c, _label_of(c, first, last), first, last)

    def previous(self) -> Period:
        """The period of the same length just before."""
        return self.shifted(-self.length)

    def year_before(self) -> Period:
        return self.shifted(-12)


def _code_of(first: date, last: date) -> str:
    if first == last:
        return f"{first:%Y-%m}"
    if first.month == 1 and last == add_months(first, 11):
        return f"{first.year}"
    if (first.month - 1) % 3 == 0 and last == add_months(first, 2):
        return f"{first.year}-Q{(first.month - 1) // 3 + 1}"
    if first.month in (1, 7) and last == add_months(first, 5):
        return f"{first.year}-H{1 if first.month == 1 else 2}"
    return f"{first:%Y-%m}..{last:%Y-%m}"


def _label_of(code: str, first: date, last: date) -> str:
    if first == last:
        return f"{first:%B %Y}"
    return f"{code} ({first:%b %Y} – {last:%b %Y})"


@dataclass(frozen=True, slots=True)
class NamedPeriod:
    code: str
    label: str
    first_year: int
    last_year: int


BUILTIN_PERIODS: dict[str, NamedPeriod] = {
    p.code: p
    for p in (
        NamedPeriod("FYP13", "13th Five-Year Plan 2016–2020", 2016, 2020),
        NamedPeriod("FYP14", "14th Five-Year Plan 2021–2025", 2021, 2025),
        NamedPeriod("FYP15", "15th Five-Year Plan 2026–2030", 2026, 2030),
    )
}

_MONTH = re.compile(r"(\d{4})-(\d{2})")
_PATTERNS = (
    (re.compile(r"(\d{4})"), "year"),
    (re.compile(r"(\d{4})-[Qq]([1-4])"), "quarter"),
    (re.compile(r"(\d{4})-[Hh]([12])"), "half"),
    (_MONTH, "month"),
)


YEARS = range(1900, 2201)


def _month(text: str, path: str) -> date:
    m = _MONTH.fullmatch(text.strip())
    if not m or not 1 <= int(m[2]) <= 12 or int(m[1]) not in YEARS:
        raise InvalidInput.single(path, "malformed_month", f"{text!r} is not a month like 2021-04")
    return date(int(m[1]), int(m[2]), 1)


def parse_period(
    text: str,
    path: str = "period",
    named: dict[str, tuple[str, date, date]] | None = None,
) -> Period:
    """``2021``, ``2021-Q2``, ``2021-H1``, ``2021-05``, ``2021-01..2021-06`` or a named period
    (``FYP14``, or one the economy defined: code -> (label, first month, last month))."""
    raw = (text or "").strip()
    key = raw.upper()
    if named and key in named:
        label, first, last = named[key]
        return Period(key, label, first, last)
    if key in BUILTIN_PERIODS:
        p = BUILTIN_PERIODS[key]
        return Period(key, p.label, date(p.first_year, 1, 1), date(p.last_year, 12, 1))
    if ".." in raw:
        a, b = raw.split("..", 1)
        first, last = _month(a, path), _month(b, path)
        if last < first:
            raise InvalidInput.single(
                path, "empty_period", f"{raw!r}: the last month is before the first"
            )
        code = _code_of(first, last)
        return Period(code, _label_of(code, first, last), first, last)
    for pattern, kind in _PATTERNS:
        m = pattern.fullmatch(raw)
        if not m:
            continue
        year = int(m[1])
        if year not in YEARS:
            break
        if kind == "year":
            first, last = date(year, 1, 1), date(year, 12, 1)
        elif kind == "quarter":
            first = date(year, 3 * int(m[2]) - 2, 1)
            last = add_months(first, 2)
        elif kind == "half":
            first = date(year, 1 if m[2] == "1" else 7, 1)
            last = add_months(first, 5)
        else:
            if not 1 <= int(m[2]) <= 12:
                break
            first = last = date(year, int(m[2]), 1)
        code = _code_of(first, last)
        return Period(code, _label_of(code, first, last), first, last)
    names = ", ".join(sorted(set(BUILTIN_PERIODS) | set(named or {})))
    raise InvalidInput.single(
        path,
        "unknown_period",
        f"{raw!r} is not a period: use 2021, 2021-Q2, 2021-H1, 2021-05, 2021-01..2021-06 "
        f"or a named period ({names})",
    )


def share_pct(part: Decimal, whole: Decimal) -> Decimal | None:
    if not whole:
        return None
    return (part * 100 / whole).quantize(CENT, rounding=ROUND_HALF_EVEN)


def growth_pct(now: Decimal, before: Decimal) -> Decimal | None:
    """Growth in percent; None when there is nothing to grow from."""
    if not before:
        return None
    return ((now - before) * 100 / before).quantize(CENT, rounding=ROUND_HALF_EVEN)


def percentile(sorted_values: Sequence[float], p: float) -> float | None:
    """The p-th percentile (0-100) with linear interpolation between closest ranks
    (numpy's default 'linear' method)."""
    n = len(sorted_values)
    if n == 0:
        return None
    pos = (n - 1) * p / 100
    lo = math.floor(pos)
    hi = min(lo + 1, n - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_EVEN)


# --- results --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Figures:
    value: Decimal
    """In the economy's currency (exact)."""
    value_usd: Decimal | None
    """Each month converted at that month's reference rate, rounded to the cent at the end;
    None when a month has no rate."""
    net_mass_kg: Decimal
    items: int


@dataclass(frozen=True, slots=True)
class Row:
    key: str
    label: str
    value: Decimal
    value_usd: Decimal | None
    net_mass_kg: Decimal
    items: int
    share_pct: Decimal | None
    """Share of the total (by value in the economy's currency)."""


@dataclass(frozen=True, slots=True)
class TradeResult:
    economy: str
    currency: str
    flow: Flow
    by: By
    period: Period
    total: Figures
    rows: list[Row]
    other: Figures | None = None
    """The rest when only the top N rows are listed."""
    apec_share_pct: Decimal | None = None
    """The APEC economies' share of the total (by value)."""
    filters: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class GrowthRow:
    key: str
    label: str
    value: Decimal
    previous: Decimal
    year_before: Decimal
    growth_pct: Decimal | None
    """Against the previous period of the same length."""
    yoy_pct: Decimal | None
    """Against the same period a year before."""
    value_usd: Decimal | None = None
    previous_usd: Decimal | None = None
    year_before_usd: Decimal | None = None
    growth_usd_pct: Decimal | None = None
    yoy_usd_pct: Decimal | None = None


@dataclass(frozen=True, slots=True)
class GrowthResult:
    economy: str
    currency: str
    flow: Flow
    by: By
    period: Period
    previous: Period
    year_before: Period
    total: GrowthRow
    rows: list[GrowthRow]


@dataclass(frozen=True, slots=True)
class Comparison:
    economy: str
    currency: str
    flow: Flow
    by: By
    a: Period
    b: Period
    total_a: Figures
    total_b: Figures
    growth_pct: Decimal | None
    """From period B to period A (A is the later one, as in 'A against B')."""
    growth_usd_pct: Decimal | None
    rows: list[CompareRow]


@dataclass(frozen=True, slots=True)
class CompareRow:
    key: str
    label: str
    a: Decimal
    b: Decimal
    growth_pct: Decimal | None
    a_usd: Decimal | None
    b_usd: Decimal | None
