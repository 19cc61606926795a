"""API output models for reference data (Decimals travel as strings, never floats)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class SectionOut(_Out):
    roman: str
    name: str


class HsBriefOut(_Out):
    code: str
    description: str
    level: int


class HsEntryOut(_Out):
    code: str
    description: str
    level: int
    section: SectionOut | None
    parent: str | None
    ancestors: list[HsBriefOut]
    children: list[HsBriefOut]


class HsHitOut(_Out):
    code: str
    description: str
    level: int
    score: float
    snippet_html: str


class RateUsedOut(_Out):
    currency: str
    month: date
    per_usd: Decimal
    source_quote: str


class ConversionOut(_Out):
    amount: Decimal
    from_currency: str
    to_currency: str
    result: Decimal
    date: date
    rates_used: list[RateUsedOut]


class EglAnswerOut(_Out):
    code: str
    is_environmental: bool
    listed_code: str | None
    derivation: str | None


class LocationOut(_Out):
    code: str
    country: str
    name: str
    name_ascii: str
    subdivision: str | None
    functions: list[str]
    coordinates: str | None
    status: str | None
    iata: str | None


class DatasetStatusOut(_Out):
    name: str
    source: str
    location: str
    sha256: str
    rows: int
    loaded_at: datetime
    is_sample: bool
    files: dict[str, str]


class StatusOut(BaseModel):
    datasets: list[DatasetStatusOut]
    notice: str | None
