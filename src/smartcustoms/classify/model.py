"""What a classification says, as plain objects (no numpy, no I/O)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = [
    "Classification",
    "GoodsQuery",
    "Mismatch",
    "NationalLine",
    "Neighbour",
    "PathStep",
    "Suggestion",
    "Vagueness",
]


@dataclass(frozen=True, slots=True)
class GoodsQuery:
    """A goods description as a trader, a marketplace or a parcel manifest gives it."""

    description: str
    category: str | None = None
    attributes: Mapping[str, Any] = field(default_factory=dict)
    price: float | None = None
    currency: str | None = None


@dataclass(frozen=True, slots=True)
class PathStep:
    level: str
    """``section``, ``chapter``, ``heading`` or ``subheading``."""
    code: str
    description: str


@dataclass(frozen=True, slots=True)
class Neighbour:
    """A labelled description close to the query (the evidence behind a suggestion)."""

    text: str
    hs_code: str
    source: str
    similarity: float


@dataclass(frozen=True, slots=True)
class NationalLine:
    """A line of the economy's tariff under the suggested subheading."""

    code: str
    description: str
    rate_type: str
    ad_valorem: str


@dataclass(frozen=True, slots=True)
class Suggestion:
    hs_code: str
    """HS 2022 subheading, 6 digits."""
    confidence: float
    """Calibrated: the share of suggestions with this confidence that were right (6 digits)."""
    description: str
    path: list[PathStep]
    matched_words: list[str]
    examples: list[Neighbour]
    heading_confidence: float
    """Probability that the heading (4 digits) is right, summed over its subheadings."""
    chapter_confidence: float
    national_lines: list[NationalLine] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Vagueness:
    """Why a description cannot be classified as it stands, and what to ask for."""

    vague: bool
    score: float
    missing: list[str]
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Classification:
    description: str
    suggestions: list[Suggestion]
    vagueness: Vagueness
    text_read: str
    """The text the classifier read (normalised, with the nomenclature's words added)."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Mismatch:
    """A declared code that the description does not support: the lodgement warning and the
    risk signal, with the explanation an officer sees."""

    item: int
    """0-based item index."""
    declared: str
    likely: str
    likely_confidence: float
    declared_rank: int | None
    """Rank of the declared subheading among the suggestions (1-based), None: not among them."""
    declared_probability: float
    explanation: str
