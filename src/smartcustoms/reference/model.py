"""Reference data as the rest of the platform sees it: plain, immutable dataclasses."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

DATASETS: tuple[str, ...] = ("hs", "countries", "fx", "egl", "unlocode")
"""Every dataset, in load order (``egl`` is mapped onto the HS codes, so it follows ``hs``)."""

SourceKind = Literal["directory", "download", "sample", "package"]
Quote = Literal["per USD", "USD per unit"]
Derivation = Literal["listed", "split from listed HS 2007 subheading"]


@dataclass(frozen=True, slots=True)
class Section:
    roman: str
    name: str


@dataclass(frozen=True, slots=True)
class HsBrief:
    code: str
    description: str
    level: int


@dataclass(frozen=True, slots=True)
class HsEntry:
    code: str
    description: str
    level: int
    section: Section | None
    parent: str | None
    ancestors: list[HsBrief] = field(default_factory=list)
    """From the chapter down to the direct parent."""
    children: list[HsBrief] = field(default_factory=list)

    @property
    def dotted(self) -> str:
        return format_hs(self.code)


@dataclass(frozen=True, slots=True)
class HsHit:
    code: str
    description: str
    level: int
    score: float
    snippet_html: str


@dataclass(frozen=True, slots=True)
class RateUsed:
    currency: str
    month: date
    """First day of the month the rate is an average of."""
    per_usd: Decimal
    """Units of ``currency`` per 1 USD (normalised at load, whatever the file's quote)."""
    source_quote: Quote
    """How the source file quoted the rate."""


@dataclass(frozen=True, slots=True)
class Conversion:
    amount: Decimal
    from_currency: str
    to_currency: str
    result: Decimal
    date: date
    rates_used: list[RateUsed]


@dataclass(frozen=True, slots=True)
class EglAnswer:
    code: str
    is_environmental: bool
    listed_code: str | None
    """The HS 2007 subheading on the APEC list that this code comes from."""
    derivation: Derivation | None


@dataclass(frozen=True, slots=True)
class EglMapping:
    code: str
    listed_code: str
    derivation: Derivation
    description: str


@dataclass(frozen=True, slots=True)
class Location:
    code: str
    """Country code + location code, e.g. ``KRPUS``."""
    country: str
    name: str
    name_ascii: str
    subdivision: str | None
    functions: list[str]
    """Readable function names (port, rail terminal, airport, ...)."""
    coordinates: str | None
    status: str | None = None
    iata: str | None = None


@dataclass(frozen=True, slots=True)
class Country:
    code: str
    alpha3: str
    numeric: str
    name: str
    official_name: str | None
    is_apec: bool
    apec_name: str | None


@dataclass(frozen=True, slots=True)
class Currency:
    code: str
    name: str
    numeric: str | None


@dataclass(frozen=True, slots=True)
class DatasetStatus:
    name: str
    source: SourceKind
    location: str
    sha256: str
    rows: int
    loaded_at: datetime
    is_sample: bool
    files: dict[str, str] = field(default_factory=dict)
    """Every file read, with its SHA-256."""


@dataclass(frozen=True, slots=True)
class LoadReport:
    datasets: list[DatasetStatus]
    skipped: dict[str, str] = field(default_factory=dict)
    """Datasets the source could not provide, with the reason."""
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)
    """Seconds spent on each dataset (parse + write)."""
    notes: dict[str, list[str]] = field(default_factory=dict)

    def summary(self) -> str:
        parts = [f"{d.name} {d.rows:,}" for d in self.datasets]
        text = ", ".join(parts) or "nothing loaded"
        if any(d.is_sample for d in self.datasets):
            text += " (built-in sample)"
        if self.skipped:
            text += f"; skipped {', '.join(sorted(self.skipped))}"
        return text


def format_hs(code: str) -> str:
    """``850760`` -> ``8507.60``; chapters and headings stay as they are."""
    return f"{code[:4]}.{code[4:]}" if len(code) == 6 else code
